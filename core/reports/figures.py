"""Retrieval figures as a screen shows them: each R@k with its query count, gallery size, 95%
interval (below :data:`~core.model.intervals.INTERVAL_BELOW` queries) and an "indicative" mark
(below :data:`~core.model.intervals.INDICATIVE_BELOW`), and the attribute re-scoring verdict with
both figures (cosine alone and re-scored) and the split each comes from.

Reads what training wrote into a model card (``core.model.train``) or a per-query table; computes
an interval only from per-query ranks it is given. Trade-off accepted: cards written before the
intervals existed still render, saying what they do not record ("interval not recorded", "query
count and gallery size unknown") rather than recomputing anything on a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.model.intervals import INDICATIVE_BELOW, INTERVAL_BELOW, METRIC_NAMES, rank_intervals, signed
from core.model.ranking import metrics_from_ranks

SPLIT_NAMES = {"test": "Test split", "valid": "Validation split", "train": "Training split", "all": "Whole catalogue"}


def interval_text(low: float, high: float) -> str:
    """``0.692–0.962``: an interval of two figures in [0, 1]."""
    return f"{low:.3f}–{high:.3f}"


@dataclass(frozen=True)
class Figures:
    """Text→image figures of one split, one way of scoring, with what they rest on."""

    split: str
    values: dict[str, float]  # "r1", "r10", "mrr10" (those known)
    queries: int | None = None
    gallery: int | None = None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    scoring: str = ""  # "cosine alone", "re-scored, weight 0.05", or "" when it does not apply

    @classmethod
    def from_summary(cls, data: dict[str, Any] | None, split: str | None = None, scoring: str = "") -> "Figures | None":
        """From a card's summary (``core.model.intervals.summary`` / ``train.test_summary``); None when empty."""
        if not data or data.get("r1") is None:
            return None
        return cls(split=split or data.get("split", "test"),
                   values={m: float(data[m]) for m in METRIC_NAMES if isinstance(data.get(m), (int, float))},
                   queries=data.get("queries"), gallery=data.get("gallery"),
                   intervals={m: tuple(ci) for m, ci in (data.get("intervals") or {}).items()}, scoring=scoring)

    @classmethod
    def from_ranks(cls, ranks: np.ndarray, split: str, gallery: int, scoring: str = "") -> "Figures":
        """From per-query ranks (a per-query table's ``rank`` column): intervals computed here."""
        figures = metrics_from_ranks(np.asarray(ranks))
        return cls(split=split, values={m: figures[m] for m in METRIC_NAMES}, queries=int(figures["queries"]),
                   gallery=int(gallery), intervals={m: tuple(ci) for m, ci in rank_intervals(ranks).items()},
                   scoring=scoring)

    @property
    def indicative(self) -> bool:
        return self.queries is not None and self.queries < INDICATIVE_BELOW

    def value(self, metric: str) -> str:
        """``0.846``, or ``–`` when the figure is not known."""
        return f"{self.values[metric]:.3f}" if metric in self.values else "–"

    def figure(self, metric: str) -> str:
        """``R@1 0.846 (95% CI 0.692–0.962)``; the interval only below INTERVAL_BELOW queries."""
        text = f"{METRIC_NAMES[metric]} {self.value(metric)}"
        if self.queries is not None and self.queries >= INTERVAL_BELOW:
            return text
        ci = self.intervals.get(metric)
        return text + (f" (95% CI {interval_text(*ci)})" if ci else " (interval not recorded)")

    def sample(self) -> str:
        """``26 queries, 32 images · indicative (fewer than 100 queries)``."""
        if self.queries is None or self.gallery is None:
            return "query count and gallery size unknown (a card from an older version)"
        text = f"{self.queries:,} queries, {self.gallery:,} images"
        return text + (f" · indicative (fewer than {INDICATIVE_BELOW} queries)" if self.indicative else "")

    def body(self, metrics: tuple[str, ...] = ("r1", "r10")) -> str:
        """``R@1 0.885 (95% CI …) · R@10 … · 26 queries, 32 images · indicative …``."""
        return " · ".join([*(self.figure(m) for m in metrics if m in self.values), self.sample()])

    def describe(self, metrics: tuple[str, ...] = ("r1", "r10")) -> str:
        """``Test split, cosine alone: `` then :meth:`body`."""
        head = SPLIT_NAMES.get(self.split, self.split) + (f", {self.scoring}" if self.scoring else "")
        return f"{head}: {self.body(metrics)}"


@dataclass(frozen=True)
class Rescoring:
    """Whether attribute re-scoring earned its place, with both test figures and the valid evidence."""

    weight: float
    candidate: float | None
    reason: str
    cosine: Figures | None  # test split, the cosine alone
    rescored: Figures | None  # test split, re-scored with the candidate weight
    valid_cosine: Figures | None = None
    valid_rescored: Figures | None = None

    @property
    def on(self) -> bool:
        return self.weight > 0

    def describe(self) -> str:
        """One paragraph: the decision and its reason, then both figures on valid and on test, each
        split with its queries and images; ends with what search uses."""
        lines = [f"Attribute re-scoring {'on' if self.on else 'off'}: {self.reason}."]
        for split, metric, cosine, rescored in (("valid", "mrr10", self.valid_cosine, self.valid_rescored),
                                                 ("test", "r1", self.cosine, self.rescored)):
            if cosine and rescored:
                sample = f" ({cosine.queries:,} queries, {cosine.gallery:,} images)" if cosine.queries and cosine.gallery else ""
                lines.append(f"{SPLIT_NAMES[split]}{sample}: {METRIC_NAMES[metric]} {cosine.value(metric)} with the cosine "
                             f"alone, {rescored.value(metric)} re-scored with weight {self.candidate:g}.")
        lines.append("Search uses the re-scored ranking." if self.on else "Search uses the cosine alone.")
        return " ".join(lines)


def served_figures(card: dict[str, Any]) -> Figures | None:
    """The test figures of what search serves (re-scored when the weight is on, else the cosine alone)."""
    info = card.get("rescoring") or {}
    scoring = "" if not info else (f"re-scored, weight {info['weight']:g}" if info.get("weight") else "cosine alone")
    if card.get("figures_from"):  # a model trained on every labelled product: the figures are its split twin's
        scoring = ", ".join(filter(None, [scoring, f"measured on {card['figures_from'].get('model')} (the train split only)"]))
    test = card.get("test_after") or {}
    if test.get("text_to_image"):
        t2i = test["text_to_image"]
        return Figures.from_summary({**t2i, "queries": t2i.get("queries", test.get("queries")),
                                     "gallery": test.get("products"),
                                     "intervals": (test.get("intervals") or {}).get("text_to_image")}, "test", scoring)
    after = card.get("metrics_after") or {}
    if "t2i_r1" not in after:
        return None
    return Figures(split="test", values={m: after[f"t2i_{m}"] for m in METRIC_NAMES if f"t2i_{m}" in after},
                   scoring=scoring)


def rescoring_verdict(card: dict[str, Any]) -> Rescoring | None:
    """The re-scoring decision a card records; None for models without attribute classifiers."""
    info = card.get("rescoring")
    if not info:
        return None
    weight = float(info.get("weight") or 0.0)
    candidate = info.get("candidate", weight)
    cosine = Figures.from_summary(info.get("test_cosine"), "test", "cosine alone")
    if cosine is None and (info.get("test_after_cosine_only") or {}).get("t2i_r1") is not None:  # an older card
        old = info["test_after_cosine_only"]
        cosine = Figures("test", {m: old[f"t2i_{m}"] for m in METRIC_NAMES if f"t2i_{m}" in old}, scoring="cosine alone")
    rescored = Figures.from_summary(info.get("test_rescored"), "test", f"re-scored, weight {candidate:g}")
    if rescored is None and weight > 0:  # an older card: the served figures are the re-scored ones
        rescored = served_figures(card)
    reason = info.get("reason") or f"weight {weight:g} chosen by {info.get('chosen_by', 'valid MRR@10')} (no noise test recorded)"
    return Rescoring(weight=weight, candidate=candidate if candidate else None, reason=reason, cosine=cosine,
                     rescored=rescored,
                     valid_cosine=Figures.from_summary(info.get("valid_cosine"), "valid", "cosine alone"),
                     valid_rescored=Figures.from_summary(info.get("valid_rescored"), "valid",
                                                         f"re-scored, weight {candidate:g}" if candidate else ""))


def gain_text(gain: dict[str, Any]) -> str:
    """``R@1 change +0.038 (95% CI −0.077 to +0.154)`` from :func:`core.model.intervals.paired_gain`."""
    name = METRIC_NAMES.get(gain["metric"], gain["metric"])
    low, high = gain["ci"]
    verdict = "beyond the noise" if low > 0 or high < 0 else "within noise"
    return f"{name} change {signed(gain['value'])} (95% CI {signed(low)} to {signed(high)}): {verdict}"


def trained_on_notice(card: dict[str, Any]) -> str | None:
    """What it means to measure a model trained on every labelled product; None for a split model."""
    source = card.get("figures_from")
    if not source:
        return None
    return (f"{card.get('version', 'This model')} was trained on every labelled product, valid and test splits included: "
            f"figures measured with it here are on products it has seen, so they are optimistic. Its card's figures come "
            f"from {source.get('model')}, the same recipe trained on the train split alone.")
