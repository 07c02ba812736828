"""Message -> ``StylistRequest``: the shared request parser (``core.understanding``), in the stylist's terms.

``read_message`` is the stylist's only reader of free text: the same parser as search, its typed
``Request`` turned into the plain request the graph keeps (see its docstring), plus the signals a
follow-up needs ("cheaper", "something else", a refinement cue) and an injection flag. The helpers
below ask the one question that matters when nobody said who the outfit is for, infer the wearer
from items sold to one gender only, and word what the catalogue does not stock. Trade-off: the
request is flattened (article types and groups, colours bound by type or group), which the planner
and the checkpointed state need; the typed ``Request`` travels alongside for what is not flattened.
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
ADULT_GENDER = {"Boys": "Men", "Girls": "Women"}
SHIFT = re.compile(
    r"\b(?:(?P<dir>more|less|bit|little|lot|too)\s+(?P<word>formal|casual|dressy|smart|relaxed)\b|"
    r"(?P<up>dressier|smarter|fancier|classier|sharper|dress\s+it\s+up)\b|(?P<down>dress\s+it\s+down|comfier|chiller)\b)"
)
PIECES = re.compile(r"\b(\d|one|two|three|four|five|six|single)\s+(?:items?|pieces?|things?|products?)\b")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "single": 1}
REFINEMENT_CUES = re.compile(
    r"\b(?:instead|cheaper|less\s+expensive|pricier|that|it|same|also|add|swap|change|replace|"
    r"different|another|other|else|more|less|without|but|make|keep|switch|too|again|what\s+about|"
    r"how\s+about|remove|drop|skip|lose|only|just)\b"
)
CHEAPER = re.compile(
    r"\b(?:cheaper|less\s+expensive|lower\s+(?:the\s+)?(?:price|budget|cost)|cut\s+(?:the\s+)?cost|save\s+money|"
    r"too\s+(?:expensive|pricey|much))\b"
)
DIFFERENT = re.compile(
    r"\b(?:something\s+else|different|other\s+options?|more\s+options?|another\s+(?:one|option|outfit|look)|"
    r"show\s+me\s+more|alternatives?)\b"
)
INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+|the\s+|your\s+|previous\s+|prior\s+|above\s+)*(?:instructions|rules|prompt)|"
    r"system\s+prompt|developer\s+mode|jailbreak|disregard|reveal\s+(?:your|the)|"
    r"(?:print|show|repeat|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?(?:prompt|instructions|rules)|"
    r"you\s+are\s+now|pretend\s+to\s+be|act\s+as\s+(?:a|an)\s+(?!stylist)",
    re.IGNORECASE,
)
WHO_QUESTION = "Who is the outfit for: a man, a woman, a boy or a girl?"
CHILD_QUESTION = "Is the outfit for a boy or a girl?"


def vocabulary_of(facts: CatalogFacts) -> Vocabulary:
    """The shared parser's vocabulary from what the index holds (built once per graph)."""
    return Vocabulary(article_types=facts.article_types, colours=facts.colours, genders=facts.genders,
                      brands=facts.brands, usages=facts.usages, seasons=facts.seasons)  # fmt: skip


def read_message(message: str, vocabulary: Vocabulary) -> tuple[StylistRequest, Request, dict]:
    """(request, the shared parser's ``Request``, signals) for one message, with no history.

    The request is the shared parser's reading in the stylist's terms: the wearer (an age decides; "a
    girl" without one is a young woman unless it is a school day), the occasion row, season and
    weather, colours wanted, only and excluded (a family avoided as a whole, "nothing too flashy",
    is a preference left to the occasion's palette, not a hard exclusion), the budget (per item, a
    range, a minimum; a foreign amount only at a stated rate), the items asked for (each its own
    slot), excluded or owned (context, never offered), brands, style words, out-of-catalogue asks.
    ``signals`` says what the message does to a previous answer (a refinement cue, "cheaper",
    "something else", an outfit word) and whether it tries to instruct the model.
    """
    new = parse(message, vocabulary)
    text = " ".join(message.lower().replace("’", "'").split())
    req = StylistRequest(query=message.strip()[:300])
    _read_wearer(req, new)
    req.occasion = new.occasion.name if new.occasion is not None else None
    req.season = new.catalogue_season
    req.weather = list(new.weather)
    family = {c for p in new.palettes if not p.wanted for c in p.colours}
    req.excluded_colours = [c for c in new.colours_excluded if c not in family]
    req.colours = [c for c in new.colours_wanted if c not in req.excluded_colours]
    req.colours_only = bool(new.colours_only and req.colours)
    _read_budget(req, new)
    _read_items(req, new)
    req.brands, req.excluded_brands = list(new.brands), list(new.brands_excluded)
    req.style = list(new.style)
    if m := PIECES.search(text):
        req.items = int(m.group(1)) if m.group(1).isdigit() else NUMBER_WORDS.get(m.group(1))
    for missing in new.out_of_catalogue if not new.items_asked else ():  # "a ski jacket", "a Rolex": said, nearest offered
        if missing.nearest and missing.nearest not in req.article_types:
            req.article_types.append(missing.nearest)
            req.asked_items.append([missing.nearest])
    if req.occasion is None and new.outfit and not (req.article_types or req.groups) and {"formal", "formals"} & set(req.style):
        req.occasion = "office"  # "something formal": office wear is what this catalogue has
    if (new.items_asked or new.out_of_catalogue) and (req.article_types or req.groups) and (new.items_only or not new.outfit) \
            and (new.items_only or req.occasion is None or not _has_garment(req)):
        req.scope = "items"  # "a backpack for college", "white sneakers": just those; "a kurta for a puja": a look around it
    req.out_of_catalogue = [o.words for o in new.out_of_catalogue]
    req.unknown = list(new.unknown)
    shift = formality_shift(text)
    if shift and new.occasion is not None and new.occasion.name == "everyday" and "casual" in text:
        req.occasion = None  # "more casual" says how, not where
    signals = {
        "formality": shift,
        # "no dress, something with jeans" after an outfit: a change to it
        "cue": bool(new.cues or new.items_excluded or new.colours_excluded or new.brands_excluded) or bool(REFINEMENT_CUES.search(text)),
        "cheaper": "cheaper" in new.cues or bool(CHEAPER.search(text)),
        "different": "different" in new.cues or bool(DIFFERENT.search(text)),
        "outfit": new.outfit,
        "injection": bool(INJECTION.search(message)),
        "asks_items": bool(req.article_types or req.groups),
    }
    return req, new, signals


def formality_shift(text: str) -> int:
    """+1 for "more formal", "dressier", "too casual"; -1 for "more casual", "less formal"; else 0."""
    m = SHIFT.search(text)
    if m is None:
        return 0
    if m.group("up"):
        return 1
    if m.group("down"):
        return -1
    formal = m.group("word") in ("formal", "dressy", "smart")
    more = m.group("dir") in ("more", "bit", "little", "lot")
    return 1 if formal == more else -1


def _has_garment(req: StylistRequest) -> bool:
    """A piece that makes the body of an outfit (a top, a bottom, a dress), which a look is built around."""
    groups = {ARTICLE_TYPE_GROUP.get(t) for t in req.article_types} | set(req.groups)
    return bool(groups & {"topwear", "bottomwear", "dress"})


def _read_wearer(req: StylistRequest, new: Request) -> None:
    wearer = new.wearer
    req.gender, req.age, req.child = wearer.gender, wearer.age, wearer.child
    ambiguous = wearer.child and wearer.age is None and {w.lower() for w in wearer.words} <= AMBIGUOUS_CHILD
    if ambiguous and not (new.occasion is not None and new.occasion.name == "school"):
        req.child = False  # "an outfit for a girl" is most often a young woman's
        req.gender = ADULT_GENDER.get(wearer.gender or "", wearer.gender)
    elif req.child:
        req.gender = CHILD_GENDER.get(req.gender or "")  # never an adult's item for a child


def _read_budget(req: StylistRequest, new: Request) -> None:
    budget = new.budget
    req.currency, req.rate = budget.currency, budget.rate
    if not budget.given or budget.needs_rate:
        return  # nothing said, or a foreign amount without a rate: nothing guessed (the parser's notice says so)
    if not MONEY_CUE.search(budget.text):
        return  # "my morning 10k" is a run, not a budget: a bare amount needs a money word
    if budget.per_item_max is not None or budget.per_item_min is not None:
        req.budget_max, req.budget_min, req.per_item = budget.per_item_max, budget.per_item_min, True
    else:
        req.budget_max, req.budget_min, req.per_item = budget.total_max, budget.total_min, False


def _read_items(req: StylistRequest, new: Request) -> None:
    excluded_types = {t for item in new.items_excluded for t in item.article_types}
    asked = [i for i in new.items_asked if (i.article_types or i.group) and not set(i.article_types) & excluded_types]
    for item in asked:
        if item.article_types:
            req.article_types = list(dict.fromkeys([*req.article_types, *item.article_types]))
            for article in item.article_types if item.colours else ():
                req.item_colours[article] = list(item.colours)
        elif item.group not in req.groups:
            req.groups.append(item.group)
            if item.colours:
                req.item_colours[item.group] = list(item.colours)
    req.asked_items = [list(item.article_types) or [item.group] for item in asked]
    for item in new.items_excluded:
        if item.article_types:
            req.excluded_article_types = list(dict.fromkeys([*req.excluded_article_types, *item.article_types]))
        elif item.group:
            req.excluded_groups = list(dict.fromkeys([*req.excluded_groups, item.group]))
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
    if req.gender or req.child or not req.article_types or req.out_of_catalogue:
        return None  # a stand-in for a thing not stocked says nothing about who asked
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
