"""Catalogue exploration for the Dataset screen: the loading report as tables, products per price
band, attribute-filtered product selections, and the contrastive pairs prepare wrote. Pure pandas
over prepare's outputs; the bands themselves are ``core.data.enrich``'s, where the prices are made."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

from core.config import Settings
from core.data.enrich import PRICE_BAND_LABELS, price_band
from core.errors import CatalogError


def load_report(settings: Settings) -> dict:
    if not settings.report_json.is_file():
        raise CatalogError(f"no preparation report at {settings.report_json}: run `python -m core prepare` first")
    return json.loads(settings.report_json.read_text())


def price_band_counts(prices) -> pd.DataFrame:
    """Products per price band, cheapest band first, every band listed (0 when empty).

    One column, ``products``; the index (named ``band``) holds the band labels.
    """
    counts = pd.Series(price_band(prices)).value_counts()
    return pd.DataFrame({"products": [int(counts.get(label, 0)) for label in PRICE_BAND_LABELS]},
                        index=pd.Index(PRICE_BAND_LABELS, name="band"))


def missing_values(report: dict) -> pd.DataFrame:
    """Per column: how many raw values were missing (empty, "NA") before being set to ``Unknown``."""
    rows = [(column, count, count / max(report["rows_read"], 1)) for column, count in report["missing_values"].items()]
    frame = pd.DataFrame(rows, columns=["column", "missing", "share"])
    return frame.sort_values(["missing", "column"], ascending=[False, True], ignore_index=True)


def loading_issues(report: dict) -> pd.DataFrame:
    """Every line or image that needed attention: recovered, skipped, decoded with a fallback encoding,
    missing or corrupt image."""
    rows = [("recovered", r["line"], r["id"], r["reason"]) for r in report["recovered_lines"]]
    rows += [("skipped", r["line"], r["id"], r["reason"]) for r in report["skipped_lines"]]
    rows += [("fallback encoding", r.get("line"), str(r.get("id", "")), str(r.get("reason", "not valid UTF-8")))
             for r in _fallbacks(report)]
    rows += [("missing image", None, str(i), "no images/{id}.jpg") for i in report["images"]["missing"]]
    rows += [("corrupt image", None, str(c["id"]), c["reason"]) for c in report["images"]["corrupt"]]
    frame = pd.DataFrame(rows, columns=["outcome", "line", "id", "reason"])
    frame["line"] = frame["line"].astype("Int64")
    return frame


def _fallbacks(report: dict) -> list[dict]:
    """Lines decoded with a fallback encoding (older reports have none; a bare line number is accepted)."""
    return [r if isinstance(r, dict) else {"line": r} for r in report.get("encoding_fallback_lines") or []]


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


def pairs_summary(report: dict) -> pd.DataFrame:
    """Contrastive pairs per kind (the attribute swapped in the hard negative): total and synthesised."""
    pairs = report.get("pairs") or {}
    by_kind = pairs.get("by_kind") or {}
    frame = pd.DataFrame({"kind": list(by_kind), "pairs": [int(n) for n in by_kind.values()]})
    total = int(pairs.get("total", frame["pairs"].sum()))
    synthesised = int(pairs.get("synthesised", 0))
    totals = pd.DataFrame({"kind": ["all"], "pairs": [total]})
    frame = pd.concat([frame, totals], ignore_index=True)
    frame["synthesised (all kinds)"] = [None] * (len(frame) - 1) + [synthesised]
    return frame


def pairs_sample(settings: Settings, *, kind: str | None = None, n: int = 20, seed: int = 0) -> pd.DataFrame:
    """``n`` contrastive pairs drawn reproducibly (of one ``kind``, or all), for reading by eye.

    Columns: anchor id, kind, the anchor's description, the hard negative's description and its
    product id (empty when the negative was synthesised: no product differs in only that attribute).
    """
    if not settings.pairs_parquet.is_file():
        raise CatalogError(f"no contrastive pairs at {settings.pairs_parquet}: run `python -m core prepare` first")
    pairs = pd.read_parquet(settings.pairs_parquet)
    if kind is not None:
        kinds = sorted(pairs["kind"].unique())
        if kind not in kinds:
            raise CatalogError(f"unknown pair kind {kind!r}; valid kinds: {', '.join(kinds)}")
        pairs = pairs[pairs["kind"] == kind]
    sample = pairs.sample(n=min(n, len(pairs)), random_state=seed).sort_values(["anchor_id", "kind"])
    negative_id = sample["negative_id"].astype("Int64").where(sample["negative_id"] >= 0)
    return pd.DataFrame({
        "anchor id": sample["anchor_id"].to_numpy(), "kind": sample["kind"].to_numpy(),
        "anchor (positive)": sample["positive"].to_numpy(), "hard negative": sample["negative"].to_numpy(),
        "negative id": negative_id.to_numpy(),
    })
