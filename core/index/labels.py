"""Search filters in the words a person reads: "Group: Bags & wallets", not ``group=bags``.

``Filters.describe()`` (``colour=Red, price<=2000``) is the command line's spelling: it mirrors the
flags. The screens show :func:`describe_filters` instead, and explain an empty result with
:func:`explain_empty_in_words`, which names the filter (or the pair of filters) that selects
nothing, the same search as ``core.index.filters.explain_empty`` with labels instead of keys.
Pure: the caller says whether a ``where`` clause matches anything.
"""

from __future__ import annotations

from collections.abc import Callable

from core.data.groups import GROUP_LABELS
from core.index.filters import CATEGORICAL, Filters, clauses, emptying_filters
from core.understanding.request import inr

FIELD_LABELS = {"gender": "Gender", "group": "Group", "article_type": "Article type", "colours": "Colour",
                "season": "Season", "usage": "Usage", "tags": "Tag"}


def value_label(name: str, value: str) -> str:
    """One filter value as shown: groups by their label (``"bags"`` → ``"Bags & wallets"``)."""
    return GROUP_LABELS.get(value, value) if name == "group" else str(value)


def price_label(low: int | None, high: int | None) -> str:
    """``"₹500 – ₹1,500"``, ``"from ₹500"``, ``"up to ₹1,500"`` (empty when neither is set)."""
    if low is not None and high is not None:
        return f"{inr(low)} – {inr(high)}"
    if low is not None:
        return f"from {inr(low)}"
    return f"up to {inr(high)}" if high is not None else ""


def filter_labels(filters: Filters) -> list[str]:
    """One label per active filter: ``["Gender: Men", "Group: Bags & wallets", "Price: up to ₹1,500"]``."""
    out = []
    for name in CATEGORICAL:
        values = getattr(filters, name)
        if values:
            out.append(f"{FIELD_LABELS[name]}: {' or '.join(value_label(name, v) for v in values)}")
    if filters.min_price is not None or filters.max_price is not None:
        out.append(f"Price: {price_label(filters.min_price, filters.max_price)}")
    if filters.tags:
        out.append(f"{FIELD_LABELS['tags']}: {' or '.join(filters.tags)}")
    return out


def describe_filters(filters: Filters) -> str:
    """``"Gender: Men · Group: Bags & wallets"``, or ``"none"``."""
    return " · ".join(filter_labels(filters)) or "none"


def _clauses_in_words(filters: Filters) -> list[tuple[str, dict]]:
    """``core.index.filters.clauses`` with each clause labelled in words (same order, same clauses)."""
    labels = [f"{FIELD_LABELS[name]} {' or '.join(value_label(name, v) for v in getattr(filters, name))}"
              for name in CATEGORICAL if getattr(filters, name)]
    labels += [f"price {price_label(filters.min_price, None)}"] if filters.min_price is not None else []
    labels += [f"price {price_label(None, filters.max_price)}"] if filters.max_price is not None else []
    return [(label, clause) for label, (_, clause) in zip(labels, clauses(filters))]


def explain_empty_in_words(filters: Filters, matches: Callable[[dict | None], bool]) -> str:
    """Why ``filters`` select nothing, naming the filter to change.

    ``"no product has Article type Heels"`` when one filter matches nothing on its own, else
    ``"no product has both Gender Men and Article type Heels"`` for the first pair that conflicts.
    """
    match emptying_filters(_clauses_in_words(filters), matches):
        case ():
            return "the index is empty"
        case (label,):
            return f"no product has {label}"
        case (label_a, label_b):
            return f"no product has both {label_a} and {label_b}"
    return f"no product matches all of: {describe_filters(filters)}"
