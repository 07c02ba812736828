"""Loader quirks with known answers: recovered lines, skips with reasons, structural errors."""

from __future__ import annotations

import pytest

from core.data.catalog import UNKNOWN, clean_styles, read_styles
from core.errors import CatalogError
from tests.conftest import HEADER, make_catalog

GOOD = "1,Men,Apparel,Topwear,Tshirts,Red,Summer,2012,Casual,Roadster Men Red T-shirt"


def test_unquoted_comma_in_name_is_recovered(tmp_path):
    root = make_catalog(tmp_path, [
        GOOD,
        "23112,Men,Accessories,Accessories,Accessory Gift Set,Red,Fall,2011,Formal,"
        "Turtle Men Formal Red Tie, Cufflink and Pocket Square Combo Set",
        "3418,Men,Apparel,Topwear,Tshirts,Black,Summer,2011,Casual,Myntra Men's Take my advice, I don't use it anyway, Black T-shirt",
    ])
    table = read_styles(root / "styles.csv")
    names = dict(zip(table.frame["id"], table.frame["productDisplayName"]))
    assert names["23112"] == "Turtle Men Formal Red Tie, Cufflink and Pocket Square Combo Set"
    assert names["3418"] == "Myntra Men's Take my advice, I don't use it anyway, Black T-shirt"
    assert [(i.line, i.id) for i in table.recovered] == [(3, "23112"), (4, "3418")]
    assert "2 unquoted comma" in table.recovered[1].reason
    assert table.skipped == [] and table.rows_read == 3


def test_quoted_name_with_comma_is_plain_csv(tmp_path):
    root = make_catalog(tmp_path, ['5,Women,Apparel,Topwear,Tops,Pink,Summer,2012,Casual,"Only, Women Pink Top"'])
    table = read_styles(root / "styles.csv")
    assert table.frame.loc[0, "productDisplayName"] == "Only, Women Pink Top"
    assert table.recovered == []


@pytest.mark.parametrize(
    "line, reason",
    [
        ("2,Men,Apparel,Topwear,Tshirts,Red", "malformed line: expected 10 fields, found 6"),
        ("abc,Men,Apparel,Topwear,Tshirts,Red,Summer,2012,Casual,Name", "invalid id 'abc'"),
        ("-4,Men,Apparel,Topwear,Tshirts,Red,Summer,2012,Casual,Name", "invalid id '-4'"),
        ("1,Women,Apparel,Topwear,Tops,Blue,Fall,2013,Casual,Twin", "duplicate id 1 (first on line 2)"),
    ],
)
def test_unreadable_lines_are_skipped_with_line_and_reason(tmp_path, line, reason):
    root = make_catalog(tmp_path, [GOOD, line])
    table = read_styles(root / "styles.csv")
    assert list(table.frame["id"]) == ["1"]
    assert len(table.skipped) == 1
    assert table.skipped[0].line == 3
    assert table.skipped[0].reason.startswith(reason)


def test_blank_lines_and_bom_and_crlf(tmp_path):
    (tmp_path / "styles.csv").write_bytes(("\ufeff" + HEADER + "\r\n" + GOOD + "\r\n\r\n").encode("utf-8"))
    table = read_styles(tmp_path / "styles.csv")
    assert list(table.frame["id"]) == ["1"] and table.rows_read == 1


def test_windows_1252_file_is_decoded(tmp_path):
    text = HEADER + "\n" + "7,Women,Apparel,Topwear,Tops,Pink,Summer,2012,Casual,Café Women Top\n"
    (tmp_path / "styles.csv").write_bytes(text.encode("cp1252"))
    table = read_styles(tmp_path / "styles.csv")
    assert table.encoding == "cp1252"
    assert table.frame.loc[0, "productDisplayName"] == "Café Women Top"


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "is empty"),
        ("   \n\n", "is empty"),
        ("id,gender,articleType\n1,Men,Tshirts\n", "lacks column(s) masterCategory, subCategory, baseColour"),
    ],
)
def test_structural_problems_raise_clear_errors(tmp_path, content, message):
    (tmp_path / "styles.csv").write_text(content)
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_styles(tmp_path / "styles.csv")


def test_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="no styles.csv"):
        read_styles(tmp_path / "styles.csv")


def test_cleaning_normalises_missing_values_casing_and_years(tmp_path):
    root = make_catalog(tmp_path, [
        "1,men, Apparel ,Topwear,Tshirts,navy  blue,Summer,2012.0,NA,  Roadster   Men Tee ",
        "2,Women,Apparel,Topwear,Tops,,,,,",
    ])
    frame, missing, rebuilt = clean_styles(read_styles(root / "styles.csv").frame)
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first["gender"], first["masterCategory"], first["baseColour"]) == ("Men", "Apparel", "Navy Blue")
    assert first["usage"] == UNKNOWN and first["year"] == 2012
    assert first["productDisplayName"] == "Roadster Men Tee"
    assert second["baseColour"] == UNKNOWN and second["season"] == UNKNOWN
    assert second["year"] is frame["year"].dtype.na_value or str(second["year"]) == "<NA>"
    assert second["productDisplayName"] == "Women Tops" and rebuilt == [2]
    assert missing["usage"] == 2 and missing["baseColour"] == 1 and missing["year"] == 1
