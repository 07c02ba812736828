"""Catalogue exploration for the Dataset screen: the loading report as tables, price bands, and
attribute-filtered product selections. Pure pandas over prepare's outputs."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

from core.config import Settings
from core.errors import CatalogError

PRICE_BANDS: tuple[tuple[int, str], ...] = (
    (500, "under ₹500"), (1000, "₹500–999"), (2000, "₹1,000–1,999"), (5000, "₹2,000–4,999"), (10**9, "₹5,000 and up"),
)
PRICE_BAND_ORDER = tuple(label for _, label in PRICE_BANDS)


def load_report(settings: Settings) -> dict:
    if not settings.report_json.is_file():
        raise CatalogError(f"no preparation report at {settings.report_json}: run `python -m core prepare` first")
    return json.loads(settings.report_json.read_text())


def price_band(price: int) -> str:
    """``price_band(1299) == "₹1,000–1,999"``."""
    return next(label for bound, label in PRICE_BANDS if price < bound)


def missing_values(report: dict) -> pd.DataFrame:
    """Per column: how many raw values were missing (empty, "NA") before being set to ``Unknown``."""
    rows = [(column, count, count / max(report["rows_read"], 1)) for column, count in report["missing_values"].items()]
    frame = pd.DataFrame(rows, columns=["column", "missing", "share"])
    return frame.sort_values(["missing", "column"], ascending=[False, True], ignore_index=True)


def loading_issues(report: dict) -> pd.DataFrame:
    """Every line or image that needed attention: recovered, skipped, missing or corrupt image."""
    rows = [("recovered", r["line"], r["id"], r["reason"]) for r in report["recovered_lines"]]
    rows += [("skipped", r["line"], r["id"], r["reason"]) for r in report["skipped_lines"]]
    rows += [("missing image", None, str(i), "no images/{id}.jpg") for i in report["images"]["missing"]]
    rows += [("corrupt image", None, str(c["id"]), c["reason"]) for c in report["images"]["corrupt"]]
    frame = pd.DataFrame(rows, columns=["outcome", "line", "id", "reason"])
    frame["line"] = frame["line"].astype("Int64")
    return frame


def select_products(
    catalog: pd.DataFrame,
    *,
    article_type: str | None = None,
    genders: Sequence[str] = (),
    colours: Sequence[str] = (),
    seasons: Sequence[str] = (),
    usages: Sequence[str] = (),
    price_range: tuple[int, int] | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Products matching every given attribute (empty = any), in id order."""
    mask = pd.Series(True, index=catalog.index)
    if article_type:
        mask &= catalog["articleType"] == article_type
    for column, wanted in (("gender", genders), ("baseColour", colours), ("season", seasons), ("usage", usages)):
        if wanted:
            mask &= catalog[column].isin(list(wanted))
    if price_range is not None:
        mask &= catalog["price"].between(*price_range)
    selected = catalog.loc[mask].sort_values("id")
    return selected.head(limit) if limit else selected
