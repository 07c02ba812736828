"""Backup and restore of the vector store: every ``fashion-*`` collection and its manifest.

A backup is a logical export, not a copy of Chroma's files: per collection, its vectors
(``embeddings.npy``), its records (``records.jsonl``: id + metadata) and its collection metadata
(which carries the index manifest), plus a top-level ``manifest.json`` with counts, sha256 of
every file and a few known queries. Trade-off accepted: slower than copying a folder, but it works
the same against the embedded store and a Chroma server (whose files we cannot reach), does not
depend on Chroma's on-disk format, and can move an index from one to the other.

Consistency: only complete indexes are exported, and each collection's count and manifest are
re-read after the export; if anything moved, the backup is abandoned. Files are written to a
temporary sibling folder renamed into place at the end, so a half-written backup never looks
like a backup.

Integrity: ``manifest.json`` lists every data file with its sha256, and ``manifest.sha256`` (written
last, in ``sha256sum`` format, so ``sha256sum -c manifest.sha256`` checks it by hand) signs the
manifest's bytes. Before touching the store, restore verifies the whole backup: the signature, the
collection names, that each collection's data files are exactly the listed ones and match, and
that nothing unlisted lies in the folder; any doubt is a :class:`FashionError`. The signature is a
checksum, not a secret key: it catches edits, damage and partial copies, not a forger who rewrites
both files. Backups from before the signature (format 1) are refused with how to make a new one:
accepting an unsigned manifest would let anyone strip the signature to get an edit through.
Restore then rebuilds each collection (the image collection is marked ``building`` until all of
it is in, so search refuses a half-restored index), verifies the counts and re-runs the known
queries.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from tqdm.auto import tqdm

from core.config import Settings
from core.errors import FashionError
from core.files import file_sha256
from core.index.manifest import MANIFEST_KEY, now, read_manifest
from core.index.store import (
    COLLECTION_PREFIX,
    get_existing,
    get_or_create,
    open_client,
    read_all,
    server_errors,
    store_location,
)

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

BACKUP_FORMAT = 2  # 2: manifest signed by manifest.sha256; 1: unsigned (refused)
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sha256"
DATA_FILES = ("embeddings.npy", "records.jsonl")  # exactly these, in every collection's folder
KNOWN_QUERIES = 3
KNOWN_K = 5
# Chroma's rule (3-512 of [A-Za-z0-9._-], alphanumeric at both ends, no "..") under our prefix,
# which also keeps a name a plain folder name: no "/", never "." or "..".
_COLLECTION = re.compile(rf"{COLLECTION_PREFIX}-[A-Za-z0-9._-]*[A-Za-z0-9]")
_SIGNATURE_LINE = re.compile(rf"([0-9a-f]{{64}})(?:[ \t]+\*?{re.escape(MANIFEST)})?")
_REMAKE = "restore another backup or make a new one with `python -m core backup --to DIR`"


@dataclass
class BackupReport:
    """What a backup or restore did; ``counts`` maps collection name to records."""

    path: str
    store: str
    counts: dict[str, int] = field(default_factory=dict)
    verified_queries: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _exact_top(vectors: np.ndarray, ids: list[str], query: np.ndarray, k: int) -> dict:
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")[:k]
    return {"expected": [ids[i] for i in order], "scores": [float(scores[i]) for i in order]}


def _our_collections(client: "ClientAPI") -> list[str]:
    return sorted(
        c if isinstance(c, str) else c.name
        for c in client.list_collections()
        if (c if isinstance(c, str) else c.name).startswith(f"{COLLECTION_PREFIX}-")
    )


def backup(settings: Settings, dest: Path, *, client: "ClientAPI | None" = None) -> BackupReport:
    """Copy every collection of the index to ``dest`` (see the module docstring); a lost server is
    one clear error (``ServerUnavailableError``), and the partial copy is removed."""
    with server_errors(store_location(settings), then="run the backup again once the server is back"):
        return _backup(settings, dest, client=client)


def _backup(settings: Settings, dest: Path, *, client: "ClientAPI | None" = None) -> BackupReport:
    """Export every ``fashion-*`` collection to ``dest`` (a new or empty folder)."""
    started = time.perf_counter()
    dest = Path(dest).expanduser().resolve()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise FashionError(f"{dest} already exists and is not an empty folder; choose a new one")
    location = store_location(settings)
    client = client or open_client(settings, location=location)
    names = _our_collections(client)
    if not names:
        raise FashionError(
            f"nothing to back up: the {location.describe()} has no index; "
            f"build one with `python -m core index --home {settings.home}`"
        )
    collections = {name: get_existing(client, name) for name in names}
    for name, col in collections.items():
        manifest = read_manifest(col)
        if manifest is not None and manifest.get("status") != "complete":
            raise FashionError(
                f"the index in {name} is not complete (status {manifest.get('status')}); "
                "finish it with `python -m core index` before backing up"
            )

    tmp = dest.parent / f".{dest.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
    except OSError as exc:
        raise FashionError(_unwritable(dest, exc)) from exc
    report = BackupReport(path=str(dest), store=location.describe())
    entries = []
    try:
        for name, col in tqdm(collections.items(), desc="backing up", unit="collection"):
            before = (col.count(), json.dumps(col.metadata or {}, sort_keys=True))
            got = read_all(col, include=("embeddings", "metadatas"))
            folder = tmp / name
            folder.mkdir()
            vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            np.save(folder / "embeddings.npy", vectors)
            with open(folder / "records.jsonl", "w", encoding="utf-8") as fh:
                for id_, meta in zip(got["ids"], got["metadatas"]):
                    fh.write(json.dumps({"id": id_, "metadata": meta}, sort_keys=True) + "\n")
            fresh = get_existing(client, name)
            after = None
            if fresh is not None:
                after = (fresh.count(), json.dumps(fresh.metadata or {}, sort_keys=True))
            if after != before or len(got["ids"]) != before[0]:
                raise FashionError(f"{name} changed during the backup; run the backup again")
            known = []
            if len(got["ids"]) and name.endswith("-image"):
                picks = sorted(got["ids"])
                spread = np.linspace(0, len(picks) - 1, KNOWN_QUERIES).astype(int)
                picks = list(dict.fromkeys(picks[i] for i in spread))
                position = {id_: i for i, id_ in enumerate(got["ids"])}
                for pid in picks:
                    exact = _exact_top(vectors, got["ids"], vectors[position[pid]], KNOWN_K)
                    known.append({"id": pid, **exact})
            entries.append(
                {
                    "name": name,
                    "count": len(got["ids"]),
                    "dim": int(vectors.shape[1]) if vectors.size else None,
                    "metadata": col.metadata or {},
                    "known_queries": known,
                    "files": {
                        f.name: file_sha256(f) for f in sorted(folder.iterdir()) if f.is_file()
                    },
                }
            )
            report.counts[name] = len(got["ids"])
        manifest = {
            "format": BACKUP_FORMAT,
            "created_at": now(),
            "source": location.describe(),
            "collections": entries,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        (tmp / SIGNATURE).write_text(f"{file_sha256(tmp / MANIFEST)}  {MANIFEST}\n")  # last
        if dest.exists():
            dest.rmdir()
        os.replace(tmp, dest)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):  # disk full, read-only...
            raise FashionError(_unwritable(dest, exc)) from exc
        raise
    report.seconds = time.perf_counter() - started
    return report


def _unwritable(dest: Path, exc: OSError) -> str:
    return (
        f"cannot write the backup to {dest} ({exc.strerror or exc}); "
        "choose a folder you can write to, with room for the index"
    )


def _unsigned(source: Path, body: bytes) -> str:
    try:
        made = json.loads(body).get("format")
    except (ValueError, AttributeError):
        made = None
    if made != BACKUP_FORMAT:
        return (
            f"{source} was made by an older version (backup format {made}): its manifest is not signed, "
            "so it cannot be verified and is not restored; make a new backup with "
            "`python -m core backup --to DIR` from the store it came from"
        )
    return f"{source} has no {SIGNATURE}: the backup is incomplete or was altered; {_REMAKE}"


def _signed_manifest(source: Path) -> dict:
    """The manifest, parsed from the very bytes whose sha256 matches ``manifest.sha256``."""
    path, signature = source / MANIFEST, source / SIGNATURE
    if not path.is_file():
        raise FashionError(f"{source} is not a backup (no {MANIFEST}); make one with `backup --to`")
    try:
        body = path.read_bytes()
        if not signature.is_file():
            raise FashionError(_unsigned(source, body))
        signed = _SIGNATURE_LINE.fullmatch(signature.read_text(encoding="utf-8").strip().lower())
    except (OSError, UnicodeDecodeError) as exc:
        raise FashionError(f"cannot read the backup in {source} ({exc}); {_REMAKE}") from None
    if signed is None:
        raise FashionError(f"{signature} is not a sha256 signature of {MANIFEST}; {_REMAKE}")
    if hashlib.sha256(body).hexdigest() != signed.group(1):
        raise FashionError(
            f"{path} does not match its signature in {SIGNATURE}: the backup was edited or damaged "
            f"after it was made; {_REMAKE}"
        )
    try:
        manifest = json.loads(body)
    except ValueError as exc:
        raise FashionError(f"{path} is not readable JSON ({exc}); {_REMAKE}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        made = manifest.get("format") if isinstance(manifest, dict) else None
        raise FashionError(f"{path} has backup format {made}, expected {BACKUP_FORMAT}; {_REMAKE}")
    return manifest


def _check_entry(entry, path: Path) -> None:
    if not isinstance(entry, dict):
        raise FashionError(f"{path} lists a collection that is not an object; {_REMAKE}")
    name = entry.get("name")
    if not isinstance(name, str) or len(name) > 512 or ".." in name or not _COLLECTION.fullmatch(name):
        raise FashionError(
            f"{path} holds an invalid collection name {name!r} (expected {COLLECTION_PREFIX}-<model "
            f"version>-<kind>, of letters, digits, '.', '_' and '-'); {_REMAKE}"
        )
    count, files = entry.get("count"), entry.get("files")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise FashionError(f"{path} gives {name} an invalid count {count!r}; {_REMAKE}")
    files = files if isinstance(files, dict) else {}
    for fname in DATA_FILES:
        if not isinstance(files.get(fname), str) or not re.fullmatch(r"[0-9a-f]{64}", files[fname]):
            raise FashionError(
                f"{name}/{fname} is not listed with its sha256 in {path}, so it cannot be verified; {_REMAKE}"
            )
    extra = sorted(set(files) - set(DATA_FILES))
    if extra:
        raise FashionError(f"{path} lists unexpected files for {name} ({', '.join(extra)}); {_REMAKE}")


def verify_backup(source: Path) -> dict:
    """The manifest of the backup in ``source`` once all of it is verified (signature, names,
    listed files and their sha256, nothing unlisted); a FashionError saying what is wrong else."""
    source = Path(source).expanduser()
    manifest = _signed_manifest(source)
    path, entries = source / MANIFEST, manifest.get("collections")
    if not isinstance(entries, list) or not entries:
        raise FashionError(f"{path} lists no collections; {_REMAKE}")
    for entry in entries:
        _check_entry(entry, path)
    names = [entry["name"] for entry in entries]
    if len(set(names)) != len(names):
        raise FashionError(f"{path} lists a collection twice; {_REMAKE}")
    expected = {MANIFEST: None, SIGNATURE: None, **{name: set(DATA_FILES) for name in names}}
    unlisted = [p for p in sorted(source.iterdir()) if p.name not in expected]
    for name in names:
        folder = source / name
        if folder.is_dir():
            unlisted += [p for p in sorted(folder.iterdir()) if p.name not in DATA_FILES or not p.is_file()]
    if unlisted:
        shown = ", ".join(str(p.relative_to(source)) for p in unlisted[:5])
        raise FashionError(
            f"{source} holds {len(unlisted)} file(s) not listed in its manifest ({shown}): the backup was "
            f"altered after it was made; {_REMAKE}"
        )
    for entry in entries:
        for fname in DATA_FILES:
            file = source / entry["name"] / fname
            if not file.is_file():
                raise FashionError(f"backup file {file} is missing; {_REMAKE}")
            if file_sha256(file) != entry["files"][fname]:
                raise FashionError(f"backup file {file} is damaged (sha256 mismatch); {_REMAKE}")
    return manifest


def restore(settings: Settings, source: Path, *, client: "ClientAPI | None" = None) -> BackupReport:
    """Verify ``source`` whole, then rebuild its collections (see the module docstring); a lost server
    is one clear error (``ServerUnavailableError``)."""
    with server_errors(store_location(settings), then="run the restore again once the server is back"):
        return _restore(settings, source, client=client)


def _restore(settings: Settings, source: Path, *, client: "ClientAPI | None" = None) -> BackupReport:
    """Replace the collections saved in ``source`` in the current store, then verify them."""
    started = time.perf_counter()
    source = Path(source).expanduser().resolve()
    manifest = verify_backup(source)  # all of it, before the store is touched

    location = store_location(settings)
    client = client or open_client(settings, location=location)
    report = BackupReport(path=str(source), store=location.describe())
    batch = client.get_max_batch_size()
    # image collections last: their manifest says "complete" only once everything is back
    entries = sorted(manifest["collections"], key=lambda e: e["name"].endswith("-image"))
    for entry in tqdm(entries, desc="restoring", unit="collection"):
        name = entry["name"]
        folder = source / name
        vectors = np.load(folder / "embeddings.npy", allow_pickle=False)
        records = [json.loads(line) for line in (folder / "records.jsonl").read_text().splitlines()]
        if len(records) != entry["count"] or len(vectors) != entry["count"]:
            raise FashionError(f"backup of {name} holds {len(records)} records, expected {entry['count']}")
        if get_existing(client, name) is not None:
            client.delete_collection(name)
        final_meta = dict(entry["metadata"] or {})
        pending_meta = dict(final_meta)
        if MANIFEST_KEY in pending_meta:
            index_manifest = json.loads(pending_meta[MANIFEST_KEY])
            index_manifest["status"] = "building"
            pending_meta[MANIFEST_KEY] = json.dumps(index_manifest, sort_keys=True)
        col = get_or_create(client, name, metadata=pending_meta or None)
        for start in range(0, len(records), batch):
            part = records[start : start + batch]
            col.upsert(
                ids=[r["id"] for r in part],
                embeddings=vectors[start : start + batch],
                metadatas=[r["metadata"] for r in part],
            )
        if final_meta:
            col.modify(metadata=final_meta)
        report.counts[name] = col.count()
        if report.counts[name] != entry["count"]:
            raise FashionError(
                f"restore of {name} holds {report.counts[name]} records, expected {entry['count']}"
            )
        position = {r["id"]: i for i, r in enumerate(records)}
        for known in entry.get("known_queries", []):
            got = col.query(
                query_embeddings=[vectors[position[known["id"]]]],
                n_results=len(known["expected"]),
                include=["distances"],
            )
            found = got["ids"][0]
            scores = [1.0 - d for d in got["distances"][0]]
            # compare similarities, not ids: products with identical vectors tie in any order
            if len(scores) != len(known["scores"]) or not np.allclose(
                scores, known["scores"], atol=1e-3
            ):
                raise FashionError(
                    f"restore verification failed for {name}: query for {known['id']} returned "
                    f"{found}, expected {known['expected']}"
                )
            report.verified_queries += 1
    report.seconds = time.perf_counter() - started
    return report
