"""Nothing lost, nothing injected: one bad line is one reported line, never a merged, aborted or garbled file.

Each case is a tiny catalogue in ``tmp_path`` with one damaged line among good ones; the loader must
read every other line normally, report the damaged one with its line number and reason, and keep
its counts adding up (rows read = clean + recovered + skipped).
"""

from __future__ import annotations

import pandas as pd
import pytest

from core.config import Settings
from core.data.catalog import StylesTable, clean_styles, read_styles
from core.data.prepare import prepare
from tests.conftest import HEADER, make_catalog

ARTICLES = [("Apparel", "Topwear", "Tshirts"), ("Apparel", "Bottomwear", "Jeans"), ("Footwear", "Shoes", "Heels"),
            ("Accessories", "Watches", "Watches")]


def _row(pid: int, name: str | None = None) -> str:
    master, sub, article = ARTICLES[pid % len(ARTICLES)]
    colour = ["Red", "Blue", "Black", "White", "Green"][pid % 5]
    gender = "Women" if article == "Heels" or pid % 3 else "Men"
    return f"{pid},{gender},{master},{sub},{article},{colour},Summer,2012,Casual,{name or f'Brand{pid} {gender} {article}'}"


def _rows(n: int) -> list[str]:
    return [_row(pid) for pid in range(1, n + 1)]


def _assert_counts_add_up(table: StylesTable) -> None:
    clean = len(table.frame) - len(table.recovered)
    assert table.rows_read == clean + len(table.recovered) + len(table.skipped)


def _settings(tmp_path, root) -> Settings:
    return Settings.from_env(home=tmp_path / "home", catalog=root)


# 1. An unclosed quote never merges the following lines into one name.

def test_unclosed_quote_at_start_of_name_is_recovered_and_later_rows_survive(tmp_path):
    lines = _rows(60)
    lines[5] = _row(6, '"Brand6 Women Heels')  # file line 7: the quote opens and never closes
    table = read_styles(make_catalog(tmp_path, lines) / "styles.csv")
    assert list(table.frame["id"]) == [str(i) for i in range(1, 61)]
    assert table.rows_read == 60 and table.skipped == []
    assert [(i.line, i.id) for i in table.recovered] == [(7, "6")]
    assert "quote" in table.recovered[0].reason
    names = dict(zip(table.frame["id"], table.frame["productDisplayName"]))
    assert names["6"] == '"Brand6 Women Heels'  # the quote is kept as a literal character
    assert all(names[str(pid)] == _row(pid).rsplit(",", 1)[1] for pid in range(7, 61))
    _assert_counts_add_up(table)


def test_unclosed_quote_with_too_few_fields_is_skipped_and_next_line_read(tmp_path):
    root = make_catalog(tmp_path, [_row(1), '2,Men,"Apparel,Topwear', _row(3), _row(4)])
    table = read_styles(root / "styles.csv")
    assert list(table.frame["id"]) == ["1", "3", "4"]
    assert [(i.line, i.id) for i in table.skipped] == [(3, "2")]
    assert table.skipped[0].reason.startswith("malformed line") and "quote" in table.skipped[0].reason
    _assert_counts_add_up(table)


def test_quoted_field_spanning_two_lines_is_never_merged(tmp_path):
    # Valid CSV in theory, but a name never holds a line break: each physical line is read on its own.
    root = make_catalog(tmp_path, [_row(1), _row(2, '"Split') + "\nname\"", _row(3)])
    table = read_styles(root / "styles.csv")
    assert list(table.frame["id"]) == ["1", "2", "3"]
    assert [i.line for i in table.recovered] == [3] and [i.line for i in table.skipped] == [4]
    _assert_counts_add_up(table)


def test_prepare_with_unclosed_quote_keeps_every_row_and_counts_add_up(tmp_path):
    lines = _rows(60)
    lines[5] = _row(6, '"Brand6 Women Heels')
    root = make_catalog(tmp_path / "cat", lines, images=list(range(1, 61)))
    result = prepare(_settings(tmp_path, root))
    report = result.report
    catalog = pd.read_parquet(result.catalog_path)
    assert result.products == 60 and sorted(catalog["id"]) == list(range(1, 61))
    assert report["rows_read"] == 60 and [r["line"] for r in report["recovered_lines"]] == [7]
    assert report["lines"] == {"read": 60, "clean": 59, "recovered": 1, "skipped": 0}
    lines_count = report["lines"]
    assert lines_count["read"] == lines_count["clean"] + lines_count["recovered"] + lines_count["skipped"]
    assert report["rows_read"] == report["products"] + sum(report["skipped"].values())


def test_count_check_catches_a_report_that_does_not_add_up():
    frame = pd.DataFrame({"id": ["1"]})
    with pytest.raises(RuntimeError, match="do not add up"):
        StylesTable(frame, rows_read=3, encoding="utf-8").check_counts()


# 2. One bad line is one skipped line, never an aborted run.

BAD_LINES = {
    "huge name": (_row(2, "x" * 200_000), "malformed line: field larger than"),
    "superscript digit id": ("²" + _row(2)[1:], "invalid id '²'"),
    "arabic-indic digit id": ("١٢" + _row(2)[1:], "invalid id '١٢'"),
    "id above int64": (str(2**63) + _row(2)[1:], f"invalid id '{2**63}'"),
    "id of 5000 digits": ("9" * 5000 + _row(2)[1:], "invalid id '999"),  # int() refuses over 4300 digits
}


@pytest.mark.parametrize("line, reason", BAD_LINES.values(), ids=list(BAD_LINES))
def test_one_bad_line_is_skipped_with_its_reason(tmp_path, line, reason):
    root = make_catalog(tmp_path, [_row(1), line, _row(3)])
    table = read_styles(root / "styles.csv")
    assert list(table.frame["id"]) == ["1", "3"]
    assert [i.line for i in table.skipped] == [3] and table.skipped[0].reason.startswith(reason)
    assert len(table.skipped[0].id) <= 40  # a huge field never floods the report
    _assert_counts_add_up(table)
    frame, _, _ = clean_styles(table.frame)
    assert list(frame["id"]) == [1, 3]


@pytest.mark.parametrize("line", [v[0] for v in BAD_LINES.values()], ids=list(BAD_LINES))
def test_prepare_survives_one_bad_line(tmp_path, line):
    root = make_catalog(tmp_path / "cat", [_row(1), line, _row(3)], images=[1, 2, 3])
    result = prepare(_settings(tmp_path, root))
    assert result.products == 2 and [r["line"] for r in result.report["skipped_lines"]] == [3]
    assert result.report["rows_read"] == result.products + sum(result.report["skipped"].values())


def test_leading_zeros_and_spaces_in_an_id_are_one_id(tmp_path):
    root = make_catalog(tmp_path, [_row(1), " " + "0" * 5000 + _row(2)[0:], _row(7).replace("7,", "007,", 1)])
    table = read_styles(root / "styles.csv")
    assert list(table.frame["id"]) == ["1", "2", "7"] and table.skipped == []
    frame, _, _ = clean_styles(table.frame)
    assert list(frame["id"]) == [1, 2, 7]


@pytest.mark.parametrize("year", ["1e30", "inf", "-inf", "99999999999999999999"])
def test_an_absurd_year_is_missing_not_fatal(tmp_path, year):
    root = make_catalog(tmp_path, [_row(1), _row(2).replace(",2012,", f",{year},")])
    frame, missing, _ = clean_styles(read_styles(root / "styles.csv").frame)
    assert list(frame["id"]) == [1, 2] and frame.loc[0, "year"] == 2012
    assert pd.isna(frame.loc[1, "year"])


# 3. Mixed encodings: decoded per line, the fallback lines reported.

def test_one_latin1_line_does_not_garble_the_utf8_lines(tmp_path):
    body = (HEADER + "\n" + _row(1, "Café Women Top") + "\n").encode("utf-8")
    body += (_row(2, "Crème Men Shirt") + "\n").encode("latin-1")
    body += (_row(3, "Naïve Women Skirt") + "\n").encode("utf-8")
    (tmp_path / "styles.csv").write_bytes(body)
    table = read_styles(tmp_path / "styles.csv")
    names = dict(zip(table.frame["id"], table.frame["productDisplayName"]))
    assert names == {"1": "Café Women Top", "2": "Crème Men Shirt", "3": "Naïve Women Skirt"}
    assert [(i.line, i.id) for i in table.fallback_decoded] == [(3, "2")]
    assert "cp1252" in table.fallback_decoded[0].reason
    assert table.encoding == "mixed (utf-8, cp1252)"
    _assert_counts_add_up(table)


def test_byte_undefined_in_cp1252_falls_back_to_latin1(tmp_path):
    body = (HEADER + "\n").encode() + _row(1, "Odd\x81 Name").encode("latin-1") + b"\n"
    (tmp_path / "styles.csv").write_bytes(body)
    table = read_styles(tmp_path / "styles.csv")
    assert table.frame.loc[0, "productDisplayName"] == "Odd\x81 Name"
    assert [i.line for i in table.fallback_decoded] == [2] and table.encoding == "latin-1"


def test_prepare_reports_the_fallback_lines(tmp_path):
    body = (HEADER + "\n" + _row(1, "Café Women Top") + "\n").encode("utf-8")
    body += (_row(2, "Crème Men Shirt") + "\n").encode("cp1252")
    root = make_catalog(tmp_path / "cat", [], images=[1, 2])
    (root / "styles.csv").write_bytes(body)
    report = prepare(_settings(tmp_path, root)).report
    assert report["encoding"] == "mixed (utf-8, cp1252)"
    assert [(r["line"], r["id"]) for r in report["encoding_fallback_lines"]] == [(3, "2")]
    assert report["products"] == 2
