"""Searching an understood request, and saying so when nothing matches exactly.

``search_understood(searcher, interpretation, query)`` runs the query with the interpretation's text
and filters. When the exact filters give fewer than ``k`` hits, the word-derived filters are relaxed
one at a time, cumulatively, in a fixed order (``RELAX_ORDER``):

1. colour (dropped),
2. article type → its group ("Tshirts" → "Topwear"; a group read from the words is kept),
3. price (min and max dropped together),
4. the group (read from the words, or left by step 2) dropped: the words still rank the results, so
   "shoes" within a curation tag that holds no shoes shows the tagged products, saying so.

Gender is never relaxed (the wrong wearer is worse than fewer results) and typed filters never
are: an empty result names, in words, the filter that emptied it (``UnderstoodResult.empty``).

Then every hit is checked against what the words asked (:class:`Asked`: the word filters, plus a
colour or type the words named that no filter carries, because a typed filter replaced it): the
exact matches come first, each near miss says how it differs (``misses``: "Black, not Red"), and
``notice`` says it in one sentence, "No red t-shirts in the catalogue; showing the closest: red
shirts, black t-shirts." or "Only 2 exact matches for red t-shirts (shown first); then the closest:
…". ``exact_match`` is the flag: every hit shown is what was asked. Trade-off: each relaxed step is
one more filtered store query (a few ms); the query is encoded once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.data.enrich import article_noun
from core.data.groups import ARTICLE_TYPE_GROUP, GROUP_LABELS
from core.data.product import Product
from core.index.filters import Filters
from core.index.labels import describe_filters
from core.index.query import SearchQuery
from core.index.search import Hit, SearchResult, Searcher
from core.index.understand import Interpretation, merge
from core.understanding.request import inr

RELAX_ORDER = ("colour", "article type → group", "price", "group")


@dataclass(frozen=True)
class UnderstoodResult:
    """The hits (exact matches first), the interpretation, and what was relaxed and why.

    ``exact`` counts the hits the unrelaxed filters gave; ``misses`` has one entry per hit, ``""``
    for an exact match, else how it differs from the ask; ``empty`` says, when there is no hit,
    which filter emptied the result, in words.
    """

    result: SearchResult
    interpretation: Interpretation
    exact: int
    relaxed: tuple[str, ...] = ()  # "colour Black", "Handbags → Bags & wallets", "price under ₹1,500"
    notice: str | None = None
    misses: tuple[str, ...] = ()
    empty: str | None = None

    @property
    def hits(self) -> list[Hit]:
        return self.result.hits

    @property
    def exact_match(self) -> bool:
        """Whether every hit shown is what the words asked for (True for no hit: nothing is shown)."""
        return not any(self.misses)


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
        kind = chips.get("article_type", " or ".join(words.article_type))
        if kind != label:  # "Watches → Watches" widens nothing
            steps.append((f"{kind} → {label}", current))
    if current.min_price is not None or current.max_price is not None:
        current = replace(current, min_price=None, max_price=None)
        price = " ".join(chips[f] for f in ("min_price", "max_price") if f in chips)
        steps.append((f"price {price}".strip(), current))
    if current.group:
        label = chips.get("group") or " or ".join(GROUP_LABELS.get(g, g) for g in current.group)
        current = replace(current, group=())
        steps.append((f"group {label}", current))
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
    asked = asked_for(interpretation)
    ranked = [(asked.misses(h), h) for h in hits]
    ranked = [r for r in ranked if not r[0]] + [r for r in ranked if r[0]]  # exact matches first, each in rank order
    result = replace(exact, hits=[h for _, h in ranked], reason=None if hits else exact.reason)
    misses = tuple(" · ".join(m) for m, _ in ranked)
    empty = None if hits else searcher.why_empty(interpretation.filters, exclude_id=query.like_id)
    return UnderstoodResult(result, interpretation, len(exact.hits), tuple(relaxed),
                            exact_match_notice(asked, interpretation, result.hits, misses), misses, empty)


# -- what was asked, and how a hit differs from it -------------------------------------------
@dataclass(frozen=True)
class Asked:
    """What the words asked for, as a product should be: the word filters applied, plus a colour or
    article type the words named that no filter carries (replaced by a typed filter, not stocked)."""

    gender: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    colour_label: str = ""
    types: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    min_price: int | None = None
    max_price: int | None = None

    @property
    def is_empty(self) -> bool:
        return self == Asked()

    def misses(self, product: Product) -> list[str]:
        """How ``product`` differs from the ask: ``["Black, not Red", "₹1,899, over ₹1,500"]``; empty
        when it is an exact match."""
        out = []
        if self.colours and product.base_colour not in self.colours:
            want = self.colour_label or " or ".join(self.colours)
            out.append(f"{product.base_colour}, {'but you said' if want.startswith('no ') else 'not'} {want}")
        if self.types and product.article_type not in self.types:
            out.append(f"{product.article_type}, not {' or '.join(self.types)}")
        elif self.groups and product.group not in self.groups:
            out.append(f"{GROUP_LABELS.get(product.group, product.group)}, not "
                       f"{' or '.join(GROUP_LABELS.get(g, g) for g in self.groups)}")
        if self.max_price is not None and product.price > self.max_price:
            out.append(f"{inr(product.price)}, over {inr(self.max_price)}")
        if self.min_price is not None and product.price < self.min_price:
            out.append(f"{inr(product.price)}, under {inr(self.min_price)}")
        return out

    def phrase(self) -> str:
        """``"black handbags for women under ₹1,500"``."""
        kinds = [plural(t) for t in self.types] or [GROUP_LABELS.get(g, g).lower() for g in self.groups]
        kind = " or ".join(kinds) or "products"
        if self.colour_label.startswith("no "):  # every colour but some: "shirts (no red)"
            words = [kind, f"({self.colour_label})"]
        else:
            words = [" or ".join(self.colours).lower(), kind]
        if self.gender:
            words.append("for " + " or ".join(GENDER_WORDS.get(g, g.lower()) for g in self.gender))
        price = {(True, True): f"from {inr(self.min_price or 0)} to {inr(self.max_price or 0)}",
                 (True, False): f"above {inr(self.min_price or 0)}",
                 (False, True): f"under {inr(self.max_price or 0)}"}.get((self.min_price is not None,
                                                                         self.max_price is not None))
        return " ".join(w for w in (*words, price) if w)


GENDER_WORDS = {"Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls", "Unisex": "anyone"}


def plural(article_type: str) -> str:
    """``"Tshirts"`` → ``"t-shirts"``, ``"Watches"`` → ``"watches"``, ``"Heels"`` → ``"heels"``."""
    noun = article_noun(article_type)
    if noun == article_type.lower():  # no singular known: the catalogue's name is already a plural
        return noun
    if noun.endswith(("ch", "sh", "ss", "x")):
        return noun + "es"
    return noun[:-1] + "ves" if noun.endswith("f") else noun + "s"


def asked_for(interpretation: Interpretation) -> Asked:
    """What ``interpretation`` asks of each product (a removed chip asks nothing any more)."""
    words, request = interpretation.words, interpretation.request
    removed = {chip.field for chip in interpretation.removed}
    labels = {chip.field: chip.label for chip in interpretation.chips}
    colours, colour_label = words.colours, labels.get("colours", "")
    if not colours and request is not None and "colours" not in removed:
        colours = tuple(c for c in request.all_colours_wanted() if c not in request.colours_excluded)
    types = words.article_type
    items = request.items_asked if request is not None else ()
    if not types and items and all(item.article_types for item in items) and not removed & {"article_type", "group"}:
        types = tuple(dict.fromkeys(t for item in items for t in item.article_types))
    return Asked(gender=words.gender, colours=colours, colour_label=colour_label if words.colours else "",
                 types=types, groups=() if types else words.group,
                 min_price=words.min_price, max_price=words.max_price)


def closest(hits: list[Hit], misses: tuple[str, ...], asked: Asked, *, most: int = 3) -> str:
    """The near misses in words, best ranked first: ``"red shirts, black t-shirts"``."""
    seen: dict[str, None] = {}
    for hit, miss in zip(hits, misses):
        if not miss:
            continue
        colour = "" if hit.base_colour in ("", "Unknown") else hit.base_colour.lower()
        price = ""
        if asked.max_price is not None and hit.price > asked.max_price:
            price = f"over {inr(asked.max_price)}"
        elif asked.min_price is not None and hit.price < asked.min_price:
            price = f"under {inr(asked.min_price)}"
        seen[" ".join(p for p in (colour, plural(hit.article_type), price) if p)] = None
    names = list(seen)
    return ", ".join(names[:most]) + (" and more" if len(names) > most else "")


def exact_match_notice(asked: Asked, interpretation: Interpretation, hits: list[Hit],
                       misses: tuple[str, ...]) -> str | None:
    """None when every hit is what the words asked for; else a sentence saying how many are and
    what the others are: "No red t-shirts in the catalogue; showing the closest: red shirts."."""
    if asked.is_empty or not hits or not any(misses):
        return None
    exact, near = sum(not m for m in misses), closest(hits, misses, asked)
    if exact:
        return (f"Only {exact} exact match{'es' if exact > 1 else ''} for {asked.phrase()} (shown first); "
                f"then the closest: {near}.")
    typed = interpretation.typed
    where = "in the catalogue" if typed.is_empty else f"with the filters {describe_filters(typed)}"
    return f"No {asked.phrase()} {where}; showing the closest: {near}."
