"""Reading ``styles.csv`` robustly, cleaning it, and loading the prepared catalogue.

The real Kaggle file is not strict CSV: some product names contain an unquoted comma, which gives
the line more fields than the header. The surplus fields belong to ``productDisplayName`` (the
only free-text column), so they are joined back into it and the line is reported as *recovered*.
Anything else that cannot be read (too few fields, a field over the csv size limit, an id that is
not a plain positive int64, a duplicate id) is *skipped* and reported with its line number and
reason; structural problems (no file, empty file, missing columns) raise :class:`CatalogError`.
The raw file is only ever read.

Trade-off: every physical line is one record, decoded and parsed on its own. A quote that opens a
field and does not close on its line is read as a literal character (recovered) or the line is
skipped, so one stray ``"`` can never swallow the rest of the file; the price is that a quoted
field holding a real line break (valid CSV, never seen in this catalogue) is split and reported.
Likewise each line is UTF-8 unless it cannot be, then cp1252 (latin-1 for the five bytes cp1252
leaves undefined), so one Windows line never garbles the UTF-8 names around it; those lines are
reported too. The counts always add up: rows read = clean + recovered + skipped.
"""

from __future__ import annotations

import csv
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
# ASCII digits only: "²".isdigit() is True yet int("²") fails, and int("١٢") is silently 12.
_ID = re.compile(r"[0-9]+", re.ASCII)
_MAX_ID = 2**63 - 1  # ids are stored as int64
_FALLBACK_CODECS = ("cp1252", "latin-1")  # latin-1 decodes every byte, so the chain never fails
_SHOWN = 40  # characters of a raw value quoted in a report


@dataclass(frozen=True)
class LineIssue:
    """One raw line that needed attention. ``line`` is 1-based in the file (the header is line 1)."""

    line: int
    id: str
    reason: str


@dataclass
class StylesTable:
    """The parsed rows (all strings, raw values but the id's canonical digits) plus what happened to
    every other line.

    ``recovered`` rows are in ``frame`` (repaired); ``skipped`` lines are not; ``fallback_decoded``
    lists the lines that were not valid UTF-8, whatever became of them.
    """

    frame: pd.DataFrame
    rows_read: int
    encoding: str
    recovered: list[LineIssue] = field(default_factory=list)
    skipped: list[LineIssue] = field(default_factory=list)
    fallback_decoded: list[LineIssue] = field(default_factory=list)

    @property
    def clean(self) -> int:
        """Rows read as they stand, neither repaired nor skipped."""
        return len(self.frame) - len(self.recovered)

    def check_counts(self) -> None:
        """Raise when rows read != clean + recovered + skipped: a loader bug, never a data problem."""
        if self.clean < 0 or self.rows_read != self.clean + len(self.recovered) + len(self.skipped):
            raise RuntimeError(
                f"internal error: loading counts do not add up: rows read {self.rows_read} != clean {self.clean}"
                f" + recovered {len(self.recovered)} + skipped {len(self.skipped)}"
            )


def _shown(value: str) -> str:
    return value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "..."


def _decode_line(raw: bytes) -> tuple[str, str]:
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        for codec in _FALLBACK_CODECS:
            try:
                return raw.decode(codec), codec
            except UnicodeDecodeError:
                continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _decoded_lines(raw: bytes) -> list[tuple[str, str]]:
    """``(text, codec)`` per physical line; bytes.splitlines knows only \\n, \\r and \\r\\n."""
    return [_decode_line(line) for line in raw.removeprefix(b"\xef\xbb\xbf").splitlines()]


def _parse(text: str, **options) -> list[str] | None:
    try:
        return next(csv.reader([text], **options), [])
    except csv.Error:
        return None


def _fields(text: str) -> tuple[list[str] | None, str]:
    """One line's fields and a repair note (``""`` if none); ``(None, reason)`` when unreadable."""
    fields = _parse(text, strict=True)
    if fields is not None:
        return fields, ""
    if _parse(text + '"', strict=True) is not None:
        # Only closing a quote at the end mends it: a quote opened a field and never closed.
        literal = _parse(text, quoting=csv.QUOTE_NONE)
        if literal is not None:
            return literal, "unclosed quote read as a literal character (not joined with the next line)"
    try:  # lenient, as csv reads by default: a stray quote inside a field is kept as read
        return next(csv.reader([text]), []), ""
    except csv.Error as error:
        return None, f"malformed line: {error}"


def _id_problem(raw_id: str) -> str | None:
    digits = raw_id.lstrip("0")
    if not _ID.fullmatch(raw_id) or not digits:
        return f"invalid id {_shown(raw_id)!r}: not a positive integer"
    # The length test comes first: int() refuses strings over 4300 digits.
    if len(digits) > len(str(_MAX_ID)) or int(digits) > _MAX_ID:
        return f"invalid id {_shown(raw_id)!r}: above the largest id ({_MAX_ID})"
    return None


def _encoding_summary(lines: list[tuple[str, str]]) -> str:
    used = {codec for text, codec in lines if not text.isascii()}
    if not used - {"utf-8"}:
        return "utf-8"
    if len(used) == 1:
        return used.pop()
    return f"mixed ({', '.join(c for c in ('utf-8', *_FALLBACK_CODECS) if c in used)})"


def read_styles(path: Path) -> StylesTable:
    """Parse a Kaggle-format ``styles.csv`` line by line, recovering what can be and skipping the rest."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(f"no styles.csv at {path}: point --catalog/FASHION_CATALOG at a folder with styles.csv and images/")
    lines = _decoded_lines(path.read_bytes())
    if not any(text.strip() for text, _ in lines):
        raise CatalogError(f"{path} is empty: expected a header line and product rows")

    header = [h.strip() for h in (_fields(lines[0][0])[0] or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise CatalogError(
            f"{path} lacks column(s) {', '.join(missing)}; found: {', '.join(header) or 'nothing'}"
        )
    width = len(header)
    id_at, name_at = header.index("id"), header.index(NAME_COLUMN)
    keep = [header.index(c) for c in COLUMNS]

    rows: list[list[str]] = []
    row_lines: list[int] = []
    recovered: list[LineIssue] = []
    skipped: list[LineIssue] = []
    fallback = [LineIssue(1, "", f"not valid UTF-8: decoded as {lines[0][1]}")] if lines[0][1] != "utf-8" else []
    first_line_of: dict[int, int] = {}
    rows_read = 0
    for number, (text, codec) in enumerate(lines[1:], 2):
        fields, note = _fields(text)
        # The id as far as it can be told, even on a line csv cannot read.
        cells = fields if fields is not None else text.split(",")
        raw_id = _shown(cells[id_at].strip()) if len(cells) > id_at else ""
        if codec != "utf-8" and text.strip():
            fallback.append(LineIssue(number, raw_id, f"not valid UTF-8: decoded as {codec}"))
        if fields is not None and all(not f.strip() for f in fields):
            continue  # blank line: nothing to read, nothing lost
        rows_read += 1
        if fields is None:
            skipped.append(LineIssue(number, raw_id, note))
            continue
        notes = [note] if note else []
        if len(fields) > width:
            surplus = len(fields) - width
            name = ",".join(fields[name_at : name_at + surplus + 1])
            fields = fields[:name_at] + [name] + fields[name_at + surplus + 1 :]
            notes.append(f"{surplus} unquoted comma(s) in {NAME_COLUMN} joined back")
        elif len(fields) < width:
            detail = ", even with its unclosed quote read literally" if note else ""
            skipped.append(LineIssue(number, raw_id, f"malformed line: expected {width} fields, found {len(fields)}{detail}"))
            continue
        id_text = fields[id_at].strip()
        problem, raw_id = _id_problem(id_text), _shown(id_text)
        if problem:
            skipped.append(LineIssue(number, raw_id, problem))
            continue
        product_id = int(id_text.lstrip("0"))
        if product_id in first_line_of:
            skipped.append(LineIssue(number, raw_id, f"duplicate id {product_id} (first on line {first_line_of[product_id]})"))
            continue
        if notes:
            recovered.append(LineIssue(number, raw_id, "; ".join(notes)))
        first_line_of[product_id] = number
        fields[id_at] = str(product_id)  # canonical digits: " 007" is 7, and int64 conversion is safe
        rows.append([fields[i] for i in keep])
        row_lines.append(number)

    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=object)
    frame.insert(len(frame.columns), "line", pd.Series(row_lines, dtype="int64"))
    table = StylesTable(frame, rows_read, _encoding_summary(lines), recovered, skipped, fallback)
    table.check_counts()
    return table


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
    # A year that is not a whole number of at most four digits (1e30, inf) is missing, not fatal.
    out["year"] = year.where((year.abs() < 10_000) & (year == year.round())).astype("Int64")
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
