"""The LangChain face of our index: ``EncoderEmbeddings`` and ``FashionProductRetriever``.

``EncoderEmbeddings`` wraps any ``core.model.embedder.Embedder`` as a LangChain ``Embeddings`` (query
side; a small LRU cache, since one answer asks for the same slot query more than once).
``FashionProductRetriever`` is a ``BaseRetriever`` over ``core.index.search.Searcher``: per-call
metadata filters come in as keyword arguments (``retriever.invoke("red heels",
filters=Filters(...), k=8, exclude_ids=[...])``) and each ``Document`` carries the product's
metadata (id, name, price, colour, ...), which is all the rest of the graph may cite.

The Searcher is given a thin adapter whose text side goes through the ``Embeddings`` object, so
the query vector really is the LangChain embedding. Trade-off: the searcher cannot take a raw
vector (no public API for it), hence the adapter rather than a direct call.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any, Sequence

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from core.config import Settings
from core.errors import FashionError
from core.index.filters import Filters
from core.index.search import Hit, SearchQuery, Searcher
from core.index.store import read_all
from core.model.embedder import Embedder
from core.stylist.facts import CatalogFacts, compatible_genders

EMBED_CACHE_SIZE = 512
OVERFETCH = 4  # hits fetched per hit wanted before the exact post-filter
SLOT_FETCH = 24  # hits read per outfit slot ...
SLOT_K = 10  # ... of which these become candidates (the occasion's usage first)


class EncoderEmbeddings(Embeddings):
    """Our dual encoder's text tower as LangChain ``Embeddings`` (vectors are L2-normalised)."""

    def __init__(self, embedder: Embedder, cache_size: int = EMBED_CACHE_SIZE):
        self.embedder = embedder
        self._cache: OrderedDict[str, list[float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # one retriever serves every dashboard session

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return np.asarray(self.embedder.encode_texts(list(texts)), dtype=np.float32).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            if text in self._cache:
                self._cache.move_to_end(text)
                return self._cache[text]
        vector = self.embed_documents([text])[0]
        with self._lock:
            self._cache[text] = vector
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vector


class _EmbeddingsQueryEncoder:
    """An ``Embedder`` whose text side is a LangChain ``Embeddings`` (what the Searcher calls)."""

    def __init__(self, embeddings: Embeddings, embedder: Embedder):
        self.embeddings = embeddings
        self.embedder = embedder
        self.version = embedder.version
        self.dim = embedder.dim

    def encode_texts(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        return np.asarray([self.embeddings.embed_query(t) for t in texts], dtype=np.float32)

    def encode_images(self, images, *, batch_size: int = 64) -> np.ndarray:
        return self.embedder.encode_images(images, batch_size=batch_size)


def hit_metadata(hit: Hit) -> dict:
    """A search hit as the plain dict the graph keeps (and cites): id, score, then the product's fields."""
    return {"id": hit.id, "score": float(hit.score), **hit.as_dict()}


class FashionProductRetriever(BaseRetriever):
    """Products from the index for a text query, with per-call filters.

    >>> docs = retriever.invoke("navy blue shirt", filters=Filters(gender=("Men", "Unisex")), k=5)  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Any
    facts: CatalogFacts
    k: int = 8

    @classmethod
    def from_index(cls, settings: Settings, embedder: Embedder, *, k: int = 8) -> "FashionProductRetriever":
        """Open the index built for ``embedder`` (FashionError with the fix when there is none)."""
        embeddings = EncoderEmbeddings(embedder)
        searcher = Searcher(settings, _EmbeddingsQueryEncoder(embeddings, embedder))
        metadatas = read_all(searcher.collections["image"], include=("metadatas",))["metadatas"]
        if not metadatas:
            raise FashionError(f"the index in {settings.home} is empty; run `python -m core index --home {settings.home}`")
        return cls(searcher=searcher, facts=CatalogFacts.from_records(metadatas), k=k)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        filters: Filters | None = None,
        k: int | None = None,
        exclude_ids: Sequence[int] = (),
        exclude_colours: Sequence[str] = (),
    ) -> list[Document]:
        k = int(k or self.k)
        filters = filters or Filters()
        hits = self._search_exact(query, filters, k, {int(i) for i in exclude_ids}, set(exclude_colours))
        return [Document(page_content=h.description or h.name, metadata=hit_metadata(h), id=str(h.id)) for h in hits]

    def _search_exact(self, query: str, filters: Filters, k: int, ids: set[int], colours: set[str]) -> list:
        """The top ``k`` under ``filters`` minus the exclusions, exactly as one full filter would give.

        Chroma's metadata filters cost tens of milliseconds each on 10k products, the price and
        long ``$in`` clauses most. So the index is asked with the cheap part (gender, article
        type, a few colours) for ``OVERFETCH`` x ``k`` hits and the rest is applied here; any
        product passing the full filter passes the cheap one and the ranking is the same cosine,
        so when ``k`` survive they are the exact answer. Otherwise the full filter runs.
        """
        cheap = replace(filters, min_price=None, max_price=None, colours=filters.colours if len(filters.colours) <= 3 else ())

        def keep(hit) -> bool:
            return (
                hit.id not in ids and hit.base_colour not in colours
                and (not filters.colours or hit.base_colour in filters.colours)
                and (filters.min_price is None or hit.price >= filters.min_price)
                and (filters.max_price is None or hit.price <= filters.max_price)
            )  # fmt: skip

        hits = [h for h in self._query(query, cheap, min(500, OVERFETCH * k + len(ids))) if keep(h)]
        if len(hits) >= k or cheap == filters and not colours:
            return hits[:k]
        full = filters
        if colours and not filters.colours:
            allowed = tuple(c for c in self.searcher.vocabulary.values.get("baseColour", ()) if c not in colours)
            full = replace(filters, colours=allowed)
        return [h for h in self._query(query, full, min(500, k + len(ids))) if keep(h)][:k]

    def _query(self, query: str, filters: Filters, k: int) -> list:
        try:
            return self.searcher.search(SearchQuery(text=query, filters=filters, k=k)).hits
        except FashionError:
            return []  # an unknown filter value: nothing matches it in this catalogue


# -- one search per outfit slot ----------------------------------------------------------------
def slot_query(slot: dict, req, usage: str | None) -> str:
    """A query worded like the catalogue's descriptions: "navy blue shirts for men, formal wear"."""
    colour = " ".join(slot["colours"][:1]).lower()
    article = slot["article_types"][0].lower()
    parts = [" ".join(req.style[:2]), colour, article]
    text = " ".join(p for p in parts if p)
    if req.gender:
        text += f" for {req.gender.lower()}"
    if usage:
        text += f", {usage.lower()} wear"
    if req.season:
        text += f", {req.season.lower()}"
    return text


def slot_cap(slot: dict, plan: list[dict], req, facts: CatalogFacts) -> int | None:
    """The most one product of ``slot`` may cost and still leave room for the other slots."""
    if req.budget_max is None:
        return None
    if req.per_item:
        return req.budget_max
    others = 0
    for other in plan:
        if other is slot or other["optional"]:
            continue
        prices = [facts.min_price[t] for t in other["article_types"] if t in facts.min_price]
        others += min(prices) if prices else 0
    cap = req.budget_max - others
    return cap if cap > 0 else req.budget_max


def retrieve_slots(retriever: FashionProductRetriever, plan: list[dict], req, usage: str | None) -> tuple[dict, list[str]]:
    """(slot name -> candidate products, notices); relaxes a slot that finds nothing, and says so."""
    facts = retriever.facts
    notices: list[str] = []
    candidates: dict[str, list[dict]] = {}
    adults = ("Boys", "Girls") if getattr(req, "child", False) else ("Men", "Women", "Unisex")
    genders = compatible_genders(req.gender) or tuple(g for g in adults if g in facts.genders)
    for slot in plan:
        cap = slot_cap(slot, plan, req, facts)
        base = dict(
            gender=genders,
            article_type=tuple(slot["article_types"]),
            colours=tuple(slot["colours"]),
            max_price=cap,
            min_price=req.budget_min if req.per_item else None,
        )
        query = slot_query(slot, req, usage)
        group_types = tuple(t for t in facts.types_in_group(slot["group"], req.gender) if t not in req.excluded_article_types)
        # fallbacks, tried in order until one finds products: (relaxations reported, filter changes)
        share = {"max_price": req.budget_max}  # the slot's share of the budget may be too tight
        any_colour = {"colours": ()}
        widen = {"article_type": group_types}  # the template's types are only a preference
        steps: list[tuple[tuple[str, ...], dict]] = [((), {}), ((), share)]
        if not slot["requested"]:
            steps.append(((), {**share, **widen}))
        if slot["colours"]:
            steps.append((("colour",), {**share, **any_colour}))
            if not slot["requested"]:
                steps.append((("colour",), {**share, **any_colour, **widen}))
        if slot["requested"]:
            steps.append((("article_type",), {**share, **widen}))
            if slot["colours"]:
                steps.append((("colour", "article_type"), {**share, **widen, **any_colour}))
        if req.budget_max is not None and not slot["optional"]:
            free = {"max_price": None, "min_price": None}
            steps.append((("budget",), free))
            steps.append((("budget", "colour", "article_type"), {**free, **widen, **any_colour}))
        before = list(slot.get("relaxed", []))
        relaxed = before
        found: list[dict] = []
        tried = []
        for labels, change in steps:
            filters = Filters(**{**base, **change})
            if not filters.article_type or filters in tried:
                continue
            tried.append(filters)
            found = _search(retriever, query, filters, usage if usage in facts.usages else None, req)
            if found:
                relaxed = before + [label for label in labels if label not in before]
                break
        what = " or ".join(slot["article_types"][:2])
        new = relaxed[len(before):]
        if not found:
            if not slot["optional"]:
                notices.append(f"Nothing in the catalogue fits the {slot['name']} ({what}) with these constraints.")
        elif new and "budget" not in new:
            why = {"colour": "in " + "/".join(slot["colours"]), "article_type": "of that kind"}
            notices.append(
                f"No {what} {' and '.join(why[s] for s in new)} for this request; "
                f"the {slot['name']} below is the nearest match instead."
            )
        slot["relaxed"] = relaxed
        slot["cap"] = cap
        candidates[slot["name"]] = found
    return candidates, notices


def _search(retriever, query: str, filters: Filters, usage: str | None, req) -> list[dict]:
    """Candidates for one slot: the best ``SLOT_K``, those of the occasion's usage first."""
    docs = retriever.invoke(query, filters=filters, k=SLOT_FETCH, exclude_ids=req.excluded_ids, exclude_colours=req.excluded_colours)
    metas = [d.metadata for d in docs]
    if usage:
        metas = [m for m in metas if m.get("usage") == usage] + [m for m in metas if m.get("usage") != usage]
    return metas[:SLOT_K]
