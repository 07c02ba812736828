"""2-D maps of the embeddings: which vectors, how they are projected, and the on-disk map cache.

Owns loading the indexed vectors of a model version (``image``, ``text`` or ``fused`` =
normalise(image + text)) from the store, projecting them to 2-D (UMAP, or PCA for an instant map)
and caching the coordinates under ``settings.projections_dir``: ``<key>.parquet`` (id, x, y) plus
``<key>.json`` (parameters, seconds). The key is the sha1 of the model version, the vector kind,
the method and its parameters, and a hash of the ids *and* the vectors themselves, so a re-index
that changes an image gives a new map while every rerun, page and user of the same index reuses
the one file. Files are written to a temporary name and ``os.replace``-d, and a per-key lock file
makes a second session wait for the first one's result instead of computing it again (on Linux;
elsewhere both compute and the last rename wins, with identical content).

How UMAP runs: the L2-normalised vectors are first reduced by PCA to ``pca_dims`` (euclidean
distance on unit vectors orders pairs exactly as cosine does, and PCA keeps most of it), then UMAP
with a fixed ``random_state``. Trade-off accepted: a fixed seed makes the map reproducible (the
same file for everyone, and tests can compare) but UMAP then runs single-threaded; on our two
shared cores that costs little. UMAP's epochs cannot report progress, so ``progress`` receives
stages (loading vectors, PCA pre-reduction, UMAP fit, saving) with a fraction.

Also here: what the map can be coloured by (:data:`COLOUR_FIELDS`) and the one frame the screen
draws (:func:`map_frame`: coordinates + cluster + catalogue attributes + curation labels).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.errors import FashionError

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from core.explore.clusters import Clustering, ClusterParams
    from core.config import Settings

KINDS = ("image", "text", "fused")
METHODS = ("umap", "pca")
FORMAT = 1
"""Bump when the computation changes in a way that should invalidate every cached map."""

ProgressFn = Callable[[str, float], None]


def _quiet(stage: str, fraction: float) -> None:
    pass


def normalise(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (all-zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


# -- the vectors ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Vectors:
    """The indexed vectors of one model version and kind, rows ordered by product id."""

    version: str
    kind: str
    ids: np.ndarray
    """int64 product ids, ascending."""
    matrix: np.ndarray
    """float32 (len(ids), dim), rows L2-normalised."""
    metadata: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The index metadata of each product (column ``id`` plus whatever was stored), same order."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FashionError(f"embedding kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if len(self.ids) != len(self.matrix):
            raise ValueError(f"{len(self.ids)} ids but {len(self.matrix)} vectors")

    def __len__(self) -> int:
        return len(self.ids)

    @functools.cached_property
    def content_hash(self) -> str:
        """sha1 of the ids and the vector bytes: changes whenever the index content does."""
        digest = hashlib.sha1(np.ascontiguousarray(self.ids, dtype=np.int64).tobytes())
        digest.update(np.ascontiguousarray(self.matrix, dtype=np.float32).tobytes())
        return digest.hexdigest()


def fuse(image: np.ndarray, text: np.ndarray) -> np.ndarray:
    """The fused vector of each product: normalise(image + text)."""
    return normalise(np.asarray(image, np.float32) + np.asarray(text, np.float32))


def _read_collection(client: "ClientAPI", version: str, kind: str, *, metadata: bool) -> tuple[np.ndarray, np.ndarray, list]:
    from core.index.store import collection_name, get_existing, read_all

    name = collection_name(version, kind)
    collection = get_existing(client, name)
    if collection is None:
        raise FashionError(f"no {kind} index for model {version} (collection {name}): run `python -m core index`")
    include = ("embeddings", "metadatas") if metadata else ("embeddings",)
    got = read_all(collection, include=include)
    if not got["ids"]:
        raise FashionError(f"the {kind} index of model {version} is empty: run `python -m core index`")
    ids = np.array([int(i) for i in got["ids"]], dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    matrix = np.asarray(got["embeddings"], dtype=np.float32)[order]
    metas = [got["metadatas"][i] or {} for i in order] if metadata else []
    return ids[order], matrix, metas


def load_vectors(settings: "Settings", version: str, kind: str = "image", *,
                 client: "ClientAPI | None" = None, progress: ProgressFn | None = None) -> Vectors:
    """The ``kind`` vectors of every product indexed for ``version``.

    Example: ``load_vectors(settings, "lit-v2", "fused")``. ``fused`` keeps the products present in
    both collections. Raises FashionError when the index is missing or empty.
    """
    if kind not in KINDS:
        raise FashionError(f"embedding kind must be one of {', '.join(KINDS)}; got {kind!r}")
    progress = progress or _quiet
    if client is None:
        from core.index.store import open_client

        client = open_client(settings)
    progress(f"Loading the {kind} vectors of {version}", 0.0)
    first = "text" if kind == "text" else "image"
    ids, matrix, metas = _read_collection(client, version, first, metadata=True)
    if kind == "fused":
        text_ids, text_matrix, _ = _read_collection(client, version, "text", metadata=False)
        common, mine, theirs = np.intersect1d(ids, text_ids, assume_unique=True, return_indices=True)
        ids, matrix = common, fuse(matrix[mine], text_matrix[theirs])
        metas = [metas[i] for i in mine]
    metadata = pd.DataFrame.from_records(metas) if metas else pd.DataFrame(index=range(len(ids)))
    metadata["id"] = ids
    return Vectors(version=version, kind=kind, ids=ids, matrix=normalise(matrix), metadata=metadata)


# -- the projection ---------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ProjectionParams:
    """How to project: ``umap`` (neighbourhoods, seconds to minutes) or ``pca`` (instant, linear)."""

    method: str = "umap"
    n_neighbors: int = 15
    min_dist: float = 0.1
    pca_dims: int = 50
    """UMAP's input: the vectors reduced to this many principal components (0 = no reduction)."""
    random_state: int = 42

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise FashionError(f"projection method must be one of {', '.join(METHODS)}; got {self.method!r}")
        if self.n_neighbors < 2:
            raise FashionError(f"n_neighbors must be at least 2, got {self.n_neighbors}")
        if not 0.0 <= self.min_dist <= 1.0:
            raise FashionError(f"min_dist must be between 0 and 1, got {self.min_dist}")
        if self.pca_dims < 0:
            raise FashionError(f"pca_dims must be 0 (off) or positive, got {self.pca_dims}")

    def key_fields(self) -> dict:
        """The parameters that change the result (PCA ignores UMAP's)."""
        return {"method": "pca"} if self.method == "pca" else asdict(self)


def projection_key(vectors: Vectors, params: ProjectionParams) -> str:
    """sha1 of (format, model version, kind, method + parameters, ids-and-vectors hash)."""
    payload = {"format": FORMAT, "version": vectors.version, "kind": vectors.kind,
               "params": params.key_fields(), "content": vectors.content_hash}
    return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True, eq=False)
class Projection:
    """2-D coordinates of one set of vectors; ``cached`` says whether they came from disk."""

    key: str
    coords: pd.DataFrame
    """Columns id (int64), x, y (float32), in the vectors' order."""
    params: ProjectionParams
    seconds: float
    """Compute time when it was made (also for a cached one: what it cost then)."""
    cached: bool
    info: dict = field(default_factory=dict)


def reduce_dims(matrix: np.ndarray, dims: int, *, random_state: int = 42) -> np.ndarray:
    """The first ``dims`` principal components (the input when it is already that small)."""
    n, width = matrix.shape
    dims = min(dims, width, n)
    if dims <= 0 or dims >= width:
        return np.asarray(matrix, np.float32)
    from sklearn.decomposition import PCA

    # Many more rows than columns: the eigendecomposition of the d x d covariance gives the same
    # components (to ~1e-6) in ~0.1 s, where a full SVD of the n x d matrix took 1-10 s on our
    # busy two cores.
    solver = "covariance_eigh" if n > width else "full"
    return PCA(n_components=dims, svd_solver=solver, random_state=random_state).fit_transform(matrix).astype(np.float32)


def compute_coordinates(matrix: np.ndarray, params: ProjectionParams, *, progress: ProgressFn | None = None) -> np.ndarray:
    """float32 (n, 2) coordinates of ``matrix`` rows, without any caching."""
    progress = progress or _quiet
    matrix = np.asarray(matrix, np.float32)
    n = len(matrix)
    if n == 0:
        raise FashionError("nothing to project: the index holds no vectors")
    if n < 3:  # too few for a neighbourhood graph, or for two components: place them on a line
        return np.column_stack([np.arange(n, dtype=np.float32), np.zeros(n, np.float32)])
    if params.method == "pca":
        progress("PCA to 2-D", 0.3)
        return reduce_dims(matrix, 2, random_state=params.random_state)[:, :2]
    progress(f"PCA pre-reduction to {params.pca_dims} dimensions", 0.15)
    reduced = reduce_dims(matrix, params.pca_dims, random_state=params.random_state) if params.pca_dims else matrix
    progress("Loading UMAP (numba compiles on first use)", 0.25)
    import umap  # slow import: numba

    progress(f"UMAP fit on {n:,} points (single-threaded: fixed seed)", 0.35)
    reducer = umap.UMAP(n_components=2, n_neighbors=min(params.n_neighbors, n - 1), min_dist=params.min_dist,
                        metric="euclidean", random_state=params.random_state, n_jobs=1, init="spectral" if n > 10 else "random")
    return np.asarray(reducer.fit_transform(reduced), dtype=np.float32)


class ProjectionCache:
    """``<key>.parquet`` + ``<key>.json`` files in one folder; atomic writes, per-key lock."""

    def __init__(self, folder: Path):
        self.dir = Path(folder)

    def paths(self, key: str) -> tuple[Path, Path]:
        return self.dir / f"{key}.parquet", self.dir / f"{key}.json"

    def load(self, key: str) -> tuple[pd.DataFrame, dict] | None:
        table, meta = self.paths(key)
        if not (table.is_file() and meta.is_file()):
            return None
        try:
            return pd.read_parquet(table), json.loads(meta.read_text())
        except (OSError, ValueError):  # a foreign or damaged file: recompute and overwrite it
            return None

    def save(self, key: str, frame: pd.DataFrame, info: dict) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        table, meta = self.paths(key)
        suffix = f".{os.getpid()}-{time.time_ns()}.tmp"
        frame.to_parquet(table.with_name(table.name + suffix), index=False)
        os.replace(table.with_name(table.name + suffix), table)
        meta.with_name(meta.name + suffix).write_text(json.dumps(info, indent=2, default=str))
        os.replace(meta.with_name(meta.name + suffix), meta)  # written last: its presence = complete

    @contextlib.contextmanager
    def lock(self, key: str):
        """Hold ``<key>.lock`` exclusively (blocks while another session computes the same key)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not Linux
            yield
            return
        with open(self.dir / f"{key}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def cached_projection(vectors: Vectors, params: ProjectionParams, cache_dir: Path) -> Projection | None:
    """The cached map of these vectors and parameters, or None (never computes)."""
    key = projection_key(vectors, params)
    found = ProjectionCache(cache_dir).load(key)
    if found is None:
        return None
    coords, info = found
    if len(coords) != len(vectors) or not np.array_equal(coords["id"].to_numpy(), vectors.ids):
        return None
    return Projection(key, coords, params, float(info.get("seconds", 0.0)), True, info)


def project(vectors: Vectors, params: ProjectionParams, *, cache_dir: Path,
            progress: ProgressFn | None = None) -> Projection:
    """The 2-D map of ``vectors``: from ``cache_dir`` when present, else computed and saved.

    Example: ``project(load_vectors(s, "lit-v2"), ProjectionParams(method="pca"), cache_dir=s.projections_dir)``.
    """
    found = cached_projection(vectors, params, cache_dir)
    if found is not None:
        return found
    progress = progress or _quiet
    cache = ProjectionCache(cache_dir)
    key = projection_key(vectors, params)
    with cache.lock(key):
        found = cached_projection(vectors, params, cache_dir)  # another session may have made it meanwhile
        if found is not None:
            return found
        started = time.perf_counter()
        xy = compute_coordinates(vectors.matrix, params, progress=progress)
        seconds = time.perf_counter() - started
        progress("Saving the map", 0.95)
        coords = pd.DataFrame({"id": vectors.ids.astype(np.int64), "x": xy[:, 0], "y": xy[:, 1]})
        info = {"key": key, "version": vectors.version, "kind": vectors.kind, "params": asdict(params),
                "points": len(vectors), "dim": int(vectors.matrix.shape[1]), "seconds": round(seconds, 3),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        cache.save(key, coords, info)
    progress("Map ready", 1.0)
    return Projection(key, coords, params, seconds, False, info)


# -- the frame the screen draws ----------------------------------------------------------------
COLOUR_FIELDS: dict[str, str] = {
    "Cluster": "cluster_name",
    "Group": "group_label",
    "Article type": "articleType",
    "Colour": "baseColour",
    "Gender": "gender",
    "Season": "season",
    "Usage": "usage",
    "Price band": "price_band",
    "Price": "price",
    "Curation tag": "tags",
    "Curation flag": "flags",
    "Split": "split",
}
"""What the map can be coloured by: label -> column of :func:`map_frame`. ``price`` is continuous."""

CONTINUOUS_FIELDS = ("price",)
PRICE_BANDS = ((0, "under ₹500"), (500, "₹500–999"), (1000, "₹1,000–1,999"), (2000, "₹2,000–4,999"),
               (5000, "₹5,000 and over"))


def price_band(prices) -> pd.Categorical:
    """Each price's band (ordered categorical over :data:`PRICE_BANDS`)."""
    edges = [low for low, _ in PRICE_BANDS[1:]]
    labels = [label for _, label in PRICE_BANDS]
    codes = np.searchsorted(edges, np.asarray(prices, dtype=float), side="right")
    return pd.Categorical.from_codes(codes, categories=labels, ordered=True)


PRODUCT_COLUMNS = ("productDisplayName", "gender", "masterCategory", "subCategory", "articleType", "baseColour",
                   "season", "usage", "group", "price", "image", "split", "year")


def map_frame(projection: Projection, vectors: Vectors, catalog: pd.DataFrame | None = None,
              clusters: pd.DataFrame | None = None, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per mapped product: id, x, y, the product's attributes, cluster and curation labels.

    Attributes come from the prepared ``catalog`` (fresher, and the only source of ``split``), then
    the index metadata for products the catalogue no longer has. ``clusters`` has columns id,
    cluster, cluster_name; ``labels`` is :meth:`core.curation.store.CurationStore.labels`.
    """
    from core.data.groups import GROUP_LABELS

    frame = projection.coords.copy()
    meta = vectors.metadata.rename(columns={"name": "productDisplayName"})
    meta = meta[[c for c in ("id", *PRODUCT_COLUMNS) if c in meta.columns]]
    if catalog is not None and len(catalog):
        known = catalog[[c for c in ("id", *PRODUCT_COLUMNS) if c in catalog.columns]]
        meta = pd.concat([known[known["id"].isin(frame["id"])], meta[~meta["id"].isin(known["id"])]])
    frame = frame.merge(meta, on="id", how="left")
    for column in PRODUCT_COLUMNS:
        if column not in frame.columns:
            frame[column] = 0 if column in ("price", "year") else ""
    text_columns = [c for c in PRODUCT_COLUMNS if c not in ("price", "year")]
    frame[text_columns] = frame[text_columns].fillna("").astype(str)
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce").fillna(0).astype(np.int64)
    frame.loc[frame["productDisplayName"] == "", "productDisplayName"] = "Product " + frame["id"].astype(str)
    frame["group_label"] = frame["group"].map(GROUP_LABELS).fillna(frame["group"])
    frame["price_band"] = price_band(frame["price"]).astype(str)
    if clusters is not None:
        frame = frame.merge(clusters[["id", "cluster", "cluster_name"]], on="id", how="left")
        frame["cluster"] = frame["cluster"].fillna(-1).astype(np.int64)
        frame["cluster_name"] = frame["cluster_name"].fillna("unclustered")
    else:
        frame["cluster"], frame["cluster_name"] = -1, "unclustered"
    frame["tags"], frame["flags"], frame["notes"] = "", "", 0
    if labels is not None and len(labels):
        found = frame[["id"]].merge(labels[["id", "tags", "flags", "notes"]], on="id", how="left")
        frame["tags"] = found["tags"].fillna("").to_numpy()
        frame["flags"] = found["flags"].fillna("").to_numpy()
        frame["notes"] = found["notes"].fillna(0).astype(np.int64).to_numpy()
    return frame


# -- everything the screen needs, in one call ---------------------------------------------------
@dataclass(frozen=True, eq=False)
class EmbeddingMap:
    """The drawn frame (:func:`map_frame` columns) with the projection and clustering behind it."""

    frame: pd.DataFrame
    projection: Projection
    clustering: "Clustering | None"

    @property
    def clusters(self) -> pd.DataFrame:
        from core.explore.clusters import SUMMARY_COLUMNS

        return self.clustering.summary if self.clustering is not None else pd.DataFrame(columns=SUMMARY_COLUMNS)


def build_map(vectors: Vectors, params: ProjectionParams, cluster_params: "ClusterParams | None" = None, *,
              cache_dir: Path, catalog: pd.DataFrame | None = None, labels: pd.DataFrame | None = None,
              encode_texts: Callable[[list[str]], np.ndarray] | None = None,
              progress: ProgressFn | None = None) -> EmbeddingMap:
    """Project (cached), cluster (cached) and assemble the frame: what the Embedding map screen draws.

    ``progress`` is called only for work actually done (a fully cached map reports nothing).
    """
    from core.explore.clusters import cluster

    progress = progress or _quiet
    projection = project(vectors, params, cache_dir=cache_dir, progress=lambda s, f: progress(s, 0.85 * f))
    frame = map_frame(projection, vectors, catalog, labels=labels)
    clustering = None
    if cluster_params is not None:
        clustering = cluster(vectors, cluster_params, frame, cache_dir=cache_dir, encode_texts=encode_texts,
                             progress=lambda s, f: progress(s, 0.85 + 0.15 * f))
        frame = frame.drop(columns=["cluster", "cluster_name"]).merge(clustering.labels, on="id", how="left")
    return EmbeddingMap(frame, projection, clustering)
