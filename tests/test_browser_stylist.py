"""The Stylist screen in a real browser, with a hostile OpenAI-compatible model behind it.

A real ``streamlit run`` whose stylist talks to ``HostileOpenAI`` (tests/test_stylist_safety.py) on
loopback: its answer carries ``<script>``, ``<img onerror>``, ``<iframe>``, a markdown image on an
outside address, a ``javascript:`` link and a brand retrieval never returned, and the shopper types
HTML too. Nothing of it may become an element, a link or a request: it is text on the screen.
Needs Debian's Chromium (``.ci/run`` installs it); skipped where it is absent.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, exceptions, streamlit_server, wait_for_script
from tests.test_stylist_safety import HostileOpenAI

pytestmark = pytest.mark.browser

MESSAGE = "<b>office</b> look for a woman under 3000 <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def hostile_app_url(built_demo_home, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    env = {"FASHION_HOME": str(built_demo_home), "FASHION_CATALOG": "", "STYLIST_PROVIDER": "openai-compatible",
           "OPENAI_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}/v1", "STYLIST_MODEL": "tiny",
           "STYLIST_TIMEOUT": "10"}
    try:
        with streamlit_server(env, tmp_path_factory.mktemp("logs") / "streamlit.log") as url:
            yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_stylist_screen_shows_a_hostile_model_as_text(browser, hostile_app_url, output_dir):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{hostile_app_url}/stylist")
    chat = page.locator('[data-testid="stChatInputTextArea"]')
    chat.wait_for(timeout=60_000)
    chat.fill(MESSAGE)
    chat.press("Enter")
    page.get_by_text("What the stylist understood").wait_for(timeout=60_000)
    wait_for_script(page)
    page.screenshot(path=str(output_dir / "stylist-hostile-model.png"))
    assert exceptions(page) == []

    messages = page.locator('[data-testid="stChatMessage"]')
    assert messages.count() == 2
    assert MESSAGE in messages.nth(0).inner_text()  # the shopper's HTML, shown as typed
    answer = messages.nth(1).inner_text()
    assert "Provider: openai-compatible" in page.inner_text("body")
    assert "Office look" in answer and "Keep accessories minimal." in answer and "₹" in answer
    for fragment in ("Louis Vuitton", "evil.example", "javascript", "alert(", "<script", "<iframe"):
        assert fragment not in answer
    assert "Removed markup from the model's answer" in answer

    chat_area = '[data-testid="stChatMessage"]'
    assert page.locator(f"{chat_area} script, {chat_area} iframe, {chat_area} object, {chat_area} embed").count() == 0
    sources = page.eval_on_selector_all(f"{chat_area} img", "els => els.map(e => e.src)")
    assert sources and all(src.startswith(hostile_app_url) for src in sources), sources  # product cards only
    links = page.eval_on_selector_all(f"{chat_area} a[href]", "els => els.map(e => e.href)")
    assert all(href.startswith(hostile_app_url) for href in links), links
    assert not [url for url in requested if "evil.example" in url or url.startswith(("javascript:", "data:text"))]
    assert dialogs == []  # no alert() ran
    page.close()
