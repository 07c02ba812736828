"""How sure a retrieval figure is: percentile bootstrap over queries, and the paired test that
decides whether a change (attribute re-scoring, another model) beats the noise of its queries.

Recall@k and MRR@k are means over queries of a per-query score (a hit, a reciprocal rank), so
their uncertainty is the spread of that mean when the queries are drawn again with replacement.
Two rankings of the SAME queries are compared through the per-query differences, resampled in
pairs: far tighter than two separate intervals, and the right test for "does the weight help".

Trade-off accepted: a percentile bootstrap with a fixed seed and :data:`RESAMPLES` draws (every
screen shows the same figures for the same ranks; the interval of a 26-query figure moves by about
0.01 between seeds), and the queries are treated as independent, which ignores that near-duplicate
names are correlated, so intervals err on the narrow side. Choosing the best of several weights
and then testing it against the cosine alone favours the winner a little; requiring the lower
bound of the gain to clear zero keeps that in check on small valid splits.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from core.model.ranking import metrics_from_ranks

RESAMPLES = 1000
SEED = 0
LEVEL = 0.95
INTERVAL_BELOW = 500
"""Figures from fewer queries than this are shown with their 95% interval."""
INDICATIVE_BELOW = 100
"""Figures from fewer queries than this are marked indicative."""
METRICS = ("r1", "r10", "mrr10")
METRIC_NAMES = {"r1": "R@1", "r10": "R@10", "mrr10": "MRR@10"}
_DRAWS_PER_BLOCK = 4_000_000  # resampled indices held at once (32 MB of int64)


def per_query(ranks: np.ndarray, metric: str, k: int = 10) -> np.ndarray:
    """Each query's share of ``metric`` ("r1", "r<k>", "mrr<k>") from 1-based ranks (0 = not found)."""
    ranks = np.asarray(ranks, dtype=np.int64)
    found = ranks >= 1
    if metric == "r1":
        return (ranks == 1).astype(float)
    if metric == f"r{k}":
        return (found & (ranks <= k)).astype(float)
    if metric == f"mrr{k}":
        return np.where(found & (ranks <= k), 1.0 / np.maximum(ranks, 1), 0.0)
    raise ValueError(f"unknown metric {metric!r}: choose r1, r{k} or mrr{k}")


def bootstrap_interval(values, *, resamples: int = RESAMPLES, seed: int = SEED, level: float = LEVEL) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean of ``values`` (one value per query).

    >>> bootstrap_interval([1, 1, 0, 1])  # doctest: +SKIP
    (0.5, 1.0)
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    step = max(1, _DRAWS_PER_BLOCK // n)
    for start in range(0, resamples, step):
        m = min(step, resamples - start)
        means[start : start + m] = values[rng.integers(0, n, (m, n))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(low), float(high)


def outward(interval: tuple[float, float], digits: int = 4) -> list[float]:
    """``interval`` rounded outward to ``digits`` (low down, high up), so it still holds the figure it
    qualifies once both are shown rounded (an interval of one point, 1/3, must not end below 1/3)."""
    scale = 10**digits
    low, high = (round(x * scale, 6) for x in interval)  # 0.1 * 1e4 is 1000.0000000000001: not 1001
    return [math.floor(low) / scale, math.ceil(high) / scale]


def rank_intervals(ranks: np.ndarray, k: int = 10) -> dict[str, list[float]]:
    """``{"r1": [low, high], "r<k>": ..., "mrr<k>": ...}``: 95% intervals from per-query ranks."""
    return {metric: outward(bootstrap_interval(per_query(ranks, metric, k)))
            for metric in ("r1", f"r{k}", f"mrr{k}")}


def summary(ranks: np.ndarray, gallery: int, split: str, k: int = 10) -> dict[str, Any]:
    """What a card keeps of one ranking: R@1, R@k, MRR@k, queries, gallery size and their intervals."""
    figures = {key: (round(value, 4) if isinstance(value, float) else value)
               for key, value in metrics_from_ranks(ranks, k).items()}
    return {"split": split, **figures, "gallery": int(gallery), "intervals": rank_intervals(ranks, k)}


def paired_gain(base: np.ndarray, new: np.ndarray, metric: str = "mrr10") -> dict[str, Any]:
    """Mean per-query gain of ``new`` over ``base`` (ranks of the same queries) with its paired
    bootstrap 95% interval: ``{"metric", "value", "ci": [low, high], "queries"}``."""
    difference = per_query(new, metric) - per_query(base, metric)
    low, high = bootstrap_interval(difference)
    value = float(difference.mean()) if len(difference) else 0.0
    return {"metric": metric, "value": round(value, 4), "ci": outward((low, high)), "queries": int(len(difference))}


def signed(value: float) -> str:
    """``+0.012`` / ``−0.010`` (a real minus sign) / ``0.000``."""
    text = f"{value:+.3f}"
    return "0.000" if text in ("+0.000", "-0.000") else text.replace("-", "−")


def decide_weight(ranks_by_weight: Mapping[float, np.ndarray], metric: str = "mrr10") -> dict[str, Any]:
    """The re-scoring weight that earns its place on valid, from each candidate's per-query ranks.

    The candidate is the weight with the best mean ``metric`` (ties: the smaller). It is kept only
    when the lower bound of the paired 95% interval of its gain over weight 0 (the cosine alone)
    is above zero; otherwise the weight is 0. Returns ``{"weight", "candidate", "metric", "gain",
    "kept", "reason"}``.
    """
    if 0.0 not in ranks_by_weight:
        raise ValueError("the cosine alone (weight 0) must be among the candidates")
    means = {float(w): float(per_query(r, metric).mean()) if len(r) else 0.0 for w, r in ranks_by_weight.items()}
    candidate = max(means, key=lambda w: (round(means[w], 6), -w))
    name = METRIC_NAMES.get(metric, metric)
    if candidate == 0.0:
        return {"weight": 0.0, "candidate": 0.0, "metric": metric, "gain": None, "kept": False,
                "reason": f"no weight beat the cosine alone on valid {name}: weight 0"}
    gain = paired_gain(ranks_by_weight[0.0], ranks_by_weight[candidate], metric)
    kept = gain["ci"][0] > 0
    verdict = "beyond the noise, kept" if kept else "within noise, weight 0"
    reason = (f"weight {candidate:g} gains {signed(gain['value'])} valid {name} over the cosine alone "
              f"(95% CI {signed(gain['ci'][0])} to {signed(gain['ci'][1])}, {gain['queries']:,} queries): {verdict}")
    return {"weight": candidate if kept else 0.0, "candidate": candidate, "metric": metric, "gain": gain,
            "kept": kept, "reason": reason}
