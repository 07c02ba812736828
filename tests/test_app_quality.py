"""AppTest of the Retrieval quality screen: metrics, breakdowns, worst queries, comparison, analyst query."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.reports import breakdowns, quality
from core.data.catalog import load_catalog
from core.config import Settings
from core.model.registry import latest_model
from tests.homes import copy_home, train_second_version

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")
PAGE = "pages/retrieval_quality.py"


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture(scope="module")
def two_model_home(built_demo_home, tmp_path_factory) -> Path:
    home = copy_home(built_demo_home, tmp_path_factory.mktemp("quality-app") / "home")
    train_second_version(home)
    return home


def _open(monkeypatch, home: Path) -> AppTest:
    monkeypatch.setenv("FASHION_HOME", str(home))
    at = AppTest.from_file(HOME, default_timeout=180)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _tab(at: AppTest, name: str) -> AppTest:
    at.session_state["quality-tab"] = name
    at.run()
    assert not at.exception, at.exception
    return at


def test_before_prepare_the_screen_points_home():
    at = AppTest.from_file(HOME, default_timeout=60)
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "not prepared yet" in at.info[0].value


def test_metrics_breakdowns_and_worst_queries(two_model_home, monkeypatch):
    at = _open(monkeypatch, two_model_home)
    settings = Settings.from_env(env={}, home=two_model_home)
    catalog = load_catalog(settings)
    table = quality.per_query_table(settings, latest_model(settings), catalog, embedder=lambda: pytest.fail("cached"))
    figures = breakdowns.overall(table)
    values = {m.label: m.value for m in at.metric}
    assert list(values) == ["R@1", "R@10", "MRR@10", "Queries", "Median rank"]
    assert values["R@1"] == f"{figures['r1']:.3f}" and values["MRR@10"] == f"{figures['mrr10']:.3f}"
    assert values["Queries"] == f"{len(table):,}"
    assert at.selectbox(key="quality-model").value == "lit-v2"
    assert [t.label for t in at.tabs] == ["Overview", "Worst queries", "Compare models", "Ask a query"]
    breakdown = at.dataframe[0].value
    assert breakdown["queries"].sum() == len(table) and "indicative" in breakdown.columns
    assert len(at.get("plotly_chart")) == 2  # per-group bars and the rank distribution
    at.radio(key="quality-by").set_value("baseColour").run()
    assert not at.exception and "baseColour" in at.dataframe[0].value.columns

    _tab(at, "Worst queries")
    worst = breakdowns.worst_queries(table, 10)
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert shown[0] == f"**{worst['query'][0]}**"
    assert any(c.value == f"rank {worst['rank'][0]:,} · {worst['n_relevant'][0]} relevant product(s)" for c in at.caption)
    assert len(at.get("image")) == 20  # the expected product and what came first, per query
    assert sum(c.value == "ranked first" for c in at.caption) == 10


def test_comparison_of_two_versions(two_model_home, monkeypatch):
    at = _tab(_open(monkeypatch, two_model_home), "Compare models")
    assert at.selectbox(key="quality-compare-a").value == "lit-v1"
    assert at.selectbox(key="quality-compare-b").value == "lit-v2"
    values = {m.label: m.value for m in at.metric}
    assert int(values["Better in B"]) + int(values["Worse in B"]) + int(values["Same"]) == int(values["Queries"])
    r1 = next(m for m in at.metric if m.label.startswith("R@1 of B (A: "))
    assert r1.value == values["R@1"]  # B is the latest model, the one the headline shows
    assert len(at.dataframe) == 2  # biggest wins and losses
    paired = next(c.value for c in at.caption if c.value.startswith("B vs A on the same"))
    assert f"same {values['Queries']} test-split queries" in paired and "R@1 change " in paired and "(95% CI " in paired
    at.selectbox(key="quality-compare-a").set_value("lit-v2").run()
    assert not at.exception and "two different versions" in at.warning[0].value


def test_analyst_query(two_model_home, monkeypatch):
    at = _tab(_open(monkeypatch, two_model_home), "Ask a query")
    assert "Type a query" in at.info[0].value
    at.text_input(key="quality-query").input("red shirt").run()
    assert not at.exception and not at.error
    assert len(at.get("image")) == 12
    assert any(c.value.startswith("No expected products chosen") for c in at.caption)

    settings = Settings.from_env(env={}, home=two_model_home)
    catalog = load_catalog(settings)
    product = catalog[catalog["split"] == "test"].iloc[0]
    at.text_input(key="quality-ids").input(str(product["id"])).run()
    assert not at.exception and not at.error
    summary = next(c.value for c in at.caption if "expected product(s)" in c.value)
    assert summary.startswith("1 expected product(s) among the test split")
    assert at.dataframe[0].value["id"].tolist() == [product["id"]]

    train_id = int(catalog[catalog["split"] == "train"]["id"].iloc[0])
    at.text_input(key="quality-ids").input(str(train_id)).run()
    assert "not in the test split" in at.error[0].value
    at.radio(key="quality-scope").set_value("catalogue").run()
    assert not at.exception and not at.error
    assert any("among the whole catalogue" in c.value for c in at.caption)

    at.text_input(key="quality-ids").input("99999999").run()
    assert at.error[0].value == "unknown product id(s): 99999999"
    at.text_input(key="quality-ids").input("12x").run()
    assert "not a product id: 12x" in at.error[0].value
    at.text_input(key="quality-ids").input("").run()
    at.text_input(key="quality-name").input("zzz-no-such-name").run()
    assert "matches name contains 'zzz-no-such-name'" in at.error[0].value
    at.text_input(key="quality-query").input("   ").run()
    assert not at.error and "Type a query" in at.info[0].value


def test_one_model_hides_the_comparison(built_demo_home, tmp_path, monkeypatch):
    home = copy_home(built_demo_home, tmp_path / "home")
    at = _tab(_open(monkeypatch, home), "Compare models")
    assert "Only one model version (lit-v1)" in at.info[0].value
    assert not any(m.label == "Better in B" for m in at.metric)
    at.selectbox(key="quality-split").set_value("valid").run()
    at.radio(key="quality-gallery").set_value("catalogue").run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Median rank"].endswith(" of 300")  # ranked among every demo product
    assert (home / "cache" / "quality").is_dir() and not (built_demo_home / "cache" / "quality").exists()
