"""AppTests of "the dashboard tells the truth" about its figures: every R@k with its query count,
gallery size and 95% interval (indicative under 100 queries), the re-scoring weight at 0 when its
gain is noise with both figures shown, readable labels, and older cards that still render."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.data.groups import GROUP_LABELS
from core.model.intervals import decide_weight, summary
from core.model.registry import CARD_FILE, latest_model, read_card
from core.reports.figures import served_figures
from tests.homes import copy_home
from tests.test_intervals import noisy_ranks

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _open(monkeypatch, home: Path, page: str | None = None) -> AppTest:
    monkeypatch.setenv("FASHION_HOME", str(home))
    at = AppTest.from_file(HOME, default_timeout=180)
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _card(home: Path) -> tuple[Path, dict]:
    folder = latest_model(Settings.from_env(env={}, home=home))
    return folder, read_card(folder)


def _replace_card(folder: Path, card: dict) -> None:
    """A new card file (never written in place: copy_home hard-links the models folder)."""
    path = folder / CARD_FILE
    path.unlink()
    path.write_text(json.dumps(card))


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_home_headline_carries_queries_gallery_interval_and_indicative(built_demo_home, monkeypatch):
    at = _open(monkeypatch, built_demo_home)
    _, card = _card(built_demo_home)
    test = served_figures(card)
    values = {m.label: m.value for m in at.metric}
    assert values["Test R@1"] == test.value("r1") and values["Test R@10"] == test.value("r10")
    caption = next(c for c in _captions(at) if c.startswith("Test split"))
    assert caption == test.describe()
    data = card["data"]
    assert f"{data['test_queries']} queries, {data['test_images']} images" in caption
    low, high = card["test_after"]["intervals"]["text_to_image"]["r1"]
    assert f"R@1 {test.value('r1')} (95% CI {low:.3f}–{high:.3f})" in caption
    assert "indicative (fewer than 100 queries)" in caption  # the demo's test split has ~26 queries
    rescoring = next(c for c in _captions(at) if c.startswith("Attribute re-scoring"))
    assert "with the cosine alone" in rescoring and "Search uses" in rescoring


def test_demo_training_keeps_the_weight_only_beyond_the_noise(built_demo_home, monkeypatch):
    _, card = _card(built_demo_home)
    info = card["rescoring"]
    assert info["weight"] == (info["candidate"] if info["kept"] else 0.0)
    at = _open(monkeypatch, built_demo_home, "pages/training.py")
    text = " ".join(_captions(at))
    assert info["reason"] in text
    assert ("Search uses the re-scored ranking." if info["kept"] else "Search uses the cosine alone.") in text
    weights = next(d.value for d in at.dataframe if "Chosen" in d.value.columns)
    assert weights.loc[weights["Chosen"], "Weight"].tolist() == [info["weight"]]


def test_training_screen_reads_as_labels_with_figures_alike(built_demo_home, monkeypatch):
    at = _open(monkeypatch, built_demo_home, "pages/training.py")
    values = {m.label: m.value for m in at.metric}
    assert values["Best epoch"].isdigit()  # "4", not "4.0"
    curves = json.loads(at.get("plotly_chart")[1].proto.spec)
    legend = {trace["name"] for trace in curves["data"]}
    assert "Text→image R@1" in legend and not any("_" in name for name in legend)
    valid = next(c for c in _captions(at) if c.startswith("Validation split"))
    assert "best epoch" in valid and "R@1" in valid and "(95% CI " in valid and " queries, " in valid
    before_after = at.dataframe[0].value
    assert list(before_after.columns) == ["Metric", "Queries", "Gallery", "Before", "After", "After 95% CI", "Gain"]
    assert before_after["After 95% CI"].iloc[0] != ""
    groups = next(d for d in at.dataframe if "Group" in d.value.columns)
    assert set(groups.value["Group"]) <= set(GROUP_LABELS.values()) and "Queries" in groups.value.columns
    assert groups.value["Indicative"].all() and (groups.value["R@1 95% CI"] != "").all()
    formats = json.loads(groups.proto.columns)
    assert all(formats[c]["type_config"]["format"] == "%.3f" for c in ("R@1", "R@10", "MRR@10"))


def test_retrieval_quality_headline_and_breakdown_carry_intervals(built_demo_home, tmp_path, monkeypatch):
    home = copy_home(built_demo_home, tmp_path / "home")
    at = _open(monkeypatch, home, "pages/retrieval_quality.py")
    caption = next(c for c in _captions(at) if c.startswith("Test split"))
    assert "(95% CI " in caption and " images · indicative" in caption
    assert any(c.startswith("Attribute re-scoring") for c in _captions(at))
    breakdown = at.dataframe[0].value
    assert {"r1_ci", "r10_ci", "indicative"} <= set(breakdown.columns) and breakdown["indicative"].all()


@pytest.fixture
def noise_home(built_demo_home, tmp_path) -> Path:
    """A copy of the demo home whose card records a re-scoring weight that looked better on valid
    but whose gain was noise (decided by core.model.intervals.decide_weight on constructed ranks)."""
    home = copy_home(built_demo_home, tmp_path / "home")
    folder, card = _card(home)
    cosine, rescored = noisy_ranks(0)  # a few queries up, as many down: a gain on valid, all noise
    decision = decide_weight({0.0: cosine, 0.05: rescored})
    assert decision["candidate"] == 0.05 and decision["weight"] == 0.0
    test_cosine = summary(np.array([1] * 23 + [2] * 3), 32, "test")
    test_rescored = summary(np.array([1] * 22 + [2] * 4), 32, "test")
    card["rescoring"] = {**card["rescoring"], **decision,
                         "valid": {"0.0": summary(cosine, 34, "valid"), "0.05": summary(rescored, 34, "valid")},
                         "valid_cosine": summary(cosine, 34, "valid"), "valid_rescored": summary(rescored, 34, "valid"),
                         "test_cosine": test_cosine, "test_rescored": test_rescored}
    card["test_after"]["text_to_image"] = {k: test_cosine[k] for k in ("r1", "r10", "mrr10", "queries")}
    card["test_after"]["queries"], card["test_after"]["products"] = 26, 32
    card["test_after"]["intervals"]["text_to_image"] = test_cosine["intervals"]
    card["metrics_after"] = {**card["metrics_after"], "t2i_r1": round(test_cosine["r1"], 4)}
    _replace_card(folder, card)
    return home


def test_weight_is_zero_when_the_gain_is_noise_and_both_figures_show(noise_home, monkeypatch):
    home = _open(monkeypatch, noise_home)
    assert {m.label: m.value for m in home.metric}["Test R@1"] == "0.885"  # the cosine alone: what search serves
    headline = next(c for c in _captions(home) if c.startswith("Test split"))
    assert headline.startswith("Test split, cosine alone: R@1 0.885 (95% CI ")
    rescoring = next(c for c in _captions(home) if c.startswith("Attribute re-scoring"))
    assert rescoring.startswith("Attribute re-scoring off: weight 0.05 gains +")
    assert "within noise, weight 0." in rescoring and "30 queries" in rescoring
    assert "Validation split (30 queries, 34 images): MRR@10" in rescoring
    assert "Test split (26 queries, 32 images): R@1 0.885 with the cosine alone, 0.846 re-scored with weight 0.05" in rescoring
    assert rescoring.endswith("Search uses the cosine alone.")

    training = _open(monkeypatch, noise_home, "pages/training.py")
    text = " ".join(_captions(training))
    assert "Test split, re-scored, weight 0.05: R@1 0.846 (95% CI " in text and "within noise, weight 0" in text
    weights = next(d.value for d in training.dataframe if "Chosen" in d.value.columns)
    assert weights.loc[weights["Chosen"], "Weight"].tolist() == [0.0]


def test_an_older_card_still_renders_and_says_what_it_lacks(built_demo_home, tmp_path, monkeypatch):
    home = copy_home(built_demo_home, tmp_path / "home")
    folder, card = _card(home)
    old = {k: v for k, v in card.items() if k not in ("test_after", "test_before")}
    old["data"] = {k: v for k, v in card["data"].items() if not k.endswith(("_queries", "_images"))}
    old["rescoring"] = {k: card["rescoring"][k] for k in ("weight", "valid", "chosen_by", "test_after_cosine_only")}
    _replace_card(folder, old)
    at = _open(monkeypatch, home)
    caption = next(c for c in _captions(at) if c.startswith("Test split"))
    assert "(interval not recorded)" in caption and "query count and gallery size unknown" in caption
    assert any("no noise test recorded" in c for c in _captions(at))
    training = _open(monkeypatch, home, "pages/training.py")
    assert training.dataframe[0].value["Queries"].isna().all()
    assert any("query count and gallery size unknown" in c for c in _captions(training))
