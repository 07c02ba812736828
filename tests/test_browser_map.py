"""The Embedding map in a real browser: box-select on the WebGL map, the selection panel, the
picture tooltip of the close-up, and the CSV export of exactly the boxed products.

Needs Debian's Chromium (``.ci/run`` installs it); skipped where it is absent. The map is computed
beforehand by this test process into a copy of the built demo home, so the server only reads the
cached files (the "other users reuse it" path). Screenshots go to ``$FASHION_TEST_OUTPUT/screenshots``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from tests.browser import CHROMIUM, exceptions, streamlit_server, wait_for_script
from tests.homes import copy_home

pytestmark = pytest.mark.browser

DRAWN = """() => { const gd = document.querySelector('.js-plotly-plot');
    return !!(gd && gd._fullData && gd._fullData.length && gd.querySelector('canvas')); }"""


@pytest.fixture(scope="module")
def map_home(built_demo_home, tmp_path_factory) -> Path:
    """A copy of the demo home with the screen's default map already in its cache."""
    from core.data.catalog import load_catalog
    from core.explore.clusters import ClusterParams
    from core.config import Settings
    from core.model.load import load_embedder
    from core.model.registry import latest_model
    from core.explore.map import build_map
    from core.explore.projection import ProjectionParams
    from core.explore.vectors import load_vectors

    home = tmp_path_factory.mktemp("browser-map") / "home"
    copy_home(built_demo_home, home)
    settings = Settings.from_env(env={}, home=home)
    embedder = load_embedder(latest_model(settings), cache_dir=settings.cache_dir)
    build_map(load_vectors(settings, embedder.version, "image"), ProjectionParams(), ClusterParams(),
              cache_dir=settings.projections_dir, catalog=load_catalog(settings), encode_texts=embedder.encode_texts)
    return home


@pytest.fixture(scope="module")
def app_url(map_home, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    env = {"FASHION_HOME": str(map_home), "FASHION_CATALOG": ""}
    with streamlit_server(env, tmp_path_factory.mktemp("logs") / "streamlit.log") as url:
        yield url


def _map_coordinates(home: Path) -> pd.DataFrame:
    from core.config import Settings
    from core.explore.projection import ProjectionParams, cached_projection
    from core.explore.vectors import load_vectors

    settings = Settings.from_env(env={}, home=home)
    found = cached_projection(load_vectors(settings, "lit-v1", "image"), ProjectionParams(), settings.projections_dir)
    assert found is not None, "the server should have used the map computed by the fixture"
    return found.coords


def _inside(coords: pd.DataFrame, box: list[float], *, margin: float) -> set[int]:
    """Ids of the points inside ``box`` (x0, x1, y0, y1), grown (margin > 0) or shrunk by a share of its size."""
    (x0, x1), (y0, y1) = sorted(box[:2]), sorted(box[2:])
    dx, dy = margin * (x1 - x0), margin * (y1 - y0)
    inside = coords["x"].between(x0 - dx, x1 + dx) & coords["y"].between(y0 - dy, y1 + dy)
    return set(coords.loc[inside, "id"].astype(int))


def test_box_select_inspect_and_export(browser, app_url, map_home, output_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.goto(f"{app_url}/embedding_map")
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    wait_for_script(page, timeout_ms=120_000)
    page.wait_for_function(DRAWN, timeout=60_000)
    assert exceptions(page) == []
    assert page.get_by_text("UMAP (cached").count() == 1  # computed by another process, reused here
    page.screenshot(path=str(output_dir / "embedding-map.png"))

    # hovering a point of the WebGL map shows its name, price and id
    area = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    point = page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot'), l = gd._fullLayout;
        const t = gd._fullData[0]; return [l.xaxis.d2p(t.x[0]), l.yaxis.d2p(t.y[0])]; }""")
    page.mouse.move(area["x"] + point[0], area["y"] + point[1])
    label = page.locator(".js-plotly-plot .hoverlayer .hovertext").first
    label.wait_for(timeout=10_000)
    assert "₹" in label.text_content() and "id " in label.text_content()  # an SVG element
    page.screenshot(path=str(output_dir / "embedding-map-hover-point.png"))

    # drag a box over the middle of the plot area (dragmode is "select" by default)
    x0, y0 = area["x"] + 0.25 * area["width"], area["y"] + 0.25 * area["height"]
    x1, y1 = area["x"] + 0.75 * area["width"], area["y"] + 0.75 * area["height"]
    box = page.evaluate(
        """([dx0, dy0, dx1, dy1]) => { const l = document.querySelector('.js-plotly-plot')._fullLayout;
            return [l.xaxis.p2d(dx0), l.xaxis.p2d(dx1), l.yaxis.p2d(dy0), l.yaxis.p2d(dy1)]; }""",
        [x0 - area["x"], y0 - area["y"], x1 - area["x"], y1 - area["y"]])
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=10)
    page.mouse.move(x1, y1, steps=10)
    page.mouse.up()

    page.get_by_text("Selected products", exact=True).wait_for(timeout=120_000)
    wait_for_script(page)
    page.wait_for_function(DRAWN, timeout=60_000)
    assert exceptions(page) == []
    selected = int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(",", ""))
    coords = _map_coordinates(map_home)
    assert 0 < selected < len(coords)
    # the redrawn map greys the unselected points instead of hiding them
    greyed = page.evaluate("""() => document.querySelector('.js-plotly-plot')._fullData
        .map(t => [t.selectedpoints ? t.selectedpoints.length : null, t.x.length])""")
    assert sum(s for s, _ in greyed) == selected and sum(n for _, n in greyed) == len(coords)
    page.screenshot(path=str(output_dir / "embedding-map-selection.png"))

    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download CSV").click()
    exported = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert download.value.suggested_filename == "map-selection.csv"
    assert len(exported) == selected and exported["id"].is_unique
    # exactly the products inside the dragged box (give or take a pixel or two at its edges)
    assert set(exported["id"]) <= _inside(coords, box, margin=0.03)
    assert _inside(coords, box, margin=-0.03) <= set(exported["id"])
    assert {"productDisplayName", "simulated_price_inr", "tags", "flags", "notes"} <= set(exported.columns)

    # the close-up's tooltip shows the product's picture
    page.get_by_role("tab", name="Close-up (hover for pictures)").click()
    chart = page.locator(".vega-embed").first
    chart.wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    bounds = chart.bounding_box()
    tooltip = page.locator("#vg-tooltip-element.visible img")
    steps = 64  # a fine grid: the points are small and where they fall depends on the trained model
    for fy in [i / steps for i in range(1, steps)]:
        for fx in [i / steps for i in range(1, steps)]:
            page.mouse.move(bounds["x"] + fx * bounds["width"], bounds["y"] + fy * bounds["height"])
            if tooltip.count():
                break
        if tooltip.count():
            break
    assert tooltip.count() == 1, "no point of the close-up showed a tooltip"
    assert tooltip.get_attribute("src").startswith("data:image/jpeg;base64,")
    page.screenshot(path=str(output_dir / "embedding-map-hover.png"))
    assert exceptions(page) == []

    # "Clear selection" empties it (a double-click on the map only zooms out, as the caption says)
    page.get_by_role("button", name="Clear selection").click()
    page.get_by_text("Select products on the map").wait_for(timeout=60_000)
    wait_for_script(page)
    assert page.get_by_text("Selected products", exact=True).count() == 0
    assert exceptions(page) == []
    page.close()
