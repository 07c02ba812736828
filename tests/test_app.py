"""AppTest smoke tests of the dashboard screens (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_home_first_run_prepares_the_demo_then_shows_the_summary():
    at = AppTest.from_file(HOME, default_timeout=120).run()
    assert not at.exception
    assert "Nothing is prepared yet" in at.info[0].value
    at.button[0].click().run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:2] == ["Products", "Groups"]
    assert at.metric[0].value == "300"
    assert "demo" in at.caption[0].value
