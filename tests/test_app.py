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


@pytest.fixture
def prepared_demo(tmp_path, monkeypatch):
    from core.config import Settings
    from core.prepare import prepare

    home = tmp_path / "home"
    monkeypatch.setenv("FASHION_HOME", str(home))
    prepare(Settings.from_env())
    return home


def test_dataset_screen_before_prepare_points_home():
    at = AppTest.from_file(HOME, default_timeout=60)
    at.switch_page("pages/dataset.py").run()
    assert not at.exception
    assert "not prepared yet" in at.info[0].value


def test_dataset_screen(prepared_demo):
    at = AppTest.from_file(HOME, default_timeout=60)
    at.switch_page("pages/dataset.py").run()
    assert not at.exception
    assert at.metric[1].label == "Usable products" and at.metric[1].value == "300"
    assert [t.label for t in at.tabs] == ["Distributions", "Prices", "Data quality", "Gallery"]
    assert at.success[0].value.startswith("Every line was read")
    at.selectbox[0].select_index(1).run()  # another article type in the gallery
    assert not at.exception
    images = at.get("image")
    assert len(images) > 0
