"""Attribute re-scoring: a model's attribute classifiers re-rank the embedding's nearest products.

When the model carries an attribute scorer (brand, colour, type, gender: see
``core.model.attributes``) and the query is a text alone, ``core.index.search.Searcher`` fetches
the :data:`RESCORE_CANDIDATES` nearest products by cosine and adds
``scorer.weight * (image block @ query attributes)`` to each score. A picture or "more like this"
ranks by the embedding alone, and so does a weight of 0.

A product's image block depends on its picture and the scorer only, so ``python -m core index``
computes it once and stores it with the product's image vector, in its metadata under
``core.index.records.ATTRIBUTE_KEY`` (in the store itself: embedded and server alike, and backups
carry it). Stored form: ``"<scorer fingerprint>:<base64>"`` of the block's non-zero classes
(uint32 positions, then their float32 values: exact, so the ranking is the one computed from the
pictures; on the shared catalogue about 45 of 546 classes, some 500 characters a product). At
query time the candidates' blocks are decoded (about a millisecond for 200) and kept in memory by
product id (:meth:`AttributeRescorer.rescore_ids`), so a searcher reads a candidate's metadata from
the store once: Chroma spends ~60 us a product on metadata, 12 ms for 200 candidates.

A candidate without a block tagged with this scorer's fingerprint (an index built before blocks
were stored, or by another scorer) is classified from its picture as before: the image backbone
runs at query time (seconds), the result is kept in memory per ``AttributeRescorer`` (the searcher
makes a new one on ``refresh``), and :attr:`AttributeRescorer.notice` says how to make it fast.
Trade-off: both memos grow with the products ever re-scored (2 KB each on the shared catalogue: 20 MB
if every product was a candidate once), and they belong to one state of the index (``refresh``).
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from collections.abc import Callable

from core.index.query import SearchQuery
from core.model.threads import single_intra_op_thread
from core.index.records import ATTRIBUTE_KEY
from core.model.embedder import Embedder

RESCORE_CANDIDATES = 200  # embedding neighbours re-scored by a model's attribute classifiers


# -- the stored form ----------------------------------------------------------------------------
def scorer_fingerprint(embedder: Embedder) -> str | None:
    """The fingerprint stored blocks must carry for ``embedder``; None when it has no attribute scorer."""
    scorer = getattr(embedder, "scorer", None)
    return None if scorer is None else getattr(scorer, "fingerprint", None)


def encode_blocks(blocks: np.ndarray, fingerprint: str) -> list[str]:
    """One stored string per row of ``blocks`` (float32, mostly zeros): exact and compact.

    >>> encode_blocks(np.array([[0, 2.5, 0]], np.float32), "f00d")  # doctest: +SKIP
    """
    out = []
    for row in np.asarray(blocks, dtype=np.float32):
        positions = np.flatnonzero(row)
        raw = positions.astype("<u4").tobytes() + row[positions].astype("<f4").tobytes()
        out.append(f"{fingerprint}:{base64.b64encode(raw).decode('ascii')}")
    return out


def decode_block(value: object, fingerprint: str, width: int) -> np.ndarray | None:
    """The block stored in ``value``; None when absent, tagged with another fingerprint, or malformed."""
    if not isinstance(value, str):
        return None
    tag, separator, body = value.partition(":")
    if tag != fingerprint or not separator:
        return None
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) % 8:
        return None
    n = len(raw) // 8
    positions = np.frombuffer(raw, dtype="<u4", count=n)
    if n and int(positions.max()) >= width:
        return None
    block = np.zeros(width, dtype=np.float32)
    block[positions] = np.frombuffer(raw, dtype="<f4", offset=4 * n, count=n)
    return block


def has_block(metadata: dict | None, fingerprint: str) -> bool:
    """Whether ``metadata`` already stores a block for the scorer with ``fingerprint`` (cheap: no decoding)."""
    value = (metadata or {}).get(ATTRIBUTE_KEY)
    return isinstance(value, str) and value.startswith(f"{fingerprint}:")


# -- re-scoring ---------------------------------------------------------------------------------
class AttributeRescorer:
    """Re-scores candidates with ``embedder``'s attribute scorer (a no-op when it has none).

    ``reindex``: the command that stores the blocks, named by :attr:`notice` when a search had to
    classify pictures.
    """

    def __init__(self, embedder: Embedder, *, reindex: str = "python -m core index"):
        self.embedder = embedder
        self.reindex = reindex
        self.from_pictures = 0  # products this rescorer classified from their picture (no stored block)
        self._blocks: dict[str, np.ndarray] = {}  # image path -> block computed from the picture
        self._by_id: dict[str, np.ndarray] = {}  # product id (as stored) -> its block, stored or computed

    @property
    def notice(self) -> str | None:
        """One line when a search ran the image backbone for want of stored blocks; else None."""
        if not self.from_pictures:
            return None
        return (f"the index stores no attribute scores for model {self.embedder.version}, so re-scoring "
                f"classified {self.from_pictures} product pictures (slow); `{self.reindex}` stores them once")

    def query_attributes(self, query: SearchQuery) -> np.ndarray | None:
        """What a text-only query asks for, when the model has an attribute scorer; None otherwise
        (plain cosine ranking)."""
        scorer = getattr(self.embedder, "scorer", None)
        if scorer is None or scorer.weight <= 0 or query.text is None or query.image is not None or query.like_id is not None:
            return None
        with single_intra_op_thread():
            return self.embedder.text_attributes([query.text.strip()])[0]

    def rescore(self, metadatas: list[dict], scores: np.ndarray, attributes: np.ndarray | None) -> np.ndarray:
        """``scores`` of the products in ``metadatas`` plus their attribute agreement with the query."""
        if attributes is None or not metadatas:
            return scores
        blocks = self.blocks(metadatas)
        return scores + self.embedder.scorer.weight * (blocks @ attributes)

    def rescore_ids(self, ids: list[str], scores: np.ndarray, attributes: np.ndarray | None,
                    metadata: Callable[[list[str]], dict[str, dict]]) -> np.ndarray:
        """Like :meth:`rescore` for products named by id; ``metadata(ids)`` reads the stored
        metadata of those whose block this rescorer has not seen yet (id -> metadata)."""
        if attributes is None or not ids:
            return scores
        missing = [i for i in dict.fromkeys(ids) if i not in self._by_id]
        found = metadata(missing) if missing else {}
        known = [i for i in missing if i in found]  # one deleted meanwhile (a re-index) has none
        if known:
            self._by_id.update(zip(known, self.blocks([found[i] for i in known])))
        absent = np.zeros(int(self.embedder.scorer.width), dtype=np.float32)
        blocks = np.stack([self._by_id.get(i, absent) for i in ids])
        return scores + self.embedder.scorer.weight * (blocks @ attributes)

    def remember(self, ids: list[str], metadatas: list[dict]) -> None:
        """Keep the stored blocks of these products (``Searcher.preload`` reads them all at once), so
        re-scoring them later reads nothing from the store."""
        fingerprint = scorer_fingerprint(self.embedder)
        if fingerprint is None:
            return
        width = int(self.embedder.scorer.width)
        for key, meta in zip(ids, metadatas):
            block = decode_block((meta or {}).get(ATTRIBUTE_KEY), fingerprint, width)
            if block is not None:
                self._by_id.setdefault(str(key), block)

    def blocks(self, metadatas: list[dict]) -> np.ndarray:
        """(n, width) image blocks of these products: stored ones decoded, the rest from the pictures."""
        scorer = self.embedder.scorer
        fingerprint = scorer_fingerprint(self.embedder)
        width = int(scorer.width)
        stored = [decode_block((m or {}).get(ATTRIBUTE_KEY), fingerprint, width) if fingerprint else None
                  for m in metadatas]
        paths = [str((m or {}).get("image", "")) for m in metadatas]
        missing = [p for p in dict.fromkeys(p for p, block in zip(paths, stored) if block is None) if p not in self._blocks]
        if missing:
            with single_intra_op_thread():
                self._blocks.update(zip(missing, self.embedder.image_attributes(missing)))
            self.from_pictures += len(missing)
        return np.stack([block if block is not None else self._blocks[path] for block, path in zip(stored, paths)])
