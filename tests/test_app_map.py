"""AppTest of the Embedding map screen on the built demo home (a copy: the screen writes its map
cache and curation labels into the home). Plotly selections cannot be made in AppTest, so the
selection is put into the session state where the chart's callback would put it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tests.homes import copy_home

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")
PAGE = "pages/embedding_map.py"


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(scope="module")
def map_home(built_demo_home, tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("map-home") / "home"
    copy_home(built_demo_home, home)
    return home


@pytest.fixture
def at(map_home, monkeypatch) -> AppTest:
    monkeypatch.setenv("FASHION_HOME", str(map_home))
    app = AppTest.from_file(HOME, default_timeout=300)
    app.switch_page(PAGE)
    return app


def _caption(app: AppTest) -> str:
    return next(c.value for c in app.caption if "products ·" in c.value)


def test_default_map_is_computed_once_then_cached(at):
    at.run()
    assert not at.exception, at.exception
    assert "300 products · image embeddings of lit-v1 · UMAP (" in _caption(at)
    assert len(at.get("plotly_chart")) == 1
    clusters = at.dataframe[0].value
    assert len(clusters) == 12 and clusters["size"].sum() == 300
    assert {"name", "purity", "name rests on", "article types", "colours", "median price"} <= set(clusters.columns)
    assert clusters["purity"].between(0, 1).all() and clusters["name rests on"].str.contains("%").all()
    assert any("A name says only what the cluster's own shares support" in c.value for c in at.caption)
    legend = [trace["name"] for trace in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]]
    assert len(legend) == 12 and all(name.endswith("% pure") for name in legend), legend
    assert {name.split(" (")[0].split(" · ", 1)[1] for name in legend} == set(clusters["name"])
    assert "Select products on the map" in at.info[0].value
    at.run()
    assert "UMAP (cached" in _caption(at)


@pytest.mark.parametrize("kind", ["text", "fused"])
def test_pca_maps_of_the_other_embeddings(at, kind):
    at.session_state["map-method"] = "PCA"
    at.session_state["map-kind"] = kind
    at.session_state["map-colour"] = "Price"
    at.run()
    assert not at.exception, at.exception
    assert f"300 products · {kind} embeddings of lit-v1 · PCA (" in _caption(at)
    assert len(at.get("plotly_chart")) == 1


def test_hdbscan_clusters(at):
    at.session_state["map-method"] = "PCA"
    at.session_state["map-cluster-method"] = "hdbscan"
    at.run()
    assert not at.exception, at.exception
    assert "clusters (hdbscan)" in at.expander[0].label


def test_selection_panel_tag_flag_colour_and_more_like_this(at, map_home):
    from core.data.catalog import load_catalog
    from core.config import Settings
    from core.curation.store import CurationStore

    settings = Settings.from_env(env={}, home=map_home)
    ids = sorted(load_catalog(settings)["id"].tolist())[:7]
    at.session_state["map-method"] = "PCA"
    at.session_state["map-selected-ids"] = ids  # what the chart's on_select callback stores
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Selected products"] == "7"
    assert [t.label for t in at.tabs] == ["Pictures", "Table", "Close-up (hover for pictures)"]
    assert sorted(at.dataframe[1].value["id"].tolist()) == ids
    assert len(at.get("imgs")) + len(at.get("image")) >= 7  # the picture grid
    assert len(at.get("vega_lite_chart")) == 1  # the close-up

    at.text_input(key="map-tag").input("summer-edit")
    at.button(key="map-tag-button").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Tagged 7 new product(s)")
    labels = CurationStore(settings.curation_db).labels()
    assert sorted(labels["id"].tolist()) == ids and set(labels["tags"]) == {"summer-edit"}
    labels_author = CurationStore(settings.curation_db).history(ids[0])["author"].tolist()
    assert labels_author == ["merchandiser"]

    at.selectbox(key="map-flag").select("duplicate")
    at.button(key="map-flag-button").click().run()
    assert at.success[0].value.startswith("Flagged 7 new product(s) as duplicate")

    at.selectbox(key="map-colour").select("Curation tag").run()
    assert not at.exception, at.exception
    assert sorted(at.dataframe[1].value["id"].tolist()) == ids  # the selection survives the redraw

    at.button(key="map-clear").click().run()
    assert "Select products on the map" in at.info[0].value

    at.session_state["map-selected-ids"] = ids
    at.run()
    at.button(key=f"map-grid-More like this-{ids[0]}").click().run()
    assert not at.exception, at.exception
    assert at.session_state["search-like-id"] == ids[0]
    assert at.title[0].value == "Search"


def test_bad_tag_is_reported_not_raised(at):
    at.session_state["map-method"] = "PCA"
    at.session_state["map-selected-ids"] = []
    at.run()
    from core.data.catalog import load_catalog
    from core.config import Settings

    at.session_state["map-selected-ids"] = [int(load_catalog(Settings.from_env())["id"].iloc[0])]
    at.run()
    at.button(key="map-tag-button").click().run()  # empty tag
    assert not at.exception, at.exception
    assert "a tag cannot be empty" in at.error[0].value


def test_without_a_model_the_screen_points_home(tmp_path, monkeypatch):
    from core.config import Settings
    from core.data.prepare import prepare

    home = tmp_path / "prepared"
    monkeypatch.setenv("FASHION_HOME", str(home))
    prepare(Settings.from_env())
    app = AppTest.from_file(HOME, default_timeout=120)
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    assert "no trained model yet" in app.warning[0].value
