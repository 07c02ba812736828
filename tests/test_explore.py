"""The Dataset screen's computations: report tables, price bands, product selection."""

from __future__ import annotations

import pandas as pd
import pytest

from core.config import Settings
from core.errors import CatalogError
from core.reports.dataset import PRICE_BAND_ORDER, load_report, loading_issues, missing_values, price_band, select_products

REPORT = {
    "rows_read": 10,
    "missing_values": {"usage": 2, "season": 0, "baseColour": 1},
    "recovered_lines": [{"line": 3, "id": "7", "reason": "1 unquoted comma(s) in productDisplayName joined back"}],
    "skipped_lines": [{"line": 5, "id": "abc", "reason": "invalid id 'abc': not a positive integer"}],
    "images": {"missing": [9], "corrupt": [{"id": 4, "reason": "corrupt: OSError: truncated"}]},
}


@pytest.mark.parametrize("price, band", [(99, "under ₹500"), (500, "₹500–999"), (1999, "₹1,000–1,999"), (14999, "₹5,000 and up")])
def test_price_band(price, band):
    assert price_band(price) == band and band in PRICE_BAND_ORDER


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
