"""AppTest of Home before the first-run set-up: it says how long set-up will take before the click."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def test_home_says_how_long_set_up_takes_before_the_click(tmp_path, monkeypatch):
    from core.config import Settings
    from core.reports.setup import setup_estimate

    home = tmp_path / "fresh-home"
    monkeypatch.setenv("FASHION_HOME", str(home))
    at = AppTest.from_file(HOME, default_timeout=60).run()
    assert not at.exception, at.exception
    said = at.info[0].value
    assert "Nothing is prepared yet" in said
    expected = setup_estimate(Settings.from_env(env={}, home=home))
    assert f"takes {expected.text()}." in said
    assert "for 300 products (prepare: " in said and "train: " in said and "map: " in said
    assert [b.label for b in at.button] == ["Set everything up"]  # nothing has run yet

