"""Attribute re-scoring: a model's attribute classifiers re-rank the embedding's nearest products.

When the model carries an attribute scorer (brand, colour, type, gender: see
``core.model.attributes``) and the query is a text alone, ``core.index.search.Searcher`` fetches
the :data:`RESCORE_CANDIDATES` nearest products by cosine and adds
``scorer.weight * (image block @ query attributes)`` to each score. A picture or "more like this"
ranks by the embedding alone, and so does a weight of 0.

The image blocks are computed from the product pictures on first use and kept in memory per
``AttributeRescorer`` (the searcher makes a new one on ``refresh``), so a product is classified
once per process. Trade-off: that memo grows with the products ever re-scored (a few KB each).
"""

from __future__ import annotations

import numpy as np

from core.index.query import SearchQuery, single_intra_op_thread
from core.model.embedder import Embedder

RESCORE_CANDIDATES = 200  # embedding neighbours re-scored by a model's attribute classifiers


class AttributeRescorer:
    """Re-scores candidates with ``embedder``'s attribute scorer (a no-op when it has none)."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self._blocks: dict[str, np.ndarray] = {}  # image path -> the scorer's image block

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
        paths = [str(m.get("image", "")) for m in metadatas]
        missing = [p for p in dict.fromkeys(paths) if p not in self._blocks]
        if missing:
            with single_intra_op_thread():
                self._blocks.update(zip(missing, self.embedder.image_attributes(missing)))
        blocks = np.stack([self._blocks[p] for p in paths])
        return scores + self.embedder.scorer.weight * (blocks @ attributes)
