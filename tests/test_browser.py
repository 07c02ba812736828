"""Every screen in a real browser: no Streamlit exception box, the key element visible, a screenshot.

Needs Debian's Chromium (``.ci/run`` installs it); skipped where it is absent. Screenshots go to
``$FASHION_TEST_OUTPUT`` (``.ci/run`` sets ``test-output/``) or the test's temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, exceptions, streamlit_server, wait_for_script

pytestmark = pytest.mark.browser

SCREENS = [
    # (url path, text that proves the screen rendered)
    ("", "Products"),
    ("dataset", "Usable products"),
]


@pytest.fixture(scope="module")
def output_dir(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("FASHION_TEST_OUTPUT") or tmp_path_factory.mktemp("screens")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from core.config import Settings
    from core.prepare import prepare

    home = tmp_path_factory.mktemp("browser-home")
    prepare(Settings.from_env(home=home))
    env = {"FASHION_HOME": str(home), "FASHION_CATALOG": ""}
    with streamlit_server(env, home / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("path, marker", SCREENS)
def test_screen_renders_without_exception(browser, app_url, output_dir, path, marker):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/{path}")
    page.get_by_text(marker).first.wait_for(timeout=60_000)
    wait_for_script(page)
    page.screenshot(path=str(output_dir / f"{path or 'home'}.png"))
    assert exceptions(page) == []
    page.close()
