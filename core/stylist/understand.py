"""The shared request parser (``core.understanding``) read into the stylist's ``StylistRequest``.

``understand(message, vocabulary, parsed)`` parses the message with ``core.understanding.parse``
and overlays what that parser reads better onto the offline parser's ``parsed`` request: the
wearer (a child becomes Boys/Girls, never an adult's gender), excluded colours (negation,
pronouns), colours only, the budget (per item, a range, a minimum), items asked and excluded, and
the occasion (mapped onto the stylist's own occasion rows). Fields the new parser leaves empty keep
the offline parser's value. It also reports what the catalogue does not stock (with the nearest
stocked type) and whether the wearer is unknown where it matters, so the stylist asks instead of
guessing. Trade-off: two parsers run per turn (about a millisecond each) until the stylist's
occasion table and planner read ``Request`` directly.
"""

from __future__ import annotations

import re

from core.data.groups import ARTICLE_TYPE_GROUP
from core.stylist.facts import CatalogFacts
from core.stylist.state import StylistRequest
from core.understanding import Request, Vocabulary, parse

AMBIGUOUS_CHILD = frozenset({"girl", "girls", "boy", "boys"})  # "a girl" is often a young woman
MONEY_CUE = re.compile(
    r"₹|\$|€|£|\b(?:rs|inr|rupees?|usd|eur|gbp|aed|dollars?|euros?|pounds?|bucks|budget|under|below|max|maximum|"
    r"upto|up to|within|less|more|over|above|least|min|minimum|between|each|per|apiece|total|spend|around|about)\b",
    re.IGNORECASE,
)
CHILD_GENDER = {"Men": "Boys", "Women": "Girls", "Boys": "Boys", "Girls": "Girls"}
WHO_QUESTION = "Who is the outfit for: a man, a woman, a boy or a girl?"
CHILD_QUESTION = "Is the outfit for a boy or a girl?"


def vocabulary_of(facts: CatalogFacts) -> Vocabulary:
    """The shared parser's vocabulary from what the index holds (built once per graph)."""
    return Vocabulary(article_types=facts.article_types, colours=facts.colours, genders=facts.genders,
                      brands=facts.brands, usages=facts.usages, seasons=facts.seasons)  # fmt: skip


def understand(message: str, vocabulary: Vocabulary, parsed: StylistRequest) -> tuple[StylistRequest, Request]:
    """``parsed`` with the shared parser's better readings laid over it, and that parser's ``Request``."""
    new = parse(message, vocabulary)
    req = parsed.model_copy(deep=True)
    wearer = new.wearer
    if wearer.age is not None and wearer.gender:  # "I'm 18 and a boy": the age decides, not the word
        req.gender = wearer.gender
    elif wearer.gender and not (req.gender in ("Men", "Women") and wearer.gender in ("Boys", "Girls")):
        req.gender = wearer.gender
    if wearer.age is not None and not wearer.child and req.gender in ("Men", "Women"):
        req.child = False
    elif wearer.child and (wearer.age is not None or not {w.lower() for w in wearer.words} <= AMBIGUOUS_CHILD or not req.gender):
        req.child = True
        req.gender = CHILD_GENDER.get(req.gender or "")  # never an adult's item for a child
    req.age = wearer.age
    if new.occasion is not None:  # a row of the shared table; core.stylist.occasions dresses it
        req.occasion = new.occasion.name
    if new.season:
        req.season = new.catalogue_season
    req.weather = list(new.weather)
    req.brands, req.excluded_brands = list(new.brands), list(new.brands_excluded)
    # a family avoided as a whole ("nothing too flashy") is a stylist's preference, not a hard exclusion
    family = {c for p in new.palettes if not p.wanted for c in p.colours}
    excluded = [c for c in new.colours_excluded if c not in family]
    if excluded:
        req.excluded_colours = list(dict.fromkeys([*req.excluded_colours, *excluded]))
        req.colours = [c for c in req.colours if c not in excluded]
        req.item_colours = {k: [c for c in v if c not in excluded] for k, v in req.item_colours.items()}
        req.item_colours = {k: v for k, v in req.item_colours.items() if v}
    if new.colours_wanted:
        req.colours = list(dict.fromkeys(c for c in new.colours_wanted if c not in req.excluded_colours))
    req.colours_only = bool(new.colours_only and req.colours)
    _read_budget(req, new)
    _read_items(req, new)
    if (new.items_only or not new.outfit) and new.items_asked and (req.article_types or req.groups):
        req.scope = "items"  # "a backpack for college": the backpack; "an outfit with a backpack": the outfit
    req.out_of_catalogue = [o.words for o in new.out_of_catalogue]
    return req, new


def _read_budget(req: StylistRequest, new: Request) -> None:
    budget = new.budget
    if not budget.given or budget.needs_rate:
        return  # nothing said, or a foreign amount: today's parser reads it (with its stated rate)
    if req.budget_max is None and req.budget_min is None and not MONEY_CUE.search(budget.text):
        return  # "my morning 10k" is a run, not a budget: a bare amount needs a money word
    if budget.per_item_max is not None or budget.per_item_min is not None:
        req.budget_max, req.budget_min, req.per_item = budget.per_item_max, budget.per_item_min, True
    else:
        req.budget_max, req.budget_min, req.per_item = budget.total_max, budget.total_min, False


def _read_items(req: StylistRequest, new: Request) -> None:
    asked = [i for i in new.items_asked if i.article_types or i.group]
    # today's parser keeps the items it already read; the shared one adds the kinds it missed
    covered = {ARTICLE_TYPE_GROUP.get(t) for t in req.article_types} | set(req.groups)
    for item in asked:
        group = item.group or next((ARTICLE_TYPE_GROUP.get(t) for t in item.article_types), None)
        if group in covered:
            continue
        covered.add(group)
        if item.article_types:
            req.article_types = list(dict.fromkeys([*req.article_types, *item.article_types]))
            for article in item.article_types if item.colours else ():
                req.item_colours[article] = list(item.colours)
        elif group:
            req.groups.append(group)
    context = {t for item in new.context_items for t in item.article_types}  # "to go with a navy suit": owned
    context_groups = {item.group for item in new.context_items if item.group and not item.article_types}
    req.article_types = [t for t in req.article_types if t not in context]
    req.groups = [g for g in req.groups if g not in context_groups]
    req.item_colours = {t: cs for t, cs in req.item_colours.items() if t not in context}
    excluded_types = {t for item in new.items_excluded for t in item.article_types}
    req.asked_items = [list(item.article_types) or [item.group] for item in asked
                       if not set(item.article_types) & excluded_types]
    bound = {c for cs in req.item_colours.values() for c in cs}
    req.colours = [c for c in req.colours if c not in bound]
    for item in new.items_excluded:
        if item.article_types:
            req.excluded_article_types = list(dict.fromkeys([*req.excluded_article_types, *item.article_types]))
        elif item.group:
            req.excluded_groups = list(dict.fromkeys([*req.excluded_groups, item.group]))
    req.article_types = [t for t in req.article_types if t not in req.excluded_article_types]
    req.groups = [g for g in req.groups if g not in req.excluded_groups]


def wearer_question(req: StylistRequest, new: Request, previous: dict | None) -> str | None:
    """One short question when nobody said who the outfit is for and the outfit depends on it."""
    if req.gender or previous or req.refinement or req.scope == "items" or req.article_types or req.groups:
        return None
    if new.out_of_catalogue or new.brands or new.items_asked:
        return None
    return CHILD_QUESTION if req.child else WHO_QUESTION


def implied_gender(req: StylistRequest, facts: CatalogFacts) -> str | None:
    """The gender the asked items are made for ("a saree": Women), when the catalogue sells them to one only."""
    if req.gender or req.child or not req.article_types:
        return None
    counts = {g: sum(facts.counts.get((g, t), 0) for t in req.article_types) for g in ("Men", "Women")}
    total = sum(facts.count(t) for t in req.article_types)
    best = max(counts, key=counts.get)
    return best if total and counts[best] >= 0.9 * total else None


def not_stocked_notices(new: Request) -> list[str]:
    """One plain sentence per thing asked for that the catalogue does not stock, with the nearest type."""
    out = []
    for missing in new.out_of_catalogue:
        near = f"; the nearest it has is {missing.nearest}" if missing.nearest else ""
        out.append(f"This catalogue does not stock {missing.words}{near}.")
    return out
