"""Every screen in ``pages/`` opens through the router on a built demo home without an exception.

``PAGES`` is the list the architecture test compares with the files in ``pages/`` and with the
router: a new screen must be added here (and so gets a smoke test) before it can exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.homes import copy_home

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")

# page file -> the title it shows
PAGES = {
    "pages/home.py": "Fashion retrieval",
    "pages/dataset.py": "Dataset",
    "pages/search.py": "Search",
    "pages/embedding_map.py": "Embedding map",
    "pages/curation.py": "Curation",
    "pages/training.py": "Training",
    "pages/retrieval_quality.py": "Retrieval quality",
    "pages/stylist.py": "Stylist",
}

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(scope="module")
def home(built_demo_home, tmp_path_factory) -> Path:
    """A writable copy of the built demo home: screens write their caches (map, quality, curation)."""
    return copy_home(built_demo_home, tmp_path_factory.mktemp("pages-home") / "home")


@pytest.mark.parametrize("page", sorted(PAGES))
def test_page_opens_without_an_exception(page, home, monkeypatch):
    monkeypatch.setenv("FASHION_HOME", str(home))
    at = AppTest.from_file(HOME, default_timeout=180)
    at.switch_page(page).run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert not at.error, at.error[0].value
    assert PAGES[page] in [t.value for t in at.title], [t.value for t in at.title]


def test_no_screen_shows_raw_json(home, monkeypatch):
    """What the stylist understood reads as chips, and the image summary as badges: no JSON, no null."""
    monkeypatch.setenv("FASHION_HOME", str(home))
    at = AppTest.from_file(HOME, default_timeout=180)
    at.switch_page("pages/stylist.py").run()
    at.chat_input[0].set_value("Something for a party under 3000, no red, I am a man").run()
    assert not at.exception
    answer = at.chat_message[1]
    chips = next(m.value for m in answer.markdown if ":gray-badge[" in m.value)
    for label in ("Party", "Men", "no Red", "under ₹3,000 in total"):
        assert f":gray-badge[{label}]" in chips
    assert not at.get("json") and "null" not in chips and "None" not in chips
    cards = [c.value for c in answer.caption if c.value.startswith("₹")]
    assert cards and all("(simulated)" in c for c in cards)

    at.switch_page("pages/dataset.py").run()
    at.session_state["dataset-tab"] = "Data quality"
    at.run()
    assert not at.exception and not at.get("json")
    assert any(":gray-badge[60×80 px\\: 300]" in m.value for m in at.markdown)
