"""Reading ``styles.csv`` robustly, cleaning it, and loading the prepared catalogue.

The real Kaggle file is not strict CSV: some product names contain an unquoted comma, which gives
the line more fields than the header. The surplus fields belong to ``productDisplayName`` (the
only free-text column), so they are joined back into it and the line is reported as *recovered*.
Anything else that cannot be read (too few fields, a non-numeric id, a duplicate id) is *skipped*
and reported with its line number and reason; structural problems (no file, empty file, missing
columns) raise :class:`CatalogError`. The raw file is only ever read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from core.errors import CatalogError

COLUMNS: tuple[str, ...] = (
    "id", "gender", "masterCategory", "subCategory", "articleType",
    "baseColour", "season", "year", "usage", "productDisplayName",
)
# What prepare writes: the raw columns, cleaned, plus its own.
PREPARED_COLUMNS: tuple[str, ...] = (*COLUMNS, "group", "description", "price", "split", "image")
NAME_COLUMN = "productDisplayName"
CATEGORICAL = ("gender", "masterCategory", "subCategory", "articleType", "baseColour", "season", "usage")
UNKNOWN = "Unknown"
_MISSING_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-"}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LineIssue:
    """One raw line that needed attention. ``line`` is 1-based in the file (the header is line 1)."""

    line: int
    id: str
    reason: str


@dataclass
class StylesTable:
    """The parsed rows (all strings, raw values) plus what happened to every other line."""

    frame: pd.DataFrame
    rows_read: int
    encoding: str
    recovered: list[LineIssue] = field(default_factory=list)
    skipped: list[LineIssue] = field(default_factory=list)


def _decode(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Older exports are Windows-1252; cp1252 cannot fail on the bytes it maps, latin-1 never does.
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return raw.decode("latin-1"), "latin-1"


def read_styles(path: Path) -> StylesTable:
    """Parse a Kaggle-format ``styles.csv``, recovering unquoted commas in product names."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"no styles.csv at {path}: point --catalog/FASHION_CATALOG at a folder with styles.csv and images/")
    text, encoding = _decode(path.read_bytes())
    if not text.strip():
        raise CatalogError(f"{path} is empty: expected a header line and product rows")

    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CatalogError(
            f"{path} lacks column(s) {', '.join(missing)}; found: {', '.join(header) or 'nothing'}"
        )
    width = len(header)
    name_at = header.index(NAME_COLUMN)
    keep = [header.index(c) for c in COLUMNS]

    rows: list[list[str]] = []
    lines: list[int] = []
    recovered: list[LineIssue] = []
    skipped: list[LineIssue] = []
    first_line_of: dict[int, int] = {}
    rows_read = 0
    line_no = reader.line_num
    for fields in reader:
        start, line_no = line_no + 1, reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue  # blank line: nothing to read, nothing lost
        rows_read += 1
        raw_id = fields[header.index("id")].strip() if len(fields) > header.index("id") else ""
        note = None
        if len(fields) > width:
            surplus = len(fields) - width
            name = ",".join(fields[name_at : name_at + surplus + 1])
            fields = fields[:name_at] + [name] + fields[name_at + surplus + 1 :]
            note = LineIssue(start, raw_id, f"{surplus} unquoted comma(s) in {NAME_COLUMN} joined back")
        elif len(fields) < width:
            skipped.append(LineIssue(start, raw_id, f"malformed line: expected {width} fields, found {len(fields)}"))
            continue
        if not raw_id.isdigit() or int(raw_id) <= 0:
            skipped.append(LineIssue(start, raw_id, f"invalid id {raw_id!r}: not a positive integer"))
            continue
        product_id = int(raw_id)
        if product_id in first_line_of:
            skipped.append(LineIssue(start, raw_id, f"duplicate id {product_id} (first on line {first_line_of[product_id]})"))
            continue
        if note is not None:
            recovered.append(note)
        first_line_of[product_id] = start
        rows.append([fields[i] for i in keep])
        lines.append(start)

    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    frame.insert(len(frame.columns), "line", pd.Series(lines, dtype="int64"))
    return StylesTable(frame, rows_read, encoding, recovered, skipped)


def _tidy(value: object) -> str:
    text = _SPACES.sub(" ", str(value)).strip()
    return UNKNOWN if text.casefold() in _MISSING_TOKENS else text


def _title_words(value: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in value.split(" "))


def clean_styles(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int], list[int]]:
    """Normalise raw rows: explicit ``Unknown`` for missing values, consistent casing, int years.

    Returns the cleaned frame, the count of missing values per column *before* normalising, and the
    ids whose missing name was rebuilt from their attributes.
    """
    out = frame.copy()
    out["id"] = out["id"].astype("int64")
    missing = {c: int(out[c].map(lambda v: _tidy(v) == UNKNOWN).sum()) for c in COLUMNS if c != "id"}
    for column in CATEGORICAL:
        out[column] = out[column].map(_tidy)
    # Colours and genders in one casing ("navy blue" and "Navy Blue" are one colour); article types
    # and categories keep the catalogue's own spelling, which the group table matches.
    for column in ("baseColour", "gender", "season", "usage"):
        out[column] = out[column].map(lambda v: v if v == UNKNOWN else _title_words(v))
    year = pd.to_numeric(out["year"].map(lambda v: str(v).strip()), errors="coerce")
    out["year"] = year.where(year.notna() & (year == year.round())).astype("Int64")
    names = out[NAME_COLUMN].map(_tidy)
    rebuilt = names == UNKNOWN
    if rebuilt.any():
        names = names.where(~rebuilt, out.apply(_name_from_attributes, axis=1))
    out[NAME_COLUMN] = names
    return out, missing, out.loc[rebuilt, "id"].astype(int).tolist()


def _name_from_attributes(row: pd.Series) -> str:
    parts = [row["gender"], row["baseColour"], row["articleType"]]
    return " ".join(p for p in parts if p != UNKNOWN) or f"Product {row['id']}"


def load_catalog(settings) -> pd.DataFrame:
    """The prepared catalogue (``processed/catalog.parquet``), checked; a clear error with the fix
    when prepare has not run, or its output is empty, stale (missing columns) or inconsistent."""
    path = settings.catalog_parquet
    if not path.is_file():
        raise CatalogError(f"no prepared catalogue at {path}: run `python -m core prepare` first")
    catalog = pd.read_parquet(path)
    missing = [c for c in PREPARED_COLUMNS if c not in catalog.columns]
    if missing:
        raise CatalogError(f"{path} lacks column(s) {', '.join(missing)}: run `python -m core prepare` again")
    if catalog.empty:
        raise CatalogError(f"the prepared catalogue {path} has no products")
    duplicated = catalog["id"][catalog["id"].duplicated()]
    if len(duplicated):
        raise CatalogError(f"{path} repeats product ids, e.g. {int(duplicated.iloc[0])}: run `python -m core prepare` again")
    return catalog
