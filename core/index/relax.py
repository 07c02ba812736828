"""Searching an understood request, and saying so when nothing matches exactly.

``search_understood(searcher, interpretation, query)`` runs the query with the interpretation's text
and filters. When the exact filters give fewer than ``k`` hits, the word-derived filters are relaxed
one at a time, cumulatively, in a fixed order (``RELAX_ORDER``):

1. colour (dropped),
2. article type → its group ("Tshirts" → "Topwear"; a group read from the words is kept),
3. price (min and max dropped together),
4. the group (read from the words, or left by step 2) dropped: the words still rank the results, so
   "shoes" within a curation tag that holds no shoes shows the tagged products, saying so.

The exact hits come first, then each step's new hits, until ``k``. Gender is never relaxed (the
wrong wearer is worse than fewer results) and typed filters never are: an empty result still names
the filter that emptied it (``SearchResult.reason``). ``notice`` says what happened: "No exact match
for …; relaxed …", or, when no hit is the asked colour/type (a removed chip, a typed filter that
overrode the words), "No exact match for Red Tshirts among these results." Trade-off: each relaxed
step is one more filtered store query (a few ms); the query is encoded once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.data.groups import ARTICLE_TYPE_GROUP, GROUP_LABELS
from core.index.filters import Filters
from core.index.query import SearchQuery
from core.index.search import Hit, SearchResult, Searcher
from core.index.understand import Interpretation, merge
from core.understanding import Request

RELAX_ORDER = ("colour", "article type → group", "price", "group")


@dataclass(frozen=True)
class UnderstoodResult:
    """The hits (exact first), the interpretation, how many hits are exact, and what was relaxed."""

    result: SearchResult
    interpretation: Interpretation
    exact: int
    relaxed: tuple[str, ...] = ()  # "colour Black", "Handbags → Bags & wallets", "price under ₹1,500"
    notice: str | None = None

    @property
    def hits(self) -> list[Hit]:
        return self.result.hits


def relax_steps(words: Filters, chips: dict[str, str]) -> list[tuple[str, Filters]]:
    """The cumulative relaxations of ``words`` in ``RELAX_ORDER``: ``(what was relaxed, filters left)``."""
    steps, current = [], words
    if current.colours:
        current = replace(current, colours=())
        steps.append((f"colour {chips.get('colours', '')}".strip(), current))
    if current.article_type:
        groups = tuple(dict.fromkeys(ARTICLE_TYPE_GROUP.get(t, "other") for t in current.article_type))
        current = replace(current, article_type=(), group=groups)
        label = " or ".join(GROUP_LABELS.get(g, g) for g in groups)
        steps.append((f"{chips.get('article_type', ' or '.join(words.article_type))} → {label}", current))
    if current.min_price is not None or current.max_price is not None:
        current = replace(current, min_price=None, max_price=None)
        price = " ".join(chips[f] for f in ("min_price", "max_price") if f in chips)
        steps.append((f"price {price}".strip(), current))
    if current.group:
        label = chips.get("group") or " or ".join(GROUP_LABELS.get(g, g) for g in current.group)
        current = replace(current, group=())
        steps.append((label, current))
    return steps


def search_understood(searcher: Searcher, interpretation: Interpretation, query: SearchQuery) -> UnderstoodResult:
    """``query`` run with ``interpretation``'s text (when it has a text) and filters, relaxed as above."""
    query = replace(query, text=interpretation.text if query.text is not None else None, filters=interpretation.filters)
    exact = searcher.search(query)
    hits, relaxed = list(exact.hits), []
    labels = {chip.field: chip.label for chip in interpretation.chips}
    steps = relax_steps(interpretation.words, labels) if len(hits) < query.k else []
    vector = attributes = None
    pending: list[str] = []
    for label, words in steps:
        pending.append(label)
        if vector is None:
            vector, attributes = searcher.query_vector(query), searcher.query_attributes(query)
        more = searcher.search_vector(vector, filters=merge(interpretation.typed, words), k=query.k,
                                      exclude_id=query.like_id, description_weight=query.description_weight,
                                      query=query, attributes=attributes)
        seen = {h.id for h in hits}
        new = [h for h in more.hits if h.id not in seen][: query.k - len(hits)]
        if new:
            hits += new
            relaxed += pending
            pending = []
        if len(hits) >= query.k:
            break
    result = replace(exact, hits=hits, reason=None if hits else exact.reason)
    notice = _notice(interpretation, len(exact.hits), relaxed) or exact_match_notice(interpretation.request, hits)
    return UnderstoodResult(result, interpretation, len(exact.hits), tuple(relaxed), notice)


def exact_match_notice(request: Request | None, hits: list[Hit]) -> str | None:
    """"No exact match for Red Tshirts …" when hits exist and none is the colour/type asked."""
    if request is None or not hits:
        return None
    types = {t for item in request.items_asked for t in item.article_types}
    colours = set(request.all_colours_wanted())
    if not types and not colours:
        return None
    if any((not types or h.article_type in types) and (not colours or h.base_colour in colours) for h in hits):
        return None
    asked = " ".join(p for p in (" or ".join(sorted(colours)), " or ".join(sorted(types))) if p)
    return f"No exact match for {asked} among these results."


def _notice(interpretation: Interpretation, exact: int, relaxed: list[str]) -> str | None:
    if not relaxed:
        return None
    what = interpretation.summary()
    how = ", then ".join(relaxed)
    if exact == 0:
        return f"No exact match for {what}; relaxed {how}."
    return f"Only {exact} exact match{'es' if exact > 1 else ''} for {what} (shown first); then relaxed {how}."
