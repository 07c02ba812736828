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
