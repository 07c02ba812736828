"""The vectors a map is drawn from: the indexed vectors of one model version, read from the store.

Owns :class:`Vectors` (ids, L2-normalised matrix, the index metadata, and a hash of their content
that keys every cached map and clustering) and :func:`load_vectors`, which reads the ``image`` or
``text`` collection of a model version, or ``fused`` = normalise(image + text) of the products
present in both. Rows are ordered by product id, so the same index always gives the same matrix.
Trade-off accepted: a collection's vectors are read whole, in one go; the map needs every vector
anyway. Its metadata is read only for products the caller does not already know (``known_ids``).

Also here, because every stage of the map takes one: the progress callback type
(:data:`ProgressFn`, ``(stage, fraction)``) and :func:`no_progress`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.config import Settings
from core.errors import FashionError
from core.index.records import ATTRIBUTE_KEY
from core.index.store import collection_name, get_existing, open_client, read_all
from core.model.embedder import normalise

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

KINDS = ("image", "text", "fused")

ProgressFn = Callable[[str, float], None]


def no_progress(stage: str, fraction: float) -> None:
    """The progress callback that reports nothing."""


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


def _read_collection(client: "ClientAPI", version: str, kind: str, *,
                     metadata: bool | Collection[int]) -> tuple[np.ndarray, np.ndarray, list]:
    """ids (ascending), vectors and metadata of one collection. ``metadata``: True reads every
    product's, False none, a set of ids reads all *but* those (the caller has them already)."""
    name = collection_name(version, kind)
    collection = get_existing(client, name)
    if collection is None:
        raise FashionError(f"no {kind} index for model {version} (collection {name}): run `python -m core index`")
    everything = metadata is True
    got = read_all(collection, include=("embeddings", "metadatas") if everything else ("embeddings",))
    if not got["ids"]:
        raise FashionError(f"the {kind} index of model {version} is empty: run `python -m core index`")
    ids = np.array([int(i) for i in got["ids"]], dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    matrix = np.asarray(got["embeddings"], dtype=np.float32)[order]
    if everything:
        metas = [got["metadatas"][i] or {} for i in order]
    elif metadata is False:
        metas = []
    else:  # only the products the caller does not know: the index's metadata is large (attribute scores)
        known = np.asarray(list(metadata), dtype=np.int64)
        wanted = [str(i) for i in ids[order][~np.isin(ids[order], known)]]
        found = {}
        if wanted:
            step = max(1, min(5000, client.get_max_batch_size()))
            for start in range(0, len(wanted), step):
                part = collection.get(ids=wanted[start : start + step], include=["metadatas"])
                found.update(zip(part["ids"], part["metadatas"]))
        metas = [found.get(str(i)) or {} for i in ids[order]]
    metas = [{k: v for k, v in m.items() if k != ATTRIBUTE_KEY} for m in metas]
    return ids[order], matrix, metas


def load_vectors(settings: Settings, version: str, kind: str = "image", *,
                 client: "ClientAPI | None" = None, progress: ProgressFn | None = None,
                 known_ids: Collection[int] | None = None) -> Vectors:
    """The ``kind`` vectors of every product indexed for ``version``.

    Example: ``load_vectors(settings, "lit-v2", "fused")``. ``fused`` keeps the products present in
    both collections. ``known_ids``: products whose attributes the caller has (the prepared
    catalogue's ids): their index metadata is not read (``metadata`` holds only their id), which
    takes a 9k-product read from 1.5 s to 0.3 s. Raises FashionError when the index is missing or empty.
    """
    if kind not in KINDS:
        raise FashionError(f"embedding kind must be one of {', '.join(KINDS)}; got {kind!r}")
    progress = progress or no_progress
    if client is None:
        client = open_client(settings)
    progress(f"Loading the {kind} vectors of {version}", 0.0)
    first = "text" if kind == "text" else "image"
    ids, matrix, metas = _read_collection(client, version, first, metadata=True if known_ids is None else set(known_ids))
    if kind == "fused":
        text_ids, text_matrix, _ = _read_collection(client, version, "text", metadata=False)
        common, mine, theirs = np.intersect1d(ids, text_ids, assume_unique=True, return_indices=True)
        ids, matrix = common, fuse(matrix[mine], text_matrix[theirs])
        metas = [metas[i] for i in mine]
    metadata = pd.DataFrame.from_records(metas) if metas else pd.DataFrame(index=range(len(ids)))
    if len(metadata) != len(ids):  # every product known: no columns at all
        metadata = pd.DataFrame(index=range(len(ids)))
    metadata["id"] = ids
    return Vectors(version=version, kind=kind, ids=ids, matrix=normalise(matrix), metadata=metadata)
