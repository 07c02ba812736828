"""The curation store: merchandisers' tags, flags, notes and suggestion decisions, in SQLite.

One file, ``Settings.curation_db`` (``HOME/curation/curation.sqlite3``): user work, not a cache,
so nothing here is ever recomputed or dropped. Layout:

- ``events``: append-only history, one row per change (time, author, product_id, action, value,
  note). ``history(product_id)`` reads it; nothing ever updates or deletes a row there.
- ``tags``, ``flags``, ``notes``: the current state, kept in step with ``events`` in the same
  transaction, so reads (``labels``, ``ids_with_tags``) never replay the history.
- ``decisions``: accepted / dismissed suggestions, keyed by ``kind:id,id`` (see
  ``core.curation.rules.suggestion_key``), so a decision survives recomputing the suggestions; an
  accepted near-duplicate records the product kept (``kept``), and only the other is flagged.
  Columns added later are added to an older file when it is opened (``schema.MIGRATIONS``).

Concurrency and crashes: WAL journal, a 30 s ``busy_timeout``, one short-lived connection per
operation (so any thread or dashboard session may call any method) and every write in one
``BEGIN IMMEDIATE`` transaction: writers queue instead of failing with "database is locked",
readers are never blocked, and a crash or an exception mid-write leaves nothing half-written.
Trade-off accepted: opening a connection per call costs ~0.1 ms and ``synchronous = FULL`` an
fsync per commit (a few ms); a long-lived connection would have to be guarded per thread and would
pin a WAL snapshot in a long dashboard session, and user work is worth the fsync.

The tables and the checks on every input are ``core.curation.schema``'s; turning the labels into
CSV or Parquet files is ``core.curation.export``'s.

Example::

    store = CurationStore(settings.curation_db)
    store.add_tag([15970, 39386], "summer-edit", author="asha")
    store.ids_with_tags(["summer-edit"])        # {15970, 39386}
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from core.curation.schema import (
    DECISIONS,
    FLAG_KINDS,
    JOIN,
    MAX_NOTE_CHARS,
    SCHEMA,
    Decision,
    check_author,
    check_flag,
    check_product_id,
    check_product_ids,
    check_tag,
    migrate,
)
from core.errors import FashionError

BUSY_TIMEOUT_MS = 30_000

_INITIALISED: set[str] = set()
_INIT_LOCK = threading.Lock()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _split(joined: str | None) -> list[str]:
    return sorted(set(joined.split("\x1f"))) if joined else []


class CurationStore:
    """Tags, flags, notes and suggestion decisions per product; safe for concurrent writers.

    Cheap to construct (the schema is created once per file and process), so build one per call
    site; every method opens and closes its own connection.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()
        self._ensure_schema()

    def __repr__(self) -> str:
        return f"CurationStore({str(self.path)!r})"

    # connections -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous = FULL")  # a commit survives a power cut too, not only a crash
        return conn

    def _ensure_schema(self) -> None:
        key = str(self.path.absolute())
        with _INIT_LOCK:
            if key in _INITIALISED and self.path.exists():
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise FashionError(f"cannot create the curation folder {self.path.parent}: {error}") from None
            conn = self._connect()
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")  # persistent: stored in the file
                conn.executescript("BEGIN IMMEDIATE;" + SCHEMA + "COMMIT;")
                migrate(conn)
            except sqlite3.DatabaseError as error:
                raise FashionError(f"{self.path} is not a usable curation database: {error}") from None
            finally:
                conn.close()
            _INITIALISED.add(key)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._connect()
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: everything inside commits together or not at all."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlock later
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    @staticmethod
    def _event(conn, time, author, product_id, action, value="", note="") -> None:
        conn.execute(
            "INSERT INTO events (time, author, product_id, action, value, note) VALUES (?,?,?,?,?,?)",
            (time, author, product_id, action, value, note),
        )

    # tags ------------------------------------------------------------------------------------
    def _canonical_tag(self, conn, tag: str) -> str:
        """An existing tag spelled differently only in case is reused ("Summer" -> "summer")."""
        row = conn.execute(
            "SELECT tag FROM tags WHERE lower(tag) = lower(?) ORDER BY tag = ? DESC LIMIT 1", (tag, tag)
        ).fetchone()
        return row[0] if row else tag

    def add_tag(self, ids, tag: str, *, author: str, note: str = "") -> int:
        """Tag every product in ``ids``; returns how many were not tagged yet (idempotent)."""
        tag, author, ids = check_tag(tag), check_author(author), check_product_ids(ids)
        added, time = 0, _now()
        with self.transaction() as conn:
            tag = self._canonical_tag(conn, tag)
            for pid in ids:
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO tags (product_id, tag, author, time) VALUES (?,?,?,?)",
                    (pid, tag, author, time),
                )
                if cursor.rowcount:
                    added += 1
                    self._event(conn, time, author, pid, "tag", tag, str(note or ""))
        return added

    def remove_tag(self, ids, tag: str, *, author: str) -> int:
        """Remove ``tag`` from every product in ``ids``; returns how many carried it."""
        tag, author, ids = check_tag(tag), check_author(author), check_product_ids(ids)
        removed, time = 0, _now()
        with self.transaction() as conn:
            tag = self._canonical_tag(conn, tag)
            for pid in ids:
                cursor = conn.execute("DELETE FROM tags WHERE product_id = ? AND tag = ?", (pid, tag))
                if cursor.rowcount:
                    removed += 1
                    self._event(conn, time, author, pid, "untag", tag)
        return removed

    def tag_names(self) -> list[str]:
        """Every tag carried by at least one product, sorted."""
        with self._read() as conn:
            return [row[0] for row in conn.execute("SELECT DISTINCT tag FROM tags ORDER BY tag")]

    def tag_counts(self) -> dict[str, int]:
        """Tag -> number of products carrying it."""
        with self._read() as conn:
            return dict(conn.execute("SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag"))

    def check_tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        """``tags`` in their stored spelling; FashionError naming the tags in use for an unknown one."""
        known = self.tag_names()
        by_folded = {t.casefold(): t for t in known}
        out: list[str] = []
        for tag in tags:
            hit = by_folded.get(str(tag).strip().casefold())
            if hit is None:
                in_use = ", ".join(known) if known else "none yet (tag products on the Curation screen)"
                raise FashionError(f"unknown curation tag {str(tag).strip()!r}; tags in use: {in_use}")
            out.append(hit)
        return tuple(dict.fromkeys(out))

    def ids_with_tags(self, tags: Iterable[str]) -> set[int]:
        """Products carrying ANY of ``tags`` (an unknown tag simply matches nothing)."""
        wanted = [str(t).strip() for t in ([tags] if isinstance(tags, str) else tags)]
        if not wanted:
            return set()
        marks = ",".join("?" * len(wanted))
        with self._read() as conn:
            rows = conn.execute(f"SELECT DISTINCT product_id FROM tags WHERE tag IN ({marks})", wanted)
            return {int(row[0]) for row in rows}

    # flags -----------------------------------------------------------------------------------
    def flag(self, ids, kind: str, *, author: str, note: str = "") -> int:
        """Flag every product in ``ids`` as ``kind`` (one of FLAG_KINDS); returns how many were new."""
        kind, author, ids = check_flag(kind), check_author(author), check_product_ids(ids)
        with self.transaction() as conn:
            return self._flag(conn, ids, kind, author, str(note or ""), _now())

    def _flag(self, conn, ids: list[int], kind: str, author: str, note: str, time: str) -> int:
        added = 0
        for pid in ids:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO flags (product_id, kind, author, time, note) VALUES (?,?,?,?,?)",
                (pid, kind, author, time, note),
            )
            if cursor.rowcount:
                added += 1
                self._event(conn, time, author, pid, "flag", kind, note)
        return added

    def unflag(self, ids, kind: str, *, author: str) -> int:
        """Clear flag ``kind`` on every product in ``ids``; returns how many carried it."""
        kind, author, ids = check_flag(kind), check_author(author), check_product_ids(ids)
        removed, time = 0, _now()
        with self.transaction() as conn:
            for pid in ids:
                cursor = conn.execute("DELETE FROM flags WHERE product_id = ? AND kind = ?", (pid, kind))
                if cursor.rowcount:
                    removed += 1
                    self._event(conn, time, author, pid, "unflag", kind)
        return removed

    def ids_with_flags(self, kinds: Iterable[str] = FLAG_KINDS) -> set[int]:
        kinds = [check_flag(k) for k in ([kinds] if isinstance(kinds, str) else kinds)]
        if not kinds:
            return set()
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT DISTINCT product_id FROM flags WHERE kind IN ({','.join('?' * len(kinds))})", kinds
            )
            return {int(row[0]) for row in rows}

    # notes -----------------------------------------------------------------------------------
    def add_note(self, product_id, text: str, *, author: str) -> None:
        """Attach a free-text note to one product."""
        pid, author = check_product_id(product_id), check_author(author)
        text = str(text or "").strip()
        if not text:
            raise FashionError("a note cannot be empty")
        if len(text) > MAX_NOTE_CHARS:
            raise FashionError(f"a note has at most {MAX_NOTE_CHARS} characters, got {len(text)}")
        time = _now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO notes (product_id, author, time, text) VALUES (?,?,?,?)", (pid, author, time, text)
            )
            self._event(conn, time, author, pid, "note", "", text)

    def notes(self, product_id) -> pd.DataFrame:
        """One product's notes, oldest first: time, author, text."""
        with self._read() as conn:
            return pd.read_sql_query(
                "SELECT time, author, text FROM notes WHERE product_id = ? ORDER BY seq",
                conn, params=(check_product_id(product_id),),
            )

    # reading ---------------------------------------------------------------------------------
    def labels(self, ids=None) -> pd.DataFrame:
        """One row per product with any tag, flag or note (among ``ids`` when given).

        Columns: ``id`` (int64), ``tags`` and ``flags`` ("; "-joined, sorted, "" if none),
        ``notes`` (count). Sorted by id.
        """
        with self._read() as conn:
            rows = conn.execute(
                """
                WITH products AS (
                    SELECT product_id FROM tags UNION SELECT product_id FROM flags
                    UNION SELECT product_id FROM notes)
                SELECT p.product_id,
                       (SELECT group_concat(tag, char(31)) FROM tags t WHERE t.product_id = p.product_id),
                       (SELECT group_concat(kind, char(31)) FROM flags f WHERE f.product_id = p.product_id),
                       (SELECT COUNT(*) FROM notes n WHERE n.product_id = p.product_id)
                FROM products p ORDER BY p.product_id
                """
            ).fetchall()
        frame = pd.DataFrame(
            {
                "id": np.array([r[0] for r in rows], dtype=np.int64),
                "tags": pd.Series([JOIN.join(_split(r[1])) for r in rows], dtype=str),
                "flags": pd.Series([JOIN.join(_split(r[2])) for r in rows], dtype=str),
                "notes": np.array([r[3] for r in rows], dtype=np.int64),
            },
            columns=["id", "tags", "flags", "notes"],
        )
        if ids is not None:
            wanted = set(check_product_ids(ids))
            frame = frame[frame["id"].isin(wanted)].reset_index(drop=True)
        return frame

    def history(self, product_id) -> pd.DataFrame:
        """Every action on one product, oldest first: time, author, action, value, note."""
        with self._read() as conn:
            return pd.read_sql_query(
                "SELECT time, author, action, value, note FROM events WHERE product_id = ? ORDER BY seq",
                conn, params=(check_product_id(product_id),),
            )

    def events(self, limit: int | None = None) -> pd.DataFrame:
        """The whole history, newest first (``limit`` rows at most)."""
        sql = "SELECT seq, time, author, product_id, action, value, note FROM events ORDER BY seq DESC"
        with self._read() as conn:
            if limit is not None:
                return pd.read_sql_query(sql + " LIMIT ?", conn, params=(int(limit),))
            return pd.read_sql_query(sql, conn)

    # suggestion decisions --------------------------------------------------------------------
    def decide(self, key: str, kind: str, ids, decision: str, *, author: str, note: str = "",
               flag: str | None = None, kept: int | None = None) -> None:
        """Store the decision on suggestion ``key`` (replacing an earlier one), in one transaction
        with the matching ``flag`` on its products when given (accepting a label error, say).

        ``kept`` (accepting a near-duplicate): the product to keep, one of ``ids``; it is recorded
        with the decision and only the other products are flagged.
        """
        if decision not in DECISIONS:
            raise FashionError(f"unknown decision {decision!r}; valid: {', '.join(DECISIONS)}")
        author, ids = check_author(author), check_product_ids(ids)
        if flag is not None:
            check_flag(flag)
        if not str(key).strip():
            raise FashionError("a suggestion key cannot be empty")
        if kept is not None:
            kept = check_product_id(kept)
            if kept not in ids:
                raise FashionError(f"product {kept} is not one of {', '.join(map(str, ids))}: keep one of them")
            if decision != "accepted":
                raise FashionError("only an accepted suggestion keeps a product")
        time = _now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO decisions (key, kind, ids, decision, author, time, note, kept) "
                "VALUES (?,?,?,?,?,?,?,?)",
                (key, kind, ",".join(map(str, ids)), decision, author, time, str(note or ""), kept),
            )
            for pid in ids:
                said = "kept" if pid == kept else str(note or "")
                self._event(conn, time, author, pid, f"suggestion-{decision}", key, said)
            if flag is not None and decision == "accepted":
                others = [pid for pid in ids if pid != kept]
                why = f"accepted suggestion {key}" + (f", keeping {kept}" if kept is not None else "")
                self._flag(conn, others, flag, author, why, time)

    def undecide(self, key: str, *, author: str) -> bool:
        """Forget the decision on ``key`` (the suggestion is pending again); flags stay."""
        author = check_author(author)
        time = _now()
        with self.transaction() as conn:
            row = conn.execute("SELECT ids FROM decisions WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM decisions WHERE key = ?", (key,))
            for pid in [int(i) for i in row[0].split(",") if i]:
                self._event(conn, time, author, pid, "suggestion-reopened", key)
        return True

    def decisions(self) -> dict[str, Decision]:
        """Every stored decision, by suggestion key."""
        with self._read() as conn:
            rows = conn.execute("SELECT key, kind, ids, decision, author, time, note, kept FROM decisions").fetchall()
        return {
            r[0]: Decision(r[0], r[1], tuple(int(i) for i in r[2].split(",") if i), r[3], r[4], r[5], r[6], r[7])
            for r in rows
        }
