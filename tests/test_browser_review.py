"""The analyst's and the merchandiser's screens in a real browser: Retrieval quality and Curation.

Retrieval quality must show what a figure rests on (queries, gallery, 95% interval, "indicative"
on the demo's small splits) and its tabs must open; Curation must keep one product of a
near-duplicate pair and flag only the other. Runs on a writable copy of the built demo home (a
decision is written to its curation store). Screenshots go to ``$FASHION_TEST_OUTPUT``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, exceptions, streamlit_server, wait_for_script
from tests.homes import copy_home

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(built_demo_home, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    home = copy_home(built_demo_home, tmp_path_factory.mktemp("review") / "home")
    env = {"FASHION_HOME": str(home), "FASHION_CATALOG": ""}
    with streamlit_server(env, tmp_path_factory.mktemp("logs") / "streamlit.log") as url:
        yield url


def test_retrieval_quality_shows_what_each_figure_rests_on(browser, app_url, output_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    page.goto(f"{app_url}/retrieval_quality")
    page.get_by_text("95% CI").first.wait_for(timeout=120_000)
    wait_for_script(page, timeout_ms=120_000)
    body = page.locator("body").inner_text()
    assert re.search(r"\d+ queries, \d+ images", body), body[:2000]
    assert "indicative" in body  # the demo's test split has fewer than 100 queries
    assert "Attribute re-scoring" in body or "cosine alone" in body
    page.screenshot(path=str(output_dir / "retrieval-quality.png"), full_page=True)
    page.get_by_role("tab", name="Worst queries").click()
    page.get_by_text("Worst queries").first.wait_for(timeout=60_000)
    wait_for_script(page, timeout_ms=120_000)
    page.screenshot(path=str(output_dir / "retrieval-quality-worst.png"), full_page=True)
    assert exceptions(page) == []
    page.close()


def test_curation_keeps_one_product_of_a_near_duplicate_pair(browser, app_url, output_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    page.goto(f"{app_url}/curation")
    keep = page.get_by_role("button", name="Keep this one")
    keep.first.wait_for(timeout=180_000)
    wait_for_script(page, timeout_ms=120_000)
    page.screenshot(path=str(output_dir / "curation.png"), full_page=True)
    pairs_before = keep.count()
    assert pairs_before >= 2  # two buttons a pair: the merchandiser chooses which product stays
    keep.first.click()
    wait_for_script(page, timeout_ms=120_000)
    page.get_by_text("all", exact=True).first.click()  # decided suggestions are listed under "all"
    page.get_by_text(re.compile(r"kept \d+, flagged \d+")).first.wait_for(timeout=60_000)
    wait_for_script(page)
    page.screenshot(path=str(output_dir / "curation-kept-one.png"), full_page=True)
    page.get_by_role("tab", name="Tagged & flagged").click()
    wait_for_script(page, timeout_ms=120_000)
    assert exceptions(page) == []
    page.close()
