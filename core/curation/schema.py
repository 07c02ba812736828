"""What the curation store holds and accepts: its SQLite schema and the migration of older files,
the vocabularies (flag kinds, decisions), the :class:`Decision` record, and the validation of
every value a caller passes in.

Validation happens before a transaction opens, so a bad id or tag in a batch writes nothing.
Tags are free text (any script, emoji included) but may not contain the characters that join and
separate them elsewhere (:data:`TAG_FORBIDDEN`): "; " joins a product's tags in
``CurationStore.labels`` and "," separates values in ``core.index.filters.Filters``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from core.errors import FashionError

FLAG_KINDS = ("wrong-label", "duplicate", "bad-image", "off-brand")
DECISIONS = ("accepted", "dismissed")
MAX_TAG_CHARS = 40
MAX_NOTE_CHARS = 2000
JOIN = "; "
TAG_FORBIDDEN = ",;"  # "; " joins tags in labels(); "," separates values in Filters
ID_RANGE = (-(2**63), 2**63 - 1)  # SQLite's INTEGER, and the catalogue's int64 ids
SHOWN_IDS = 10  # unknown ids named in an error, at most

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    time       TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    product_id INTEGER,
    action     TEXT    NOT NULL,
    value      TEXT    NOT NULL DEFAULT '',
    note       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_product ON events (product_id, seq);
CREATE TABLE IF NOT EXISTS tags (
    product_id INTEGER NOT NULL,
    tag        TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    PRIMARY KEY (product_id, tag)
);
CREATE INDEX IF NOT EXISTS tags_tag ON tags (tag);
CREATE TABLE IF NOT EXISTS flags (
    product_id INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, kind)
);
CREATE TABLE IF NOT EXISTS notes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL,
    author     TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    text       TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_product ON notes (product_id);
CREATE TABLE IF NOT EXISTS decisions (
    key        TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL,
    ids        TEXT    NOT NULL,
    decision   TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    kept       INTEGER
);
"""
MIGRATIONS = {("decisions", "kept"): "ALTER TABLE decisions ADD COLUMN kept INTEGER"}
"""Columns added since the first release: ``(table, column)`` -> the statement that adds it to an
older file (``CREATE TABLE IF NOT EXISTS`` leaves an existing table as it was)."""


def migrate(conn) -> None:
    """Add the :data:`MIGRATIONS` columns an older file lacks, under the write lock (so one process
    adds each); ``conn`` is an autocommit ``sqlite3`` connection."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for (table, column), statement in MIGRATIONS.items():
            if column not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
                conn.execute(statement)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@dataclass(frozen=True)
class Decision:
    """What a merchandiser decided about one suggestion."""

    key: str
    kind: str
    ids: tuple[int, ...]
    decision: str
    author: str
    time: str
    note: str = ""
    kept: int | None = None  # an accepted near-duplicate: the product kept (the others are flagged)


def check_author(author) -> str:
    """The author as stored (trimmed, at most 80 characters); an empty one is an error."""
    text = str(author).strip() if author is not None else ""
    if not text:
        raise FashionError("an author is needed: type your name in the sidebar")
    return text[:80]


def check_tag(tag) -> str:
    """The tag as stored (trimmed); empty, too long or containing a separator is an error."""
    text = str(tag).strip() if tag is not None else ""
    if not text:
        raise FashionError("a tag cannot be empty")
    if len(text) > MAX_TAG_CHARS:
        raise FashionError(f"a tag has at most {MAX_TAG_CHARS} characters, got {len(text)}: {text[:50]!r}…")
    bad = sorted({c for c in text if c in TAG_FORBIDDEN or not c.isprintable()})
    if bad:
        raise FashionError(f"a tag cannot contain {' '.join(map(repr, bad))} (they separate tags): {text!r}")
    return text


def check_flag(kind) -> str:
    """``kind`` when it is one of :data:`FLAG_KINDS`, else an error naming them."""
    if kind not in FLAG_KINDS:
        raise FashionError(f"unknown flag {kind!r}; valid flags: {', '.join(FLAG_KINDS)}")
    return kind


def check_product_id(value) -> int:
    """A product id as an int: ``check_product_id(" 42 ") == 42``; 4.5, True or "abc" are errors."""
    if isinstance(value, (bool, np.bool_)):
        raise FashionError(f"a product id must be a whole number, got {value!r}")
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise FashionError(f"a product id must be a whole number, got {value!r}") from None
    if isinstance(value, (float, np.floating)) and number != value:
        raise FashionError(f"a product id must be a whole number, got {value!r}")
    if not ID_RANGE[0] <= number <= ID_RANGE[1]:
        raise FashionError(f"product id {number} is out of range: too large for a 64-bit product id")
    return number


def check_product_ids(ids) -> list[int]:
    """Validated, de-duplicated, in the order given; one id alone is accepted too."""
    if isinstance(ids, (int, np.integer, str)):
        ids = [ids]
    return list(dict.fromkeys(check_product_id(i) for i in ids))


def check_known_ids(ids: list[int], known: Collection[int], *, where: str) -> list[int]:
    """``ids`` when every one is in ``known`` (the catalogue's ids); else an error naming the others.

    ``check_known_ids([10005], {10005, 10006}, where="the catalogue") == [10005]``
    """
    unknown = [pid for pid in ids if pid not in known]
    if unknown:
        shown = ", ".join(map(str, unknown[:SHOWN_IDS]))
        more = f" and {len(unknown) - SHOWN_IDS} more" if len(unknown) > SHOWN_IDS else ""
        raise FashionError(
            f"{len(unknown)} product id(s) not in the catalogue: {shown}{more} ({where}); "
            "nothing was changed: check the ids, or run `python -m core prepare` if the catalogue changed"
        )
    return ids
