"""Retrieval quality per query: the evaluation run on one split, kept query by query.

Owns the per-query table behind the Retrieval quality screen (one row per query: its rank, the
relevant and the first product, their scores and attributes) and its disk cache. What is derived
from the table (headline figures, breakdowns, rank distribution, worst queries, base vs
fine-tuned) is ``core.reports.breakdowns``'s; the analyst's own query is ``core.reports.analyst``'s.

The protocol is ``core.model.evaluate``'s text→image one (queries = the split's unique product names,
gallery = the split's images, relevant = every gallery product with exactly that name), computed by
the same :func:`core.model.evaluate.rank_queries`, so the table's aggregate equals ``evaluate.protocol``
exactly. Ranks are over the FULL gallery ranking, not cut at 10. A query's attributes (group,
articleType, baseColour, gender) are those of its best-ranked relevant product, the one its rank
counts; for the few names shared by products of two groups the breakdown may therefore differ from
``protocol``'s per-group figures, which count such a name in both groups.

Trade-off accepted: the table is cached on disk as parquet under ``settings.quality_dir`` keyed by
model version (plus a hash of its card, so a retrained version of the same name is not confused),
split, gallery and a hash of the catalogue columns the table depends on. A new image at the same
path is not noticed (delete ``quality_dir`` to recompute), and old entries are never pruned (each
is a few tens of kB). Two sessions missing the same entry at once both compute it; the atomic
write keeps the file whole.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import FashionError
from core.files import atomic_write
from core.model.evaluate import NAME, Embeddings, embed_catalog, rank_queries, text_to_image_queries
from core.model.features import load_rgb
from core.model.load import load_embedder
from core.model.registry import CARD_FILE, version_of

ATTRIBUTES = ("group", "articleType", "baseColour", "gender")
GALLERIES = ("split", "catalogue")
"""``split``: the protocol's gallery (the split's images); ``catalogue``: every product's image."""
SPLITS = ("test", "valid", "train")
FINGERPRINT_COLUMNS = ("id", NAME, "image", "split", *ATTRIBUTES)
TABLE_COLUMNS = ["query", "relevant_ids", "n_relevant", "rank", "relevant_id", "relevant_score",
                 "top_id", "top_name", "top_score", *ATTRIBUTES]

IMAGE_BATCH = 512
"""Images per encode batch of a lit model's galleries: its towers serve cached features, so a batch
is only the heads (vectors bit-identical to batches of 128; 9,375 images took about 4.5 s instead
of 6.5 s here). Other backends run a full image forward and keep their default batch."""

Progress = Callable[[str, float], None]  # (message, fraction done 0..1)


def query_and_gallery_rows(catalog: pd.DataFrame, split: str, gallery: str) -> tuple[np.ndarray, np.ndarray]:
    """Catalogue rows of the queries (products of ``split``) and of the gallery they are ranked against."""
    if split not in SPLITS:
        raise FashionError(f"unknown split {split!r}: choose {', '.join(SPLITS)}")
    if gallery not in GALLERIES:
        raise FashionError(f"unknown gallery {gallery!r}: choose {', '.join(GALLERIES)}")
    if "split" not in catalog.columns:
        raise FashionError("this catalogue has no split column: run `python -m core prepare` again")
    query_rows = np.flatnonzero(catalog["split"].to_numpy() == split)
    if len(query_rows) == 0:
        raise FashionError(f"the catalogue has no products in split {split!r}")
    return query_rows, (query_rows if gallery == "split" else np.arange(len(catalog)))


def table_from_embeddings(emb, catalog: pd.DataFrame, query_rows: np.ndarray, gallery_rows: np.ndarray) -> pd.DataFrame:
    """The per-query table (columns :data:`TABLE_COLUMNS`) from protocol embeddings.

    ``emb.images`` is indexed by catalogue row (as :func:`core.model.evaluate.embed_catalog` returns it
    for ``catalog``); rank 0 / id -1 mean the gallery holds no product of that name.
    """
    names, queries, relevant = text_to_image_queries(emb, catalog, query_rows, gallery_rows)
    ranks = rank_queries(queries, emb.gallery(gallery_rows), relevant)
    gallery = catalog.iloc[gallery_rows].reset_index(drop=True)
    ids = gallery["id"].to_numpy().astype(np.int64)

    def at(positions: np.ndarray, column: str, missing):
        values = gallery[column].to_numpy()
        return [values[p] if p >= 0 else missing for p in positions]

    frame = pd.DataFrame({
        "query": names,
        "relevant_ids": [sorted(int(ids[p]) for p in rel) for rel in relevant],
        "n_relevant": [len(rel) for rel in relevant],
        "rank": ranks.rank,
        "relevant_id": np.where(ranks.relevant >= 0, ids[ranks.relevant], -1),
        "relevant_score": ranks.relevant_score,
        "top_id": np.where(ranks.top >= 0, ids[ranks.top], -1),
        "top_name": at(ranks.top, NAME, ""),
        "top_score": ranks.top_score,
        **{column: at(ranks.relevant, column, "") for column in ATTRIBUTES},
    })
    return frame[TABLE_COLUMNS]


def query_table(embedder, catalog: pd.DataFrame, split: str = "test", gallery: str = "split", *,
                progress: Progress | None = None) -> pd.DataFrame:
    """Embed what ``split``/``gallery`` needs with ``embedder`` and build the per-query table.

    The split goes through :func:`core.model.evaluate.embed_catalog` (its images, names and types);
    for the whole-catalogue gallery only the other products' images are added (not their names).
    """
    query_rows, gallery_rows = query_and_gallery_rows(catalog, split, gallery)
    say = progress or (lambda message, fraction: None)
    share = len(query_rows) / len(gallery_rows)  # of the images to embed

    def split_images(done: int, total: int) -> None:
        message = f"Embedding the {split} images {done:,}/{total:,}" if done < total else "Embedding the query names"
        say(message, 0.05 + 0.8 * share * done / max(total, 1))

    part = catalog.iloc[query_rows].reset_index(drop=True)
    emb = embed_catalog(embedder, part, progress=split_images)
    if gallery == "split":
        say("Ranking the gallery", 0.9)
        table = table_from_embeddings(emb, part, np.arange(len(part)), np.arange(len(part)))
    else:
        others = np.setdiff1d(gallery_rows, query_rows)
        vectors = image_vectors(embedder, catalog["image"].iloc[others].tolist(), lambda message, fraction: say(
            message.replace("images", "the other images"), 0.05 + 0.8 * (share + (1 - share) * fraction)))
        images = np.zeros((len(catalog), emb.images.shape[1]), np.float32)
        images[query_rows], images[others] = emb.images, vectors
        whole = Embeddings(images, emb.names, emb.types)
        if emb.images_ext is not None:  # attribute re-scoring: the other images' blocks too
            scorer = embedder.scorer
            extended = np.zeros((len(catalog), emb.images_ext.shape[1]), np.float32)
            extended[query_rows] = emb.images_ext
            extended[others] = scorer.extend(vectors, embedder.image_attributes(catalog["image"].iloc[others].tolist()))
            whole = Embeddings(images, emb.names, emb.types, extended, emb.names_ext)
        say("Ranking the gallery", 0.9)
        table = table_from_embeddings(whole, catalog, query_rows, gallery_rows)
    say(f"{len(table):,} queries ranked", 1.0)
    return table


def image_vectors(embedder, paths: list[str], progress: Progress | None = None, step: int = 2048) -> np.ndarray:
    """Image vectors by file path (lit: through the frozen-feature cache), in chunks for progress."""
    say = progress or (lambda message, fraction: None)
    encode = getattr(embedder, "encode_image_files", None)
    batch = IMAGE_BATCH if getattr(embedder, "lit", False) else 64
    parts = []
    for start in range(0, len(paths), step):
        chunk = paths[start : start + step]
        if encode is None:
            parts.append(np.asarray(embedder.encode_images([load_rgb(p) for p in chunk], batch_size=batch), np.float32))
        else:
            parts.append(np.asarray(encode(chunk, batch_size=batch), np.float32))
        done = min(start + step, len(paths))
        say(f"Embedding images {done:,}/{len(paths):,}", done / len(paths))
    return np.concatenate(parts) if parts else np.zeros((0, int(getattr(embedder, "dim", 0))), np.float32)


def gallery_size(catalog: pd.DataFrame, split: str = "test", gallery: str = "split") -> int:
    """How many images the queries of ``split`` are ranked against (the whole catalogue, or the split)."""
    return len(query_and_gallery_rows(catalog, split, gallery)[1])


def catalogue_fingerprint(catalog: pd.DataFrame) -> str:
    """A hash of the catalogue columns the table depends on (ids, names, images, split, attributes)."""
    missing = [c for c in FINGERPRINT_COLUMNS if c not in catalog.columns]
    if missing:
        raise FashionError(f"the catalogue lacks column(s) {', '.join(missing)}: run `python -m core prepare` again")
    hashed = pd.util.hash_pandas_object(catalog[list(FINGERPRINT_COLUMNS)].astype(str), index=False)
    return hashlib.sha1(hashed.to_numpy().tobytes()).hexdigest()


def model_key(model_dir: Path) -> str:
    """``<version>-<card hash>``: a version folder retrained under the same name gets a new key.

    The version is :func:`core.model.registry.version_of`'s (read without torch, so a cache hit
    never imports it).
    """
    card = Path(model_dir) / CARD_FILE
    raw = card.read_bytes() if card.is_file() else b""
    digest = hashlib.sha1(raw).hexdigest()[:8] if raw else "nocard"
    return f"{version_of(model_dir)}-{digest}"


def cache_path(settings, model_dir: Path, catalog: pd.DataFrame, split: str = "test", gallery: str = "split",
               *, fingerprint: str | None = None) -> Path:
    """Where the table of this model, split, gallery and catalogue lives (it may not exist yet)."""
    query_and_gallery_rows(catalog, split, gallery)
    fingerprint = fingerprint or catalogue_fingerprint(catalog)
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", model_key(model_dir))
    return Path(settings.quality_dir) / f"{safe}-{split}-{gallery}-{fingerprint[:16]}.parquet"


def read_table(path: Path) -> pd.DataFrame | None:
    """A cached table, or None when it is missing or unreadable (then it is recomputed)."""
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError):
        return None
    if list(table.columns) != TABLE_COLUMNS:
        return None
    table["relevant_ids"] = table["relevant_ids"].map(lambda ids: [int(i) for i in ids])
    return table


def write_table(table: pd.DataFrame, path: Path) -> None:
    """Atomic: readers see the old file or the new one, never half of one."""
    atomic_write(path, lambda tmp: table.to_parquet(tmp, index=False))


def per_query_table(settings, model_dir: Path, catalog: pd.DataFrame, *, split: str = "test", gallery: str = "split",
                    embedder=None, progress: Progress | None = None, fingerprint: str | None = None) -> pd.DataFrame:
    """The per-query table of ``model_dir`` from the disk cache, computed and stored on a miss.

    ``embedder``: an Embedder, a zero-argument function returning one (called only on a miss), or
    None to load ``model_dir`` (feature cache ``settings.cache_dir``).

    >>> per_query_table(settings, latest_model(settings), load_catalog(settings))  # doctest: +SKIP
    """
    path = cache_path(settings, model_dir, catalog, split, gallery, fingerprint=fingerprint)
    table = read_table(path) if path.is_file() else None
    if table is not None:
        return table
    say = progress or (lambda message, fraction: None)
    say(f"Loading {Path(model_dir).name}", 0.0)
    if embedder is None:
        embedder = load_embedder(model_dir, cache_dir=settings.cache_dir)
    elif callable(embedder):
        embedder = embedder()
    table = query_table(embedder, catalog, split, gallery, progress=progress)
    write_table(table, path)
    return table
