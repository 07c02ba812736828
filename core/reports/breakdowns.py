"""What the Retrieval quality screen derives from a per-query table: headline figures, breakdowns
per group / article type / colour / gender, the rank distribution, the worst queries, and base vs
fine-tuned query by query.

Pure pandas over :func:`core.reports.quality.per_query_table`'s tables; the figures are computed by
``core.model.evaluate.metrics_from_ranks``, so they equal the evaluation's, and their 95% intervals
by ``core.model.intervals`` (bootstrap over queries). Trade-off accepted: breakdown rows with few
queries are kept, marked ``indicative`` (fewer than :data:`SMALL` queries) with their interval,
rather than hidden.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import FashionError
from core.model.evaluate import metrics_from_ranks
from core.model.intervals import INDICATIVE_BELOW, INTERVAL_BELOW, paired_gain, rank_intervals
from core.model.registry import versions
from core.reports.figures import Figures, interval_text
from core.reports.quality import ATTRIBUTES

BUCKETS = (("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11-50", 11, 50), ("51-100", 51, 100),
           (">100", 101, None))
SMALL = INDICATIVE_BELOW
"""Breakdown rows with fewer queries than this are marked ``indicative``: their figures are noisy."""


def overall(table: pd.DataFrame, k: int = 10) -> dict[str, float]:
    """R@1, R@k, MRR@k (as ``core.model.evaluate``), the query count and the median rank."""
    figures = metrics_from_ranks(table["rank"].to_numpy(), k)
    found = table["rank"][table["rank"] > 0]
    figures["median_rank"] = float(found.median()) if len(found) else float("nan")
    return figures


def figures(table: pd.DataFrame, split: str, gallery_size: int, scoring: str = "") -> Figures:
    """The table's R@1, R@10, MRR@10 with queries, gallery size and 95% intervals, as screens show them."""
    return Figures.from_ranks(table["rank"].to_numpy(), split, gallery_size, scoring)


def _interval_columns(part: pd.DataFrame, k: int) -> dict[str, str]:
    """``{"r1_ci": ..., "r<k>_ci": ...}`` from one bootstrap of the part (blank from INTERVAL_BELOW queries up)."""
    metrics = ("r1", f"r{k}")
    if len(part) >= INTERVAL_BELOW:
        return {f"{metric}_ci": "" for metric in metrics}
    intervals = rank_intervals(part["rank"].to_numpy(), k)
    return {f"{metric}_ci": interval_text(*intervals[metric]) for metric in metrics}


def breakdown(table: pd.DataFrame, by: str, *, k: int = 10, small: int = SMALL) -> pd.DataFrame:
    """One row per value of ``by``: queries, R@1 and R@k each with its 95% interval (``r1_ci``,
    ``r<k>_ci``: text, blank from INTERVAL_BELOW queries up), MRR@k, median rank, ``indicative`` flag.

    Sorted by query count (largest first), then by value.
    """
    if by not in ATTRIBUTES:
        raise FashionError(f"cannot break down by {by!r}: choose {', '.join(ATTRIBUTES)}")
    rows = [{by: value, **overall(part, k), **_interval_columns(part, k)} for value, part in table.groupby(by, sort=True)]
    frame = pd.DataFrame(rows, columns=[by, "r1", f"r{k}", f"mrr{k}", "queries", "median_rank", "r1_ci", f"r{k}_ci"])
    frame["queries"] = frame["queries"].astype(int)
    frame["indicative"] = frame["queries"] < small
    frame = frame.sort_values(["queries", by], ascending=[False, True], kind="stable")
    return frame[[by, "queries", "r1", "r1_ci", f"r{k}", f"r{k}_ci", f"mrr{k}", "median_rank", "indicative"]].reset_index(drop=True)


def rank_bucket(rank: int) -> str:
    """The histogram bucket of a 1-based rank ("not found" for 0)."""
    for label, low, high in BUCKETS:
        if rank >= low and (high is None or rank <= high):
            return label
    return "not found"


def rank_distribution(table: pd.DataFrame) -> pd.DataFrame:
    """Queries per rank bucket (1, 2-5, 6-10, 11-50, 51-100, >100; "not found" only when any)."""
    labels = [label for label, _, _ in BUCKETS]
    buckets = table["rank"].map(rank_bucket)
    if (buckets == "not found").any():
        labels.append("not found")
    counts = buckets.value_counts().reindex(labels, fill_value=0)
    frame = pd.DataFrame({"bucket": labels, "queries": counts.to_numpy().astype(int)})
    frame["share"] = frame["queries"] / max(len(table), 1)
    return frame


def _worst_first(table: pd.DataFrame) -> pd.Series:
    return table["rank"].where(table["rank"] > 0, np.iinfo(np.int64).max)  # "not found" is worst


def worst_queries(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` queries whose relevant product ranks lowest; ties by query text."""
    order = table.assign(_key=_worst_first(table)).sort_values(["_key", "query"], ascending=[False, True], kind="stable")
    return order.drop(columns="_key").head(n).reset_index(drop=True)


# -- base vs fine-tuned -------------------------------------------------------------------------
def compare(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per query found in both tables: ``rank_a`` (base), ``rank_b`` (other), ``gain`` = places
    the other model moved the relevant product up (positive = better, negative = worse, 0 also
    when either table has no relevant product for the query). Attributes are the base's."""
    keep = ["query", "rank", "relevant_id", "top_id", "top_name", *ATTRIBUTES]
    merged = base[keep].merge(other[keep[:5]], on="query", suffixes=("_a", "_b"), validate="one_to_one")
    both = (merged["rank_a"] > 0) & (merged["rank_b"] > 0)
    merged["gain"] = np.where(both, merged["rank_a"] - merged["rank_b"], 0)
    merged["outcome"] = np.select([merged["gain"] > 0, merged["gain"] < 0], ["better", "worse"], "same")
    return merged


def comparison_summary(comparison: pd.DataFrame, k: int = 10) -> dict[str, float]:
    """Counts of better / worse / same queries, both models' R@1, R@k, MRR@k on them, and the
    paired-bootstrap gain of B over A in R@1 and MRR@k (``r1_gain``, ``mrr<k>_gain``: value, 95% CI)."""
    counts = comparison["outcome"].value_counts()
    ranks_a, ranks_b = comparison["rank_a"].to_numpy(), comparison["rank_b"].to_numpy()
    a, b = metrics_from_ranks(ranks_a, k), metrics_from_ranks(ranks_b, k)
    return {
        "queries": int(len(comparison)),
        **{outcome: int(counts.get(outcome, 0)) for outcome in ("better", "worse", "same")},
        **{f"{key}_a": a[key] for key in ("r1", f"r{k}", f"mrr{k}")},
        **{f"{key}_b": b[key] for key in ("r1", f"r{k}", f"mrr{k}")},
        **{f"{key}_gain": paired_gain(ranks_a, ranks_b, key) for key in ("r1", f"mrr{k}")},
    }


def biggest_changes(comparison: pd.DataFrame, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(wins, losses)``: the ``n`` largest gains and the ``n`` largest drops; ties by query text."""
    wins = comparison[comparison["gain"] > 0].sort_values(["gain", "query"], ascending=[False, True], kind="stable")
    losses = comparison[comparison["gain"] < 0].sort_values(["gain", "query"], ascending=[True, True], kind="stable")
    return wins.head(n).reset_index(drop=True), losses.head(n).reset_index(drop=True)


def default_comparison(models_dir: Path, latest: Path | None) -> tuple[Path, Path] | None:
    """``(base, latest)``: the latest model and the version registered just before it (the next
    one when it is the oldest); None when there is only one version. Only registered versions are
    candidates: a lit model's untrained heads are random and meaningless as a base."""
    found = versions(Path(models_dir))
    if latest is None or len(found) < 2:
        return None
    resolved = [v.resolve() for v in found]
    latest = Path(latest).resolve()
    at = resolved.index(latest) if latest in resolved else len(found)
    others = found[:at] + found[at + 1 :]
    return (found[at - 1] if at > 0 else others[0]), latest
