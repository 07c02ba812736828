"""The Dataset screen's computations: report tables, price bands (core.data.enrich), product selection."""

from __future__ import annotations

import pandas as pd
import pytest

from core.config import Settings
from core.errors import CatalogError
from core.data.enrich import PRICE_BAND_LABELS, PRICE_BANDS, price_band
from core.reports.dataset import load_report, loading_issues, missing_values, price_band_counts, select_products

REPORT = {
    "rows_read": 10,
    "missing_values": {"usage": 2, "season": 0, "baseColour": 1},
    "recovered_lines": [{"line": 3, "id": "7", "reason": "1 unquoted comma(s) in productDisplayName joined back"}],
    "skipped_lines": [{"line": 5, "id": "abc", "reason": "invalid id 'abc': not a positive integer"}],
    "images": {"missing": [9], "corrupt": [{"id": 4, "reason": "corrupt: OSError: truncated"}]},
}


@pytest.mark.parametrize("price, band", [
    (0, "under ₹500"), (99, "under ₹500"), (499, "under ₹500"), (500, "₹500–999"), (999, "₹500–999"),
    (1000, "₹1,000–1,999"), (1999, "₹1,000–1,999"), (2000, "₹2,000–4,999"), (4999, "₹2,000–4,999"),
    (5000, "₹5,000 and up"), (14999, "₹5,000 and up"),
])
def test_price_band(price, band):
    bands = price_band([price])
    assert list(bands) == [band] and list(bands.categories) == list(PRICE_BAND_LABELS) and bands.ordered


def test_price_bands_are_ordered_and_start_at_zero():
    lows = [low for low, _ in PRICE_BANDS]
    assert lows[0] == 0 and lows == sorted(lows) and len(set(PRICE_BAND_LABELS)) == len(PRICE_BANDS)
    assert list(price_band([])) == []


def test_price_band_counts_list_every_band_cheapest_first():
    counts = price_band_counts(pd.Series([99, 450, 1299, 20000]))
    assert counts.index.name == "band" and list(counts.columns) == ["products"]
    assert counts["products"].to_dict() == {"under ₹500": 2, "₹500–999": 0, "₹1,000–1,999": 1, "₹2,000–4,999": 0,
                                            "₹5,000 and up": 1}
    assert price_band_counts(pd.Series([], dtype=int))["products"].sum() == 0


def test_missing_values_sorted_with_shares():
    frame = missing_values(REPORT)
    assert list(frame["column"]) == ["usage", "baseColour", "season"]
    assert frame.loc[0, "share"] == pytest.approx(0.2)


def test_loading_issues_lists_every_outcome():
    frame = loading_issues(REPORT)
    assert list(frame["outcome"]) == ["recovered", "skipped", "missing image", "corrupt image"]
    assert frame.loc[0, "line"] == 3 and pd.isna(frame.loc[2, "line"])
    assert frame.loc[3, "id"] == "4"


def test_select_products_combines_attributes():
    catalog = pd.DataFrame({
        "id": [3, 1, 2, 4],
        "articleType": ["Tshirts", "Tshirts", "Jeans", "Tshirts"],
        "gender": ["Men", "Women", "Men", "Men"],
        "baseColour": ["Red", "Red", "Blue", "Blue"],
        "season": ["Summer"] * 4,
        "usage": ["Casual"] * 4,
        "price": [500, 900, 1500, 2500],
    })
    assert list(select_products(catalog, article_type="Tshirts")["id"]) == [1, 3, 4]
    assert list(select_products(catalog, article_type="Tshirts", genders=["Men"], colours=["Red"])["id"]) == [3]
    assert list(select_products(catalog, price_range=(800, 2000))["id"]) == [1, 2]
    assert list(select_products(catalog, limit=2)["id"]) == [1, 2]


def test_report_missing_is_a_clear_error(tmp_path):
    with pytest.raises(CatalogError, match="run `python -m core prepare`"):
        load_report(Settings.from_env(home=tmp_path))


def test_pairs_summary_and_sample(tmp_path):
    from core.data.demo.generate import generate_demo
    from core.data.prepare import prepare
    from core.reports.dataset import pairs_sample, pairs_summary

    settings = Settings.from_env(env={}, home=tmp_path / "home")
    generate_demo(settings.demo_dir, size=40)
    prepare(settings)
    report = load_report(settings)
    summary = pairs_summary(report)
    assert summary["kind"].tolist()[-1] == "all" and summary["pairs"].iloc[-1] == report["pairs"]["total"]
    assert summary["pairs"].iloc[:-1].sum() == report["pairs"]["total"]
    sample = pairs_sample(settings, n=10)
    assert len(sample) == 10 and sample.equals(pairs_sample(settings, n=10))  # reproducible
    assert list(sample.columns) == ["anchor id", "kind", "anchor (positive)", "hard negative", "negative id"]
    colour = pairs_sample(settings, kind="colour", n=5)
    assert set(colour["kind"]) == {"colour"}
    with pytest.raises(CatalogError, match="valid kinds: colour, gender, usage"):
        pairs_sample(settings, kind="size")
    settings.pairs_parquet.unlink()
    with pytest.raises(CatalogError, match="run `python -m core prepare`"):
        pairs_sample(settings)


def test_loading_issues_list_lines_decoded_with_a_fallback():
    report = {**REPORT, "encoding_fallback_lines": [{"line": 7, "id": "12", "reason": "not valid UTF-8: decoded as cp1252"}]}
    frame = loading_issues(report)
    row = frame[frame["outcome"] == "fallback encoding"].iloc[0]
    assert row["line"] == 7 and row["id"] == "12" and "cp1252" in row["reason"]
    assert "fallback encoding" not in set(loading_issues(REPORT)["outcome"])  # an older report has none
