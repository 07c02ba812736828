"""Building the vector index: catalogue rows -> cached embeddings -> two Chroma collections.

Owns ``build_index`` (what ``python -m core index`` runs) and its one-writer lock. For every
product it stores the image embedding (collection ``<model>-image``) and the description
embedding (``<model>-text``), each with the same metadata (``core.index.records``), so either side
can be filtered alike.

Resumable by construction: the collections are upserted in chunks no larger than
``client.get_max_batch_size()``; before a chunk is upserted its embeddings are appended to the
cache (``core.index.embedding_cache``, keyed by model version and the sha1 of the image file bytes
/ description text), so an interrupted run, re-run, re-embeds nothing it had computed. A product
whose stored metadata is already exactly what we would write is skipped, one that changed is
re-upserted (from the cache if its image and text did not change), and ids no longer in the
catalogue are deleted. The manifest (``core.index.manifest``) says ``building`` until the last
chunk is in and the counts check out. A server lost midway is a ``ServerUnavailableError`` that
says so (``core.index.store.server_errors``); the run after it resumes like any other.

When the model has attribute classifiers, each product's image block (``core.index.rescore``) is
computed here, from the frozen image features (through their cache: cheap once the catalogue was
trained on or indexed), and stored in the image metadata with the scorer's fingerprint, so a
search never runs the image backbone. An index whose blocks are missing or were made by another
scorer (one built before blocks were stored) gets them on the next run: the metadata alone is
updated, nothing is re-embedded. The manifest records the fingerprint under ``attributes``.

Past one machine (``index --shard i/n``): workers pointed at one Chroma server each embed and upsert
the products of their shard (:func:`shard_of`, a hash of the id), under a lock of their own, and
leave the index ``building``; they delete nothing and compact no cache. One plain run afterwards
finds every product already stored, deletes what left the catalogue, checks the counts and marks
the index complete: the workers' embedding is the cost, the finishing run is seconds.
"""

from __future__ import annotations

import os
import time
import zlib
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
from PIL import Image
from tqdm.auto import tqdm

from core.config import Settings
from core.data.catalog import load_catalog
from core.errors import FashionError
from core.index.embedding_cache import EmbeddingCache, cached_vectors
from core.index.filters import Vocabulary
from core.index.manifest import MANIFEST_FORMAT, now, read_manifest, write_manifest
from core.index.records import ATTRIBUTE_KEY, catalog_hash, catalog_records, catalogue_fields, product_text
from core.index.rescore import encode_blocks, has_block, scorer_fingerprint
from core.index.store import (
    collection_name,
    collection_space,
    get_existing,
    get_or_create,
    open_client,
    read_all,
    server_errors,
    store_location,
)
from core.model.embedder import Embedder

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

DEFAULT_CHUNK = 256
ProgressFn = Callable[[int, int], None]


def shard_of(product_id, shards: int) -> int:
    """The shard (0..shards-1) that indexes ``product_id``: stable across runs and machines."""
    return zlib.crc32(str(product_id).encode()) % shards


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> (2, 4): shard 2 of 4 (0-based); a FashionError that says why otherwise."""
    head, _, tail = str(text).partition("/")
    try:
        index, count = int(head), int(tail)
    except ValueError:
        raise FashionError(f"a shard is written i/n, e.g. 0/4 (got {text!r})") from None
    if count < 1 or not 0 <= index < count:
        raise FashionError(f"shard {text!r}: n must be at least 1 and i from 0 to n-1")
    return index, count


# -- build -----------------------------------------------------------------------------------
@dataclass
class IndexReport:
    """What one ``build_index`` run did."""

    model_version: str
    store: str
    collections: dict[str, str]
    products: int
    upserted: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded_images: int = 0
    embedded_texts: int = 0
    cached_images: int = 0
    cached_texts: int = 0
    attributes_stored: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    shard: str | None = None  # "i/n" for a worker's run

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"indexed {self.products} products for model {self.model_version} "
            f"({self.upserted} upserted, {self.unchanged} unchanged, {self.removed} removed; "
            f"embedded {self.embedded_images} images and {self.embedded_texts} texts, "
            f"{self.cached_images} + {self.cached_texts} from cache) "
            f"into the {self.store} in {self.seconds:.1f} s"
            + (f" as shard {self.shard}; run `index` without --shard once every shard is done" if self.shard else "")
            + (f"; stored the attribute scores of {self.attributes_stored}" if self.attributes_stored else "")
        )


def _stored_metadata(collection: "Collection", page: int) -> dict[str, dict]:
    got = read_all(collection, include=("metadatas",), page=page)
    return {id_: dict(meta or {}) for id_, meta in zip(got["ids"], got["metadatas"])}


def _attribute_metadata(embedder: Embedder, metas: list[dict], fingerprint: str | None) -> list[dict]:
    """``metas`` with each product's attribute block (image side); unchanged without a scorer."""
    if fingerprint is None or not metas:
        return metas
    blocks = embedder.image_attributes([m["image"] for m in metas])
    return [{**m, ATTRIBUTE_KEY: value} for m, value in zip(metas, encode_blocks(blocks, fingerprint))]


def _open_images(paths: Sequence[str]) -> list[Image.Image]:
    images = []
    for path in paths:
        try:
            with Image.open(path) as img:
                images.append(img.convert("RGB"))
        except (OSError, Image.DecompressionBombError) as exc:
            raise FashionError(f"cannot decode catalogue image {path}: {exc}") from None
    return images


def _encode_image_paths(embedder: Embedder, paths: list[str], batch_size: int) -> np.ndarray:
    """By file when the embedder can (the packaged towers then reuse their frozen-feature cache,
    keyed by file content), else by decoded image."""
    by_file = getattr(embedder, "encode_image_files", None)
    if by_file is not None:
        return by_file(paths, batch_size=batch_size)
    return embedder.encode_images(_open_images(paths), batch_size=batch_size)


@contextmanager
def index_lock(settings: Settings, version: str):
    """Hold the one-writer lock of ``version``'s index for this home; FashionError if it is taken.

    Two runs upserting the same collections at once would each skip or delete what the other is
    writing and leave a manifest that describes neither. The lock is an ``flock`` on
    ``HOME/locks/index-<version>.lock`` (released by the OS if the process dies, so a crash never
    leaves it stuck); it guards runs sharing this home, which is where the CLI and the dashboard
    start them. Its file says who holds it.
    """
    import fcntl  # POSIX only: imported where used, so the rest of the module imports anywhere

    path = settings.home / "locks" / f"index-{version}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise FashionError(
                f"another index run for {version} is in progress ({holder}); wait for it to finish"
            ) from None
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}, started {now()}")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_index(
    settings: Settings,
    embedder: Embedder,
    *,
    client: "ClientAPI | None" = None,
    chunk_size: int = DEFAULT_CHUNK,
    encode_batch_size: int = 64,
    progress: ProgressFn | None = None,
    show_progress: bool = True,
    shard: tuple[int, int] | None = None,
) -> IndexReport:
    """Index the prepared catalogue with ``embedder``; safe to re-run and to resume.

    ``shard=(i, n)``: embed and upsert only the products of shard ``i`` of ``n`` (see the module
    docstring); a plain run afterwards completes the index.

    ``progress(done, total)`` is called after every chunk (the dashboard drives a progress bar
    with it); ``show_progress`` adds tqdm bars on stderr. Only one run per model version and home
    at a time (see :func:`index_lock`); a second one fails at once with a clear error, and so does
    a run whose Chroma server stops answering (``ServerUnavailableError``).
    """
    location = store_location(settings)
    resume = "indexing again resumes where this run stopped"
    lock_name = embedder.version if shard is None else f"{embedder.version}-shard-{shard[0]}-of-{shard[1]}"
    with index_lock(settings, lock_name), server_errors(location, then=resume):
        started = time.perf_counter()
        catalog = load_catalog(settings)
        records = catalog_records(catalog, show_progress=show_progress)
        client = client or open_client(settings, location=location)
        names = {kind: collection_name(embedder.version, kind) for kind in ("image", "text")}

        existing = get_existing(client, names["image"])
        manifest = read_manifest(existing)
        if manifest and manifest.get("dim") not in (None, embedder.dim):
            raise FashionError(
                f"collection {names['image']} holds {manifest['dim']}-d vectors but model "
                f"{embedder.version} makes {embedder.dim}-d ones; give the model a new version"
            )
        collections = {kind: get_or_create(client, name) for kind, name in names.items()}
        for _kind, col in collections.items():
            if collection_space(col) not in (None, "cosine"):
                raise FashionError(f"collection {col.name} is not in cosine space; delete it first")

        wanted_hash = catalog_hash(records)
        report = IndexReport(
            model_version=embedder.version,
            store=location.describe(),
            collections=dict(names),
            products=len(records),
            shard=None if shard is None else f"{shard[0]}/{shard[1]}",
        )
        vocabulary = Vocabulary.from_records(records).to_dict()
        fingerprint = scorer_fingerprint(embedder)
        new_manifest = {
            "format": MANIFEST_FORMAT,
            "model_version": embedder.version,
            "dim": int(embedder.dim),
            "collections": dict(names),
            "catalog_hash": wanted_hash,
            "catalog_rows": len(records),
            "vocabulary": vocabulary,
            "status": "building",
            "started_at": now(),
            "completed_at": None,
            "counts": {},
            "attributes": None if fingerprint is None else {"key": ATTRIBUTE_KEY, "fingerprint": fingerprint},
        }
        if (
            manifest
            and manifest.get("status") == "complete"
            and manifest.get("catalog_hash") == wanted_hash
            and (manifest.get("attributes") or {}).get("fingerprint") == fingerprint
            and all(col.count() == len(records) for col in collections.values())
        ):
            report.unchanged = len(records)
            report.counts = {kind: col.count() for kind, col in collections.items()}
            report.seconds = time.perf_counter() - started
            return report
        write_manifest(collections["image"], new_manifest)

        max_batch = client.get_max_batch_size()
        page = max(1, min(max_batch, 5000))
        stored = {kind: _stored_metadata(col, page) for kind, col in collections.items()}

        if shard is not None:  # this worker's products only; the finishing run deletes and checks
            records = [m for m in records if shard_of(m["id"], shard[1]) == shard[0]]
            report.products = len(records)
        # products removed from the catalogue
        wanted_ids = {str(m["id"]) for m in records}
        for kind, col in (collections.items() if shard is None else ()):
            stale = sorted(set(stored[kind]) - wanted_ids)
            for start in range(0, len(stale), max_batch):
                col.delete(ids=stale[start : start + max_batch])
            if kind == "image":
                report.removed = len(stale)

        todo = [
            m
            for m in records
            if not all(catalogue_fields(stored[kind].get(str(m["id"]))) == m for kind in collections)
        ]
        report.unchanged = len(records) - len(todo)
        changed = {m["id"] for m in todo}
        backfill = [] if fingerprint is None else [
            m for m in records if m["id"] not in changed and not has_block(stored["image"].get(str(m["id"])), fingerprint)
        ]  # unchanged products whose attribute block is missing or stale: metadata only
        chunk = max(1, min(chunk_size, max_batch))
        caches = {kind: EmbeddingCache(settings.cache_dir, embedder.version, kind) for kind in names}
        texts_by_id = {int(r["id"]): product_text(r) for r in catalog.to_dict("records")}

        total = len(todo) + len(backfill)
        bar = tqdm(total=total, desc="indexing", unit="product", disable=not show_progress)
        try:
            for start in range(0, len(todo), chunk):
                metas = todo[start : start + chunk]
                ids = [str(m["id"]) for m in metas]
                texts = [texts_by_id[m["id"]] for m in metas]
                image_vectors, n_img = cached_vectors(
                    caches["image"],
                    [m["image_sha1"] for m in metas],
                    # metas/texts bound explicitly: the encoder belongs to this chunk only
                    lambda idx, metas=metas: _encode_image_paths(
                        embedder, [metas[i]["image"] for i in idx], encode_batch_size
                    ),
                    embedder.dim,
                )
                text_vectors, n_txt = cached_vectors(
                    caches["text"],
                    [m["text_sha1"] for m in metas],
                    lambda idx, texts=texts: embedder.encode_texts(
                        [texts[i] for i in idx], batch_size=encode_batch_size
                    ),
                    embedder.dim,
                )
                image_metas = _attribute_metadata(embedder, metas, fingerprint)
                collections["image"].upsert(ids=ids, embeddings=image_vectors, metadatas=image_metas)
                collections["text"].upsert(ids=ids, embeddings=text_vectors, metadatas=metas)
                report.embedded_images += n_img
                report.embedded_texts += n_txt
                report.cached_images += len(metas) - n_img
                report.cached_texts += len(metas) - n_txt
                report.upserted += len(metas)
                report.attributes_stored += len(metas) if fingerprint else 0
                bar.update(len(metas))
                if progress is not None:
                    progress(report.upserted, total)
            for start in range(0, len(backfill), chunk):  # products unchanged but for their block
                metas = _attribute_metadata(embedder, backfill[start : start + chunk], fingerprint)
                collections["image"].update(ids=[str(m["id"]) for m in metas], metadatas=metas)
                report.attributes_stored += len(metas)
                bar.update(len(metas))
                if progress is not None:
                    progress(report.upserted + start + len(metas), total)
        finally:
            bar.close()

        report.counts = {kind: col.count() for kind, col in collections.items()}
        if shard is not None:  # other workers may be writing the caches and the collections
            report.seconds = time.perf_counter() - started
            return report
        for cache in caches.values():
            cache.compact()
        report.counts = {kind: col.count() for kind, col in collections.items()}
        if any(count != len(records) for count in report.counts.values()):
            raise FashionError(
                f"index counts {report.counts} differ from the {len(records)} catalogue products; "
                "re-run `python -m core index`"
            )
        new_manifest.update(status="complete", completed_at=now(), counts=report.counts)
        write_manifest(collections["image"], new_manifest)
        report.seconds = time.perf_counter() - started
        return report
