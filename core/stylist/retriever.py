"""The LangChain face of our index, ``EncoderEmbeddings`` and ``FashionProductRetriever``, and the
search of each outfit slot under the request's hard constraints (``retrieve_slots``).

``EncoderEmbeddings`` wraps any ``core.model.embedder.Embedder`` as a LangChain ``Embeddings`` (query
side; a small LRU cache, since one answer asks for the same slot query more than once).
``FashionProductRetriever`` is a ``BaseRetriever`` over ``core.index.search.Searcher``: per-call
metadata filters come in as keyword arguments (``retriever.invoke("red heels",
filters=Filters(...), k=8, exclude_ids=[...], accept=predicate)``) and each ``Document`` carries the
product's metadata (id, name, price, colour, ...), which is all the rest of the graph may cite.

Constraints the index cannot filter on (the wearer, brands, colours to avoid: compose's
``allowed``) are an ``accept`` predicate applied inside the exact top-k, so alternatives keep them
too. A slot relaxes only what may be relaxed, with a notice; never the wearer, the excluded colours
or brands. Under a budget each slot is also searched within its fair share of it (in proportion to
its typical price), and its cheapest relevant products join, so compose can find an in-budget
outfit whenever the catalogue's relevant products allow one.

The Searcher is given a thin adapter whose text side goes through the ``Embeddings`` object, so
the query vector really is the LangChain embedding. Trade-off: the searcher takes neither a raw
vector nor a list of ids (no public API for them), hence the adapter and, for a predicate, a deeper
fetch (``MAX_FETCH``) rather than a query restricted to the products it accepts.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from functools import partial
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
from core.stylist.constraints import allowed, wearer
from core.stylist.facts import CatalogFacts, compatible_genders
from core.understanding.colours import with_close_shades

EMBED_CACHE_SIZE = 512
OVERFETCH = 4  # hits fetched per hit wanted before the exact post-filter
MAX_FETCH = 500  # the deepest fetch (the Searcher's limit), used when a predicate filters the hits
SLOT_FETCH = 24  # hits read per outfit slot ...
SLOT_K = 10  # ... of which these become candidates (the occasion's usage first)
FAIR_K = 4  # plus, under a budget, the best within the slot's fair share ...
CHEAP_K = 2  # ... and the cheapest relevant ones
GROWN_UP = {"Boys": "Men", "Girls": "Women"}


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
        accept: Callable[[Hit], bool] | None = None,
    ) -> list[Document]:
        k = int(k or self.k)
        filters = filters or Filters()
        hits = self._search_exact(query, filters, k, {int(i) for i in exclude_ids}, set(exclude_colours), accept)
        return [Document(page_content=h.description or h.name, metadata=hit_metadata(h), id=str(h.id)) for h in hits]

    def _search_exact(self, query: str, filters: Filters, k: int, ids: set[int], colours: set[str],
                      accept: Callable[[Hit], bool] | None = None) -> list:
        """The top ``k`` under ``filters`` minus the exclusions (and those ``accept`` refuses), exactly
        as one full filter would give.

        Chroma's metadata filters cost tens of milliseconds each on 10k products, the price and
        long ``$in`` clauses most. So the index is asked with the cheap part (gender, article
        type, a few colours) for ``OVERFETCH`` x ``k`` hits and the rest is applied here; any
        product passing the full filter passes the cheap one and the ranking is the same cosine,
        so when ``k`` survive (or the cheap filter had no more to give) they are the exact answer.
        Otherwise the full filter runs, ``MAX_FETCH`` deep when a predicate thins the hits.
        """
        cheap = replace(filters, min_price=None, max_price=None, colours=filters.colours if len(filters.colours) <= 3 else ())

        def keep(hit) -> bool:
            return (
                hit.id not in ids and hit.base_colour not in colours
                and (not filters.colours or hit.base_colour in filters.colours)
                and (filters.min_price is None or hit.price >= filters.min_price)
                and (filters.max_price is None or hit.price <= filters.max_price)
                and (accept is None or accept(hit))
            )  # fmt: skip

        asked = min(MAX_FETCH, OVERFETCH * k + len(ids))
        raw = self._query(query, cheap, asked)
        hits = [h for h in raw if keep(h)]
        if len(hits) >= k or len(raw) < asked or cheap == filters and not colours and accept is None:
            return hits[:k]
        full = filters
        if colours and not filters.colours:
            palette = tuple(c for c in self.searcher.vocabulary.values.get("baseColour", ()) if c not in colours)
            full = replace(filters, colours=palette)
        depth = MAX_FETCH if accept is not None else min(MAX_FETCH, k + len(ids))
        return [h for h in self._query(query, full, depth) if keep(h)][:k]

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
    parts = [" ".join(req.style[:2]), " ".join(slot.get("brands", [])[:1]), colour, article]
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


def slot_shares(plan: list[dict], req, facts: CatalogFacts) -> dict[str, list[int | None]]:
    """Each slot's fair share [low, high] of the budget, in proportion to its typical price.

    One product of every slot within its share makes an outfit within the budget (the shares add
    up to it), so searching each slot under its share too finds in-budget outfits that a search
    by relevance alone (the dearest pieces first) would miss.
    """
    bounds = (req.budget_min, req.budget_max)
    if bounds == (None, None):
        return {}
    if req.per_item or len(plan) == 1:
        return {s["name"]: list(bounds) for s in plan}
    typical = {s["name"]: min((facts.low_price[t] for t in s["article_types"] if t in facts.low_price), default=0) for s in plan}
    known = [v for v in typical.values() if v]
    fill = sum(known) / len(known) if known else 1
    whole = sum(v or fill for v in typical.values())
    return {n: [None if b is None else int(b * (v or fill) / whole) for b in bounds] for n, v in typical.items()}


def _genders(req, facts: CatalogFacts) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(genders to search, adult genders whose products may still be a child's, searched second)."""
    child, gender = wearer(req)
    if child:
        kids = (gender,) if gender else ("Boys", "Girls")
        searched, grown = (*kids, "Unisex"), tuple(GROWN_UP[g] for g in kids)
    else:
        searched, grown = compatible_genders(gender) or ("Men", "Women", "Unisex"), ()
    stocked = lambda gs: tuple(g for g in gs if g in facts.genders) or gs  # noqa: E731 - unknown: nothing matches
    return stocked(searched), tuple(g for g in grown if g in facts.genders)


def retrieve_slots(retriever: FashionProductRetriever, plan: list[dict], req, usage: str | None) -> tuple[dict, list[str]]:
    """(slot name -> candidate products, notices); relaxes a slot that finds nothing, and says so.

    In order, until a search finds products: the slot's budget share, its article types (a
    template's are only a preference), the colour wanted; then the same again without the occasion's
    colours to avoid, then without the brand; the requested article type; last, the budget. What was
    relaxed goes into ``slot["relaxed"]`` and a notice (the budget's is compose's).
    """
    facts = retriever.facts
    notices: list[str] = []
    candidates: dict[str, list[dict]] = {}
    genders, grown = _genders(req, facts)
    shares = slot_shares(plan, req, facts)
    branded = bool(req.brands) and not any(s["requested"] for s in plan)
    exclude = with_close_shades(req.excluded_colours)
    stocked_usage = usage if usage in facts.usages else None
    look = None  # nobody named: the first slot sold to one gender sets it for the rest (one consistent look)
    for slot in plan:
        cap = slot_cap(slot, plan, req, facts)
        slot["brands"] = list(req.brands) if branded or slot["requested"] else []
        avoid = tuple(slot.get("avoid_colours") or ())
        base = dict(gender=tuple(g for g in (look, "Unisex") if g in facts.genders) if look else genders,
                    article_type=tuple(slot["article_types"]), colours=tuple(slot["colours"]), max_price=cap,
                    min_price=req.budget_min if req.per_item or len(plan) == 1 else None)  # fmt: skip
        query = slot_query(slot, req, usage)
        group_types = tuple(t for t in slot.get("fallback_types") or facts.types_in_group(slot["group"], req.gender)
                            if t not in req.excluded_article_types)  # the planner's suitable fallbacks, else the group's
        share = {"max_price": req.budget_max}  # the slot's share of the budget may be too tight
        any_colour = {"colours": ()}
        widen = {"article_type": group_types}  # the template's types are only a preference
        soft: list[tuple[tuple[str, ...], dict]] = [((), {}), ((), share)]
        if not slot["requested"]:
            soft.append(((), {**share, **widen}))
        if slot["colours"]:
            soft.append((("colour",), {**share, **any_colour}))
            if not slot["requested"]:
                soft.append((("colour",), {**share, **any_colour, **widen}))
        typed, free = [], []
        if slot["requested"]:
            typed.append((("article_type",), {**share, **widen}))
            if slot["colours"]:
                typed.append((("colour", "article_type"), {**share, **widen, **any_colour}))
        if (req.budget_max is not None or base["min_price"] is not None) and not slot["optional"]:
            unbounded = {"max_price": None, "min_price": None}
            free = [(("budget",), unbounded), (("budget", "colour", "article_type"), {**unbounded, **widen, **any_colour})]
        levels: list[tuple[str, ...]] = [()]  # the hard-but-relaxable constraints given up, in order
        if avoid:
            levels.append(("avoid_colour",))
        if slot["brands"]:
            levels.append((*levels[-1], "brand"))
        before = list(slot.get("relaxed", []))
        relaxed, found, tried, chosen = before, [], set(), None
        for level, labels, change in [(lv, lb, ch) for steps in (soft, typed, free) for lv in levels for lb, ch in steps]:
            filters = Filters(**{**base, **change})
            if not filters.article_type or (filters, level) in tried:
                continue
            tried.add((filters, level))
            search = partial(_search, retriever, query, req=req, usage=stocked_usage, grown=grown,
                             colours=exclude if "avoid_colour" in level else (*exclude, *avoid),
                             accept=partial(allowed, req=req, slot=slot, relaxed=level))  # fmt: skip
            found = search(filters)
            if found:
                relaxed, chosen = before + [x for x in (*level, *labels) if x not in before], (search, change)
                break
        sold = {m["gender"] for m in found} - {"Unisex", ""}
        if req.gender is None and not wearer(req)[0] and look is None and len(sold) == 1:
            look = sold.pop()
        slot["relaxed"], slot["cap"], slot["share"] = relaxed, cap, shares.get(slot["name"])
        candidates[slot["name"]] = _with_budget_picks(found, chosen, base, slot, req)
        notice = _relaxation_notice(slot, relaxed[len(before):], req.gender, bool(found))
        if notice:
            notices.append(notice)
    return candidates, notices


def _search(retriever, query: str, filters: Filters, *, req, usage: str | None, grown: tuple[str, ...], colours, accept) -> list[dict]:
    """One slot's best ``SLOT_FETCH`` under its constraints, the occasion's usage first. For a child,
    products filed under an adult gender whose name marks them a child's ("Palm Tree Kids Boy ...
    Trousers", filed as Men's) are searched second and merged."""

    def fetch(genders: tuple[str, ...]) -> list[dict]:
        docs = retriever.invoke(query, filters=replace(filters, gender=genders), k=SLOT_FETCH, exclude_ids=req.excluded_ids,
                                exclude_colours=colours, accept=accept)  # fmt: skip
        return [d.metadata for d in docs]

    metas = fetch(filters.gender)
    if grown and len(metas) < SLOT_FETCH:
        metas = sorted(metas + fetch(grown), key=lambda m: -m["score"])[:SLOT_FETCH]
    if usage:
        metas = [m for m in metas if m.get("usage") == usage] + [m for m in metas if m.get("usage") != usage]
    return metas


def _with_budget_picks(found: list[dict], chosen, base: dict, slot: dict, req) -> list[dict]:
    """The best ``SLOT_K`` and, under a budget, the best ``FAIR_K`` within the slot's fair share
    (searched for when too few were found) and the ``CHEAP_K`` cheapest found."""
    picks, share = found[:SLOT_K], slot["share"]
    if share and found and "budget" not in slot["relaxed"] and not req.per_item:
        fair = [m for m in found if (share[0] or 0) <= m["price"] <= (share[1] or float("inf"))]
        if len(fair) < FAIR_K:
            search, change = chosen
            fair += search(Filters(**{**base, **change, "min_price": share[0], "max_price": share[1]}))
        picks += fair[:FAIR_K] + sorted(found, key=lambda m: (m["price"], -m["score"], m["id"]))[:CHEAP_K]
    return list({m["id"]: m for m in picks}.values())


def _relaxation_notice(slot: dict, new: list[str], gender: str | None, found: bool) -> str | None:
    what = " or ".join(slot["article_types"][:2])
    if not found:
        return None if slot["optional"] else f"Nothing in the catalogue fits the {slot['name']} ({what}) with these constraints."
    shown = [label for label in new if label != "budget"]  # compose explains a relaxed budget
    if not shown:
        return None
    if "brand" in shown:  # "No Nike Track Pants for men; ..."
        what = f"{' or '.join(slot['brands'])} {what}" + (f" for {gender.lower()}" if gender else "")
    avoid = "/".join(slot.get("avoid_colours") or ()).lower()
    why = {"colour": "in " + "/".join(slot["colours"]), "article_type": "of that kind",
           "avoid_colour": f"outside the colours to avoid ({avoid})"}
    reasons = " and ".join(why[label] for label in shown if label in why)
    where = "" if "brand" in shown else " for this request"
    return f"No {what}{' ' * bool(reasons)}{reasons}{where}; the {slot['name']} below is the nearest match instead."
