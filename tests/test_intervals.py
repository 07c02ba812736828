"""Bootstrap intervals over queries, the paired gain, and the re-scoring weight that must beat the noise."""

from __future__ import annotations

import numpy as np
import pytest

from core.model.intervals import (bootstrap_interval, outward, decide_weight, paired_gain, per_query, rank_intervals, signed,
                                  summary)
from core.reports.figures import Figures, rescoring_verdict, served_figures


def test_per_query_scores_from_ranks():
    ranks = np.array([1, 2, 11, 0])
    assert per_query(ranks, "r1").tolist() == [1, 0, 0, 0]
    assert per_query(ranks, "r10").tolist() == [1, 1, 0, 0]
    assert per_query(ranks, "mrr10").tolist() == [1, 0.5, 0, 0]
    with pytest.raises(ValueError):
        per_query(ranks, "p1")


def test_interval_is_deterministic_contains_the_mean_and_shrinks_with_more_queries():
    rng = np.random.default_rng(1)
    small = (rng.random(26) < 0.85).astype(float)
    low, high = bootstrap_interval(small)
    assert (low, high) == bootstrap_interval(small)  # fixed seed: every screen shows the same interval
    assert low <= small.mean() <= high and 0 <= low < high <= 1
    large = np.tile(small, 40)
    big_low, big_high = bootstrap_interval(large)
    assert big_high - big_low < (high - low) / 4
    assert bootstrap_interval(np.ones(10)) == (1.0, 1.0)
    assert all(np.isnan(bootstrap_interval([])))


def test_summary_keeps_counts_gallery_and_intervals():
    ranks = np.array([1] * 22 + [2] * 4)
    figures = summary(ranks, 32, "test")
    assert figures["queries"] == 26 and figures["gallery"] == 32 and figures["r1"] == pytest.approx(22 / 26, abs=1e-4)
    assert set(figures["intervals"]) == {"r1", "r10", "mrr10"} and figures["intervals"]["r10"] == [1.0, 1.0]
    assert rank_intervals(ranks)["r1"][0] < figures["r1"] < rank_intervals(ranks)["r1"][1]


def test_paired_gain_sees_a_consistent_small_gain_that_two_intervals_would_miss():
    base = np.array([2] * 200 + [1] * 200)
    better = base.copy()
    better[:30] = 1  # 30 of 400 queries move up to rank 1, none moves down
    gain = paired_gain(base, better, "r1")
    assert gain["value"] == pytest.approx(30 / 400) and gain["ci"][0] > 0 and gain["queries"] == 400


def noisy_ranks(seed: int, n: int = 30):
    """Valid ranks where a weight swaps a few queries up and as many down: a gain that is noise."""
    rng = np.random.default_rng(seed)
    cosine = rng.choice([1, 1, 1, 2, 3, 12], size=n)
    rescored = cosine.copy()
    up, down = rng.choice(n, size=6, replace=False).reshape(2, 3)
    rescored[up], rescored[down] = 1, cosine[down] + 2
    return cosine, rescored


def test_weight_is_zero_when_the_gain_is_noise():
    cosine, rescored = noisy_ranks(0)
    gain = (per_query(rescored, "mrr10") - per_query(cosine, "mrr10")).mean()
    assert gain > 0  # the best weight does look better on valid…
    decision = decide_weight({0.0: cosine, 0.02: cosine, 0.05: rescored})
    assert decision["candidate"] == 0.05 and decision["weight"] == 0.0 and not decision["kept"]
    assert decision["gain"]["ci"][0] <= 0 < decision["gain"]["ci"][1]  # …but not beyond its noise
    assert decision["reason"].startswith("weight 0.05 gains +") and decision["reason"].endswith("within noise, weight 0")
    assert "95% CI −" in decision["reason"] and "30 queries" in decision["reason"]


def test_weight_is_kept_when_it_clearly_helps():
    cosine = np.array([2, 3, 1, 5, 1, 2, 4, 1, 2, 3] * 10)
    rescored = np.where(cosine > 1, cosine - 1, 1)  # every query that can move up does
    decision = decide_weight({0.0: cosine, 0.01: np.where(cosine == 2, 1, cosine), 0.05: rescored})
    assert decision["weight"] == 0.05 and decision["kept"] and decision["gain"]["ci"][0] > 0
    assert decision["reason"].endswith("beyond the noise, kept")


def test_no_weight_beating_the_cosine_means_weight_zero():
    cosine = np.array([1, 2, 1, 1])
    decision = decide_weight({0.0: cosine, 0.05: cosine + 1})
    assert decision == {"weight": 0.0, "candidate": 0.0, "metric": "mrr10", "gain": None, "kept": False,
                        "reason": "no weight beat the cosine alone on valid MRR@10: weight 0"}
    with pytest.raises(ValueError, match="weight 0"):
        decide_weight({0.05: cosine})


def test_signed_uses_a_real_minus_sign():
    assert (signed(0.0123), signed(-0.01), signed(-0.0001)) == ("+0.012", "−0.010", "0.000")


@pytest.mark.parametrize("queries, shows_interval, indicative", [(26, True, True), (120, True, False), (600, False, False)])
def test_figures_text_follows_the_thresholds(queries, shows_interval, indicative):
    figures = Figures("test", {"r1": 0.846, "r10": 1.0}, queries, 32, {"r1": (0.692, 0.962), "r10": (1.0, 1.0)}, "cosine alone")
    text = figures.describe()
    assert text.startswith("Test split, cosine alone: R@1 0.846")
    assert ("(95% CI 0.692–0.962)" in text) == shows_interval and ("indicative" in text) == indicative
    assert f"{queries:,} queries, 32 images" in text


def test_an_older_card_renders_with_counts_unknown():
    card = {"metrics_after": {"t2i_r1": 0.846, "t2i_r10": 1.0}, "rescoring": {"weight": 0.05, "valid": {}}}
    figures = served_figures(card)
    assert figures.value("r1") == "0.846" and figures.queries is None
    assert "R@1 0.846 (interval not recorded)" in figures.describe()
    assert "query count and gallery size unknown" in figures.describe()
    assert rescoring_verdict(card).weight == 0.05 and "no noise test recorded" in rescoring_verdict(card).reason
    assert served_figures({}) is None and rescoring_verdict({}) is None


def test_a_rounded_interval_still_holds_its_rounded_and_unrounded_figure():
    third = 1 / 3
    assert outward((third, third)) == [0.3333, 0.3334]  # round() would end it at 0.3333 < 1/3
    assert outward((0.1, 0.5)) == [0.1, 0.5]  # exact values stay put despite 0.1 * 1e4 = 1000.0000000000001
    low, high = outward(bootstrap_interval([third] * 5))
    assert low <= third <= high and low <= round(third, 4) <= high
