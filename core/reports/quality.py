"""Retrieval quality per query: the evaluation run on one split, kept query by query.

Owns the per-query table behind the Retrieval quality screen and everything derived from it:
headline figures, breakdowns per group / article type / colour / gender, the rank distribution,
the worst queries, base vs fine-tuned per query, and the analyst's own query.

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
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import FashionError
from core.model.evaluate import (
    NAME,
    Embeddings,
    embed_catalog,
    metrics_from_ranks,
    rank_queries,
    text_to_image_queries,
)
from core.model.registry import CARD_FILE

ATTRIBUTES = ("group", "articleType", "baseColour", "gender")
GALLERIES = ("split", "catalogue")
"""``split``: the protocol's gallery (the split's images); ``catalogue``: every product's image."""
SPLITS = ("test", "valid", "train")
BUCKETS = (("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11-50", 11, 50), ("51-100", 51, 100),
           (">100", 101, None))
SMALL = 10
"""Breakdown rows with fewer queries than this are marked ``small``: their figures are noisy."""
FINGERPRINT_COLUMNS = ("id", NAME, "image", "split", *ATTRIBUTES)
TABLE_COLUMNS = ["query", "relevant_ids", "n_relevant", "rank", "relevant_id", "relevant_score",
                 "top_id", "top_name", "top_score", *ATTRIBUTES]

IMAGE_BATCH = 512
"""Images per encode batch of a lit model's galleries: its towers serve cached features, so a batch
is only the heads (vectors bit-identical to batches of 128; 9,375 images took about 4.5 s instead
of 6.5 s here). Other backends run a full image forward and keep their default batch."""

Progress = Callable[[str, float], None]  # (message, fraction done 0..1)


# -- the per-query table ----------------------------------------------------------------------
def _rows(catalog: pd.DataFrame, split: str, gallery: str) -> tuple[np.ndarray, np.ndarray]:
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
    query_rows, gallery_rows = _rows(catalog, split, gallery)
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
        vectors = _image_vectors(embedder, catalog["image"].iloc[others].tolist(), lambda message, fraction: say(
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


def _image_vectors(embedder, paths: list[str], progress: Progress | None = None, step: int = 2048) -> np.ndarray:
    """Image vectors by file path (lit: through the frozen-feature cache), in chunks for progress."""
    say = progress or (lambda message, fraction: None)
    encode = getattr(embedder, "encode_image_files", None)
    batch = IMAGE_BATCH if getattr(embedder, "lit", False) else 64
    parts = []
    for start in range(0, len(paths), step):
        chunk = paths[start : start + step]
        if encode is None:
            from core.model.features import load_rgb

            parts.append(np.asarray(embedder.encode_images([load_rgb(p) for p in chunk], batch_size=batch), np.float32))
        else:
            parts.append(np.asarray(encode(chunk, batch_size=batch), np.float32))
        done = min(start + step, len(paths))
        say(f"Embedding images {done:,}/{len(paths):,}", done / len(paths))
    return np.concatenate(parts) if parts else np.zeros((0, int(getattr(embedder, "dim", 0))), np.float32)


def catalogue_fingerprint(catalog: pd.DataFrame) -> str:
    """A hash of the catalogue columns the table depends on (ids, names, images, split, attributes)."""
    missing = [c for c in FINGERPRINT_COLUMNS if c not in catalog.columns]
    if missing:
        raise FashionError(f"the catalogue lacks column(s) {', '.join(missing)}: run `python -m core prepare` again")
    hashed = pd.util.hash_pandas_object(catalog[list(FINGERPRINT_COLUMNS)].astype(str), index=False)
    return hashlib.sha1(hashed.to_numpy().tobytes()).hexdigest()


def model_key(model_dir: Path) -> str:
    """``<version>-<card hash>``: a version folder retrained under the same name gets a new key.

    The version is the card's (as ``core.model.towers.model_version`` reads it), else the folder name;
    read here without importing the encoders, so a cache hit never imports torch.
    """
    card = Path(model_dir) / CARD_FILE
    raw = card.read_bytes() if card.is_file() else b""
    try:
        version = str(json.loads(raw)["version"]) if raw else ""
    except (KeyError, TypeError, ValueError):
        version = ""
    digest = hashlib.sha1(raw).hexdigest()[:8] if raw else "nocard"
    return f"{version or Path(model_dir).resolve().name}-{digest}"


def cache_path(settings, model_dir: Path, catalog: pd.DataFrame, split: str = "test", gallery: str = "split",
               *, fingerprint: str | None = None) -> Path:
    """Where the table of this model, split, gallery and catalogue lives (it may not exist yet)."""
    _rows(catalog, split, gallery)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        table.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
        from core.model.towers import load_embedder

        embedder = load_embedder(model_dir, cache_dir=settings.cache_dir)
    elif callable(embedder):
        embedder = embedder()
    table = query_table(embedder, catalog, split, gallery, progress=progress)
    write_table(table, path)
    return table


# -- what the screen shows ----------------------------------------------------------------------
def overall(table: pd.DataFrame, k: int = 10) -> dict[str, float]:
    """R@1, R@k, MRR@k (as ``core.model.evaluate``), the query count and the median rank."""
    figures = metrics_from_ranks(table["rank"].to_numpy(), k)
    found = table["rank"][table["rank"] > 0]
    figures["median_rank"] = float(found.median()) if len(found) else float("nan")
    return figures


def breakdown(table: pd.DataFrame, by: str, *, k: int = 10, small: int = SMALL) -> pd.DataFrame:
    """One row per value of ``by``: queries, R@1, R@k, MRR@k, median rank, ``small`` flag.

    Sorted by query count (largest first), then by value.
    """
    if by not in ATTRIBUTES:
        raise FashionError(f"cannot break down by {by!r}: choose {', '.join(ATTRIBUTES)}")
    rows = [{by: value, **overall(part, k)} for value, part in table.groupby(by, sort=True)]
    frame = pd.DataFrame(rows, columns=[by, "r1", f"r{k}", f"mrr{k}", "queries", "median_rank"])
    frame["queries"] = frame["queries"].astype(int)
    frame["small"] = frame["queries"] < small
    frame = frame.sort_values(["queries", by], ascending=[False, True], kind="stable")
    return frame[[by, "queries", "r1", f"r{k}", f"mrr{k}", "median_rank", "small"]].reset_index(drop=True)


def rank_bucket(rank: int) -> str:
    """The histogram bucket of a 1-based rank ("not found" for 0)."""
    for label, low, high in BUCKETS:
        if rank >= low and (high is None or rank <= high):
            return label
    return "not found"


def rank_distribution(table: pd.DataFrame) -> pd.DataFrame:
    """Queries per rank bucket (1, 2-5, 6-10, 11-50, 51-100, >100; "not found" only when any)."""
    labels = [label for label, _, _ in BUCKETS]
    buckets = table["rank"].map(rank_bucket)
    if (buckets == "not found").any():
        labels.append("not found")
    counts = buckets.value_counts().reindex(labels, fill_value=0)
    frame = pd.DataFrame({"bucket": labels, "queries": counts.to_numpy().astype(int)})
    frame["share"] = frame["queries"] / max(len(table), 1)
    return frame


def _worst_first(table: pd.DataFrame) -> pd.Series:
    return table["rank"].where(table["rank"] > 0, np.iinfo(np.int64).max)  # "not found" is worst


def worst_queries(table: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` queries whose relevant product ranks lowest; ties by query text."""
    order = table.assign(_key=_worst_first(table)).sort_values(["_key", "query"], ascending=[False, True], kind="stable")
    return order.drop(columns="_key").head(n).reset_index(drop=True)


# -- base vs fine-tuned -------------------------------------------------------------------------
def compare(base: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """Per query found in both tables: ``rank_a`` (base), ``rank_b`` (other), ``gain`` = places
    the other model moved the relevant product up (positive = better, negative = worse, 0 also
    when either table has no relevant product for the query). Attributes are the base's."""
    keep = ["query", "rank", "relevant_id", "top_id", "top_name", *ATTRIBUTES]
    merged = base[keep].merge(other[keep[:5]], on="query", suffixes=("_a", "_b"), validate="one_to_one")
    both = (merged["rank_a"] > 0) & (merged["rank_b"] > 0)
    merged["gain"] = np.where(both, merged["rank_a"] - merged["rank_b"], 0)
    merged["outcome"] = np.select([merged["gain"] > 0, merged["gain"] < 0], ["better", "worse"], "same")
    return merged


def comparison_summary(comparison: pd.DataFrame, k: int = 10) -> dict[str, float]:
    """Counts of better / worse / same queries and both models' R@1, R@k, MRR@k on them."""
    counts = comparison["outcome"].value_counts()
    a = metrics_from_ranks(comparison["rank_a"].to_numpy(), k)
    b = metrics_from_ranks(comparison["rank_b"].to_numpy(), k)
    return {
        "queries": int(len(comparison)),
        **{outcome: int(counts.get(outcome, 0)) for outcome in ("better", "worse", "same")},
        **{f"{key}_a": a[key] for key in ("r1", f"r{k}", f"mrr{k}")},
        **{f"{key}_b": b[key] for key in ("r1", f"r{k}", f"mrr{k}")},
    }


def biggest_changes(comparison: pd.DataFrame, n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(wins, losses)``: the ``n`` largest gains and the ``n`` largest drops; ties by query text."""
    wins = comparison[comparison["gain"] > 0].sort_values(["gain", "query"], ascending=[False, True], kind="stable")
    losses = comparison[comparison["gain"] < 0].sort_values(["gain", "query"], ascending=[True, True], kind="stable")
    return wins.head(n).reset_index(drop=True), losses.head(n).reset_index(drop=True)


def default_comparison(models_dir: Path, latest: Path | None) -> tuple[Path, Path] | None:
    """``(base, latest)``: the latest model and the version registered just before it (the next
    one when it is the oldest); None when there is only one version. Only registered versions are
    candidates: a lit model's untrained heads are random and meaningless as a base."""
    from core.model.registry import versions

    found = versions(Path(models_dir))
    if latest is None or len(found) < 2:
        return None
    resolved = [v.resolve() for v in found]
    latest = Path(latest).resolve()
    at = resolved.index(latest) if latest in resolved else len(found)
    others = found[:at] + found[at + 1 :]
    return (found[at - 1] if at > 0 else others[0]), latest


# -- the analyst's own query --------------------------------------------------------------------
@dataclass(frozen=True)
class Gallery:
    """Image vectors of the products a query is ranked against."""

    scope: str  # "split" or "catalogue"
    split: str
    rows: np.ndarray  # catalogue row of each vector
    vectors: np.ndarray  # (len(rows), dim), L2-normalised
    attributes: np.ndarray | None = None  # the model's attribute blocks (core.model.attributes), if it has a scorer

    @property
    def label(self) -> str:
        return f"the {self.split} split ({len(self.rows):,} products)" if self.scope == "split" \
            else f"the whole catalogue ({len(self.rows):,} products)"


def build_gallery(embedder, catalog: pd.DataFrame, scope: str = "split", split: str = "test", *,
                  progress: Progress | None = None) -> Gallery:
    """Embed the images of ``split`` (scope "split") or of every product (scope "catalogue")."""
    _, rows = _rows(catalog, split, scope)
    paths = catalog["image"].iloc[rows].tolist()
    vectors = _image_vectors(embedder, paths, progress)
    scorer = getattr(embedder, "scorer", None)
    blocks = embedder.image_attributes(paths) if scorer is not None and scorer.weight > 0 else None
    return Gallery(scope, split, rows, vectors, blocks)


def parse_ids(text: str) -> list[int]:
    """Product ids typed as ``"1163, 1164 2201"``; anything else is a clear error."""
    tokens = [t for t in re.split(r"[\s,;]+", text or "") if t]
    bad = [t for t in tokens if not re.fullmatch(r"[0-9]+", t)]
    if bad:
        raise FashionError(f"not a product id: {', '.join(bad[:5])} (type numbers separated by commas)")
    return list(dict.fromkeys(int(t) for t in tokens))


def select_expected(catalog: pd.DataFrame, gallery: Gallery, *, ids: Iterable[int] = (), name_contains: str = "",
                    attributes: Mapping[str, Sequence[str]] | None = None) -> list[int]:
    """Product ids of the gallery the analyst expects: given ids, plus (when a name substring or
    attribute filters are given) every gallery product matching all of them. Errors say what is wrong."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    known = set(catalog["id"].astype(int))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise FashionError(f"unknown product id(s): {', '.join(map(str, unknown[:10]))}")
    in_gallery = set(catalog["id"].iloc[gallery.rows].astype(int))
    outside = [i for i in ids if i not in in_gallery]
    if outside:
        raise FashionError(f"product(s) {', '.join(map(str, outside[:10]))} are not in {gallery.label}: "
                           "search the whole catalogue instead")
    chosen = list(ids)
    filters = {k: list(v) for k, v in (attributes or {}).items() if v}
    if name_contains.strip() or filters:
        part = catalog.iloc[gallery.rows]
        mask = np.ones(len(part), dtype=bool)
        if name_contains.strip():
            mask &= part[NAME].str.contains(name_contains.strip(), case=False, regex=False).to_numpy()
        for column, values in filters.items():
            if column not in catalog.columns:
                raise FashionError(f"unknown attribute {column!r}")
            mask &= part[column].isin(values).to_numpy()
        matched = part["id"].to_numpy()[mask].astype(int).tolist()
        if not matched:
            described = ", ".join([f"name contains {name_contains.strip()!r}"] * bool(name_contains.strip())
                                  + [f"{k} in {v}" for k, v in filters.items()])
            raise FashionError(f"no product of {gallery.label} matches {described}")
        chosen += [i for i in matched if i not in set(chosen)]
    return chosen


@dataclass(frozen=True)
class AnalystResult:
    query: str
    gallery_label: str
    expected: pd.DataFrame  # one row per expected product: rank, score, id, name, attributes, image; best first
    top: pd.DataFrame  # the first results: rank, score, expected flag, id, name, attributes, image


def analyst_query(embedder, catalog: pd.DataFrame, gallery: Gallery, text: str, expected_ids: Iterable[int] = (),
                  *, top: int = 12) -> AnalystResult:
    """Rank ``gallery`` for ``text`` and say where each expected product lands (same ranking
    rule as the protocol: score, then gallery position)."""
    text = (text or "").strip()
    if not text:
        raise FashionError("type a query to rank the products against")
    expected_ids = select_expected(catalog, gallery, ids=expected_ids)
    query = np.asarray(embedder.encode_texts([text]), np.float32)[0]
    scores = gallery.vectors @ query
    if gallery.attributes is not None:  # the same re-scoring as the protocol and search
        scores = scores + embedder.scorer.weight * (gallery.attributes @ embedder.text_attributes([text])[0])
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(order), np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    products = catalog.iloc[gallery.rows].reset_index(drop=True)
    columns = ["id", NAME, *ATTRIBUTES, "price", "image"]
    products = products[[c for c in columns if c in products.columns]].assign(rank=ranks, score=scores)
    wanted = set(int(i) for i in expected_ids)
    products["expected"] = products["id"].astype(int).isin(wanted)
    leading = ["rank", "score", "expected"]
    view = products[leading + [c for c in products.columns if c not in leading]]
    expected = view[view["expected"]].sort_values("rank").reset_index(drop=True)
    first = view.iloc[order[:top]].reset_index(drop=True)
    return AnalystResult(text, gallery.label, expected, first)
