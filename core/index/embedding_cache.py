"""The on-disk embedding cache: vectors keyed by content, so no product is embedded twice.

``EmbeddingCache(root, version, kind)`` holds ``key -> float32[dim]`` for one model version and
vector kind under ``root/embeddings/<collection name>/``; build keys it by the sha1 of the image
file bytes / description text, so an interrupted index run, re-run, re-embeds nothing it had
computed, and a product whose picture and text did not change is re-upserted from here.
``cached_vectors`` is the one way build reads it: cached vectors, the rest computed and cached.

Append-only by shards: each ``put`` writes one ``.npz`` file atomically (``core.files``), so a
crash loses at most the chunk being written; ``compact`` merges the shards into one. A torn or
foreign shard is skipped on load, not an error.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from core.errors import FashionError
from core.files import atomic_write
from core.index.store import collection_name


class EmbeddingCache:
    """Append-only vectors on disk, ``key -> float32[dim]``, for one model version and kind.

    Each ``put`` writes one ``.npz`` shard atomically (temp file + rename), so a crash loses at
    most the chunk being written. ``compact`` merges the shards into one.
    """

    def __init__(self, root: Path, version: str, kind: str):
        self.dir = Path(root) / "embeddings" / collection_name(version, kind)
        self._vectors: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            for shard in sorted(self.dir.glob("*.npz")):
                try:
                    with np.load(shard, allow_pickle=False) as data:
                        keys, vectors = data["keys"], data["vectors"]
                except (OSError, ValueError, KeyError):  # a torn or foreign file: ignore it
                    continue
                for key, vector in zip(keys.tolist(), vectors):
                    self._vectors[key] = vector
        return self._vectors

    def __len__(self) -> int:
        return len(self._load())

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        vectors = self._load()
        return {key: vectors[key] for key in keys if key in vectors}

    def put(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        if not len(keys):
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        self._write(list(keys), vectors, f"{time.time_ns():020d}-{os.getpid()}.npz")
        store = self._load()
        for key, vector in zip(keys, vectors):
            store[key] = vector

    def compact(self) -> None:
        shards = sorted(self.dir.glob("*.npz"))
        if len(shards) <= 1:
            return
        vectors = self._load()
        keys = sorted(vectors)
        self._write(keys, np.stack([vectors[k] for k in keys]), f"{time.time_ns():020d}-all.npz")
        for shard in shards:
            shard.unlink(missing_ok=True)

    def _write(self, keys: list[str], vectors: np.ndarray, name: str) -> None:
        def save(tmp: Path) -> None:
            with open(tmp, "wb") as fh:  # a handle: given a path, np.savez would append ".npz"
                np.savez(fh, keys=np.array(keys, dtype=str), vectors=vectors)

        atomic_write(self.dir / name, save)


def cached_vectors(
    cache: EmbeddingCache,
    keys: list[str],
    encode: Callable[[list[int]], np.ndarray],
    dim: int,
) -> tuple[np.ndarray, int]:
    """Vectors for ``keys``, computing (and caching) only those not cached; returns (vectors, n).

    ``encode(positions)`` embeds the items at those positions of ``keys`` (one per distinct key).
    """
    cached = cache.get_many(keys)
    todo = [i for i, key in enumerate(keys) if key not in cached]
    fresh: dict[str, np.ndarray] = {}
    if todo:
        unique = list(dict.fromkeys(keys[i] for i in todo))
        first = {key: keys.index(key) for key in unique}
        computed = np.asarray(encode([first[k] for k in unique]), dtype=np.float32)
        if computed.shape != (len(unique), dim):
            raise FashionError(
                f"the encoder returned shape {computed.shape}, expected ({len(unique)}, {dim})"
            )
        cache.put(unique, computed)
        fresh = dict(zip(unique, computed))
    out = np.stack([cached[k] if k in cached else fresh[k] for k in keys]).astype(np.float32)
    return out, len(fresh)
