"""Every screen in a real browser: no Streamlit exception box, the key element visible, a screenshot.

Needs Debian's Chromium (``.ci/run`` installs it); skipped where it is absent. Screenshots go to
``$FASHION_TEST_OUTPUT`` (``.ci/run`` sets ``test-output/``) or the test's temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, exceptions, nav_links, streamlit_server, wait_for_script

pytestmark = pytest.mark.browser

SCREENS = [
    # (url path, text that proves the screen rendered). A deep link comes first on purpose: it is
    # the fresh server's first request (see dashboard.router.leave_legacy_mode).
    ("search", "Type a query"),
    ("", "Everything is ready"),
    ("dataset", "Usable products"),
    ("training", "Validation metrics per epoch"),
    ("stylist", "Provider:"),
]


NAVIGATION = ["Home", "Dataset", "Search", "Embedding map", "Curation", "Training", "Retrieval quality", "Stylist chat"]


@pytest.fixture(scope="module")
def app_url(built_demo_home, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    env = {"FASHION_HOME": str(built_demo_home), "FASHION_CATALOG": ""}
    with streamlit_server(env, tmp_path_factory.mktemp("logs") / "streamlit.log") as url:
        yield url


@pytest.mark.parametrize("path, marker", SCREENS)
def test_screen_renders_without_exception(browser, app_url, output_dir, path, marker):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/{path}")
    page.get_by_text(marker).first.wait_for(timeout=60_000)
    wait_for_script(page)
    page.screenshot(path=str(output_dir / f"{path or 'home'}.png"))
    assert exceptions(page) == []
    assert nav_links(page) == NAVIGATION  # the router's grouped pages, not the legacy pages/ listing
    page.close()


def test_search_and_chat_in_the_browser(browser, app_url, output_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(f"{app_url}/search")
    box = page.get_by_label("Describe what you are looking for")
    box.wait_for(timeout=60_000)
    box.fill("blue jeans")
    box.press("Enter")
    page.get_by_text("24 results").wait_for(timeout=60_000)
    page.locator('[data-testid="stImage"]').nth(23).wait_for(timeout=60_000)
    wait_for_script(page)
    assert page.locator('[data-testid="stImage"]').count() == 24
    page.screenshot(path=str(output_dir / "search-results.png"))
    assert exceptions(page) == []

    page.goto(f"{app_url}/stylist")
    chat = page.locator('[data-testid="stChatInputTextArea"]')
    chat.wait_for(timeout=60_000)
    chat.fill("What should I wear for a brunch date?")
    chat.press("Enter")
    page.get_by_text("What the stylist understood").wait_for(timeout=60_000)
    wait_for_script(page)
    page.screenshot(path=str(output_dir / "stylist-answer.png"))
    assert exceptions(page) == []
    assert page.locator('[data-testid="stChatMessage"]').count() == 2
    page.close()
