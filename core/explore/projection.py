"""2-D maps of the embeddings: how vectors are projected, and the on-disk map cache.

Owns projecting :class:`core.explore.vectors.Vectors` to 2-D (UMAP, or PCA for an instant map)
and caching the coordinates under ``settings.projections_dir``: ``<key>.parquet`` (id, x, y) plus
``<key>.json`` (parameters, seconds). The key is the sha1 of the model version, the vector kind,
the method and its parameters, and a hash of the ids *and* the vectors themselves, so a re-index
that changes an image gives a new map while every rerun, page and user of the same index reuses
the one file. Files are written atomically (``core.files.atomic_write``), and a per-key lock file
makes a second session wait for the first one's result instead of computing it again (on Linux;
elsewhere both compute and the last rename wins, with identical content). The clusters of a map
(``core.explore.clusters``) use the same cache class and key format.

How UMAP runs: the L2-normalised vectors are first reduced by PCA to ``pca_dims`` (euclidean
distance on unit vectors orders pairs exactly as cosine does, and PCA keeps most of it); up to
:data:`EXACT_NEIGHBOURS_UP_TO` points their exact k nearest neighbours are computed here in blocks
(about 1 s for 10k points, 15 s for 44k) and handed to UMAP, which then never builds its
approximate NN-descent graph (whose numba code cannot be cached and took ~15 s to compile per
process); beyond that UMAP's own approximate search runs. Then UMAP with a fixed
``random_state``. Trade-off accepted: a fixed seed makes the map reproducible (the same file for
everyone, and tests can compare) but UMAP then runs single-threaded; on our two shared cores that
costs little. UMAP's epochs cannot report progress, so ``progress`` receives stages (PCA
pre-reduction, neighbours, UMAP fit, saving) with a fraction.

numba compiles UMAP's functions on first use in every process (30-45 s on two cores); only a few
are marked for numba's disk cache. :func:`enable_jit_cache` turns the disk cache on for every
compiled function of umap and pynndescent and points it at ``jit_cache_dir``
(``HOME/cache/numba``), so the compile is paid once per installation, not once per process
(``NUMBA_CACHE_DIR``, when set, wins).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import pkgutil
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.errors import FashionError
from core.explore.vectors import ProgressFn, Vectors, no_progress
from core.files import atomic_write, write_json_atomic

METHODS = ("umap", "pca")
FORMAT = 2
"""Bump when the computation changes in a way that should invalidate every cached map
(2: exact neighbours up to :data:`EXACT_NEIGHBOURS_UP_TO` points)."""

EXACT_NEIGHBOURS_UP_TO = 60_000
"""Exact k-NN (blocked matrix products, O(n²·d)) up to this many points; UMAP's NN-descent beyond."""
JIT_PACKAGES = ("umap", "pynndescent")
_SKIP_MODULES = ("parametric", "plot", "aligned", "tests", "validation")
_jit_cache: str | None = None


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


def exact_neighbours(points: np.ndarray, k: int, *, block: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest rows of each row (itself first) by euclidean distance: int32 indices and
    float32 distances, each (n, k), nearest first. Memory: one ``block`` x n distance block."""
    points = np.asarray(points, np.float32)
    n = len(points)
    k = min(k, n)
    norms = np.einsum("ij,ij->i", points, points)
    indices = np.empty((n, k), np.int32)
    distances = np.empty((n, k), np.float32)
    for start in range(0, n, block):
        stop = min(start + block, n)
        squared = norms[start:stop, None] - 2.0 * (points[start:stop] @ points.T) + norms[None, :]
        rows = np.arange(stop - start)
        squared[rows, start + rows] = -1.0  # itself first, even among exact duplicates
        nearest = np.argpartition(squared, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n), (stop - start, 1))
        found = np.take_along_axis(squared, nearest, axis=1)
        order = np.argsort(found, axis=1, kind="stable")
        indices[start:stop] = np.take_along_axis(nearest, order, axis=1)
        distances[start:stop] = np.sqrt(np.maximum(np.take_along_axis(found, order, axis=1), 0.0))
    return indices, distances


def enable_jit_cache(folder: Path | None) -> str | None:
    """Cache every numba function of umap and pynndescent on disk under ``folder``; once per process.

    Must run before those packages compile anything (this module calls it before importing umap).
    ``NUMBA_CACHE_DIR``, when set, wins; the first folder of a process stays (numba reads it when a
    function is registered). Returns the folder in use, or None without one.
    """
    global _jit_cache
    if _jit_cache is not None or folder is None:
        return _jit_cache
    from numba.core import config
    from numba.core.registry import CPUDispatcher

    if not config.CACHE_DIR:  # numba read NUMBA_CACHE_DIR at its import: a user's own choice wins
        Path(folder).mkdir(parents=True, exist_ok=True)
        config.CACHE_DIR = str(folder)
    for package_name in JIT_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            if any(part in info.name for part in _SKIP_MODULES):
                continue
            try:
                module = importlib.import_module(info.name)
            except ImportError:  # optional extras (tensorflow, bokeh...)
                continue
            for function in vars(module).values():
                if isinstance(function, CPUDispatcher) and function.py_func.__module__ == module.__name__:
                    function.enable_caching()
    _jit_cache = config.CACHE_DIR
    return _jit_cache


def compute_coordinates(matrix: np.ndarray, params: ProjectionParams, *, progress: ProgressFn | None = None,
                        jit_cache_dir: Path | None = None) -> np.ndarray:
    """float32 (n, 2) coordinates of ``matrix`` rows, without any caching of the result
    (numba's compiled code is cached under ``jit_cache_dir`` when given)."""
    progress = progress or no_progress
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
    progress("Loading UMAP (numba compiles on first use, then caches)", 0.2)
    enable_jit_cache(jit_cache_dir)
    import umap  # slow import: numba

    n_neighbors = min(params.n_neighbors, n - 1)
    precomputed = None
    if n <= EXACT_NEIGHBOURS_UP_TO:
        progress(f"Exact {n_neighbors} nearest neighbours of {n:,} points", 0.3)
        indices, distances = exact_neighbours(reduced, n_neighbors)
        precomputed = (indices, distances)  # no search index: we never transform
    progress(f"UMAP fit on {n:,} points (single-threaded: fixed seed)", 0.4)
    reducer = umap.UMAP(n_components=2, n_neighbors=n_neighbors, min_dist=params.min_dist, metric="euclidean",
                        random_state=params.random_state, n_jobs=1, init="spectral" if n > 10 else "random",
                        precomputed_knn=precomputed or (None, None, None))
    with warnings.catch_warnings():
        # expected: no search index beside our neighbours (we never transform new points), and
        # NN-descent's functions (beyond EXACT_NEIGHBOURS_UP_TO only) cannot be disk-cached
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        warnings.filterwarnings("ignore", message=r"Cannot cache compiled function")
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
        table, meta = self.paths(key)
        atomic_write(table, lambda tmp: frame.to_parquet(tmp, index=False))
        write_json_atomic(meta, info, indent=2, default=str)  # written last: its presence = complete

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
            progress: ProgressFn | None = None, jit_cache_dir: Path | None = None) -> Projection:
    """The 2-D map of ``vectors``: from ``cache_dir`` when present, else computed and saved.

    Example: ``project(load_vectors(s, "lit-v2"), ProjectionParams(method="pca"), cache_dir=s.projections_dir)``;
    ``jit_cache_dir`` (``settings.jit_cache_dir``) keeps numba's compiled UMAP between processes.
    """
    found = cached_projection(vectors, params, cache_dir)
    if found is not None:
        return found
    progress = progress or no_progress
    cache = ProjectionCache(cache_dir)
    key = projection_key(vectors, params)
    with cache.lock(key):
        found = cached_projection(vectors, params, cache_dir)  # another session may have made it meanwhile
        if found is not None:
            return found
        started = time.perf_counter()
        xy = compute_coordinates(vectors.matrix, params, progress=progress, jit_cache_dir=jit_cache_dir)
        seconds = time.perf_counter() - started
        progress("Saving the map", 0.95)
        coords = pd.DataFrame({"id": vectors.ids.astype(np.int64), "x": xy[:, 0], "y": xy[:, 1]})
        info = {"key": key, "version": vectors.version, "kind": vectors.kind, "params": asdict(params),
                "points": len(vectors), "dim": int(vectors.matrix.shape[1]), "seconds": round(seconds, 3),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        cache.save(key, coords, info)
    progress("Map ready", 1.0)
    return Projection(key, coords, params, seconds, False, info)
