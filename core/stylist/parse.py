"""Message -> ``StylistRequest``: the offline parser, and the normaliser of an LLM analyzer's draft.

The offline parser reads the catalogue's own vocabulary (genders, article types, colours, usages,
seasons, via ``CatalogFacts``) plus small synonym tables ("tee" -> Tshirts, "navy" -> Navy Blue) and
the occasion table. Negations ("no black", "without the watch") scope over the words up to the
next punctuation. Budgets need a cue ("under 3000", "₹2,500", "3k budget"), so a bare number such
as a product id is never read as a price.

An LLM analyzer (structured output) returns a ``RequestDraft``; ``normalise_draft`` maps its free
words onto the vocabulary and drops what does not exist (with a notice), so the rest of the graph
sees the same typed request either way. What a message changes in the previous turn's request is
``core.stylist.refine``'s. Trade-off: rules are predictable and fast (well under a millisecond) but
only understand what the tables list.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable, Iterable

from pydantic import BaseModel, Field

from core.data.groups import ARTICLE_TYPE_GROUP, GROUPS
from core.stylist.facts import CatalogFacts
from core.stylist.occasions import ALIASES, OCCASIONS
from core.understanding.occasions import OCCASIONS as SHARED_OCCASIONS, occasion_named
from core.stylist.state import StylistRequest
from core.stylist.vocabulary import (
    ALL_COLOURS, COLOUR_SYNONYMS, GENDER_WORDS, GROUP_WORDS, NUMBER_WORDS, SEASON_WORDS,
    STYLE_WORDS, TYPE_SYNONYMS,
)  # fmt: skip

USD_TO_INR = 85  # "$50" is read as about ₹4,250, with a notice

NEGATION = re.compile(
    r"\b(?:no|not|without|avoid|avoiding|except|excluding|minus|skip|drop|remove|lose|never|hate|"
    r"dislike|don'?t\s+(?:like|want|need|love|include|add)|do\s+not\s+(?:like|want|need|include)|"
    r"anything\s+but|nothing|but\s+not|other\s+than|instead\s+of|rather\s+than)\b"
)
CLAUSE_END = re.compile(r"[.,;:!?()\n]|\b(?:but|and\s+(?:i|make|show|for|with|under|in)|with|for|under)\b")
INJECTION = re.compile(
    r"ignore\s+(?:all\s+|any\s+|the\s+|your\s+|previous\s+|prior\s+|above\s+)*(?:instructions|rules|prompt)|"
    r"system\s+prompt|developer\s+mode|jailbreak|disregard|reveal\s+(?:your|the)|"
    r"(?:print|show|repeat|tell\s+me)\s+(?:me\s+)?(?:your|the)\s+(?:system\s+)?(?:prompt|instructions|rules)|"
    r"you\s+are\s+now|pretend\s+to\s+be|act\s+as\s+(?:a|an)\s+(?!stylist)",
    re.IGNORECASE,
)
REFINEMENT_CUES = re.compile(
    r"\b(?:instead|cheaper|less\s+expensive|pricier|that|it|same|also|add|swap|change|replace|"
    r"different|another|other|else|more|less|without|but|make|keep|switch|too|again|what\s+about|"
    r"how\s+about|remove|drop|skip|lose|only|just)\b"
)
OUTFIT_WORDS = re.compile(r"\b(?:outfit|look|wear|dress\s+up|style\s+me|ensemble|what\s+to\s+wear|clothes|attire)\b")
CHEAPER = re.compile(
    r"\b(?:cheaper|less\s+expensive|lower\s+(?:the\s+)?(?:price|budget|cost)|cut\s+(?:the\s+)?cost|save\s+money|"
    r"too\s+(?:expensive|pricey|much))\b"
)
DIFFERENT = re.compile(
    r"\b(?:something\s+else|different|other\s+options?|more\s+options?|another\s+(?:one|option|outfit|look)|"
    r"show\s+me\s+more|alternatives?)\b"
)
PER_ITEM = re.compile(r"\b(?:each|per\s+(?:item|piece|product)|apiece|a\s+piece)\b")

_AMOUNT = (
    r"(?P<cur>₹|rs\.?|inr|\$|usd)?\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<k>k\b|thousand)?"
    r"\s*(?P<cur2>rupees|rs\.?|inr|/-|dollars|usd|bucks)?"
)
BETWEEN = re.compile(rf"\bbetween\s+{_AMOUNT.replace('?P<', '?P<a_')}\s+(?:and|to|-)\s+{_AMOUNT}")
MAX_CUE = re.compile(
    rf"\b(?:under|below|less\s+than|max(?:imum)?|up\s*to|within|no\s+more\s+than|not\s+more\s+than|"
    rf"at\s+most|cheaper\s+than|budget(?:\s+(?:of|is|around|about|under))?|around|about|for|spend)\s*(?:of\s+)?{_AMOUNT}"
)
MIN_CUE = re.compile(rf"\b(?:over|above|more\s+than|at\s+least|minimum|min)\s+{_AMOUNT}")
BARE_AMOUNT = re.compile(
    r"(?:(?P<cur>₹|rs\.?\s*|inr\s*|\$)(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<k>k\b|thousand)?)|"
    r"(?:\b(?P<num2>\d[\d,]*(?:\.\d+)?)\s*(?P<k2>k\b|thousand)?\s*(?P<cur2>rupees|rs\b|inr\b|/-|dollars|usd|bucks|budget))"
)


def _phrase_pattern(phrase: str) -> re.Pattern:
    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.lower()) if w]
    return re.compile(r"\b" + r"[\s-]*".join(words) + r"\b")


def _by_length(items: Iterable[tuple[str, str]]) -> list[tuple[re.Pattern, str]]:
    ordered = sorted(items, key=lambda kv: -len(kv[0]))
    return [(_phrase_pattern(phrase), value) for phrase, value in ordered]


class Lexicon:
    """Compiled patterns for one catalogue's vocabulary (build once per retriever)."""

    def __init__(self, facts: CatalogFacts):
        self.facts = facts
        colour_phrases = {c.lower(): c for c in (*ALL_COLOURS, *facts.colours)}
        colour_phrases.update(COLOUR_SYNONYMS)
        self.colours = _by_length(colour_phrases.items())
        types = dict(TYPE_SYNONYMS)
        for article in (*facts.article_types, *ARTICLE_TYPE_GROUP):
            low = article.lower()
            types.setdefault(low, article)
            types.setdefault(low.removesuffix("s"), article)
        self.types = _by_length(types.items())
        self.groups = _by_length(GROUP_WORDS.items())
        words = [(w, o.name) for o in OCCASIONS for w in o.words] + list(ALIASES.items())
        self.occasions = _by_length(words)
        self.seasons = _by_length(SEASON_WORDS.items())

    def canonical_colour(self, value: str) -> str | None:
        return canonical_value(value, [*ALL_COLOURS, *self.facts.colours], {**COLOUR_SYNONYMS})

    def canonical_type(self, value: str) -> str | None:
        return canonical_value(value, [*self.facts.article_types, *ARTICLE_TYPE_GROUP], TYPE_SYNONYMS)


def canonical_value(value: str, valid: Iterable[str], synonyms: dict[str, str]) -> str | None:
    """``value`` in the spelling of ``valid`` (case, spaces, a synonym or a close typo); None if none fits."""
    folded = {v.casefold(): v for v in valid}
    key = re.sub(r"[\s_-]+", " ", str(value).strip().casefold())
    if key in folded:
        return folded[key]
    if key in synonyms:
        return synonyms[key]
    close = difflib.get_close_matches(key, list(folded), n=1, cutoff=0.85)
    return folded[close[0]] if close else None


# -- the offline parser ----------------------------------------------------------------------
def _normalise_text(message: str) -> str:
    text = message.lower().replace("’", "'").replace("–", "-")
    return re.sub(r"\s+", " ", text)


def _find_all(patterns: list[tuple[re.Pattern, str]], text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping matches, longest phrase first: 'navy blue' wins over 'blue'."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int, str]] = []
    for pattern, value in patterns:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), m.end(), value))
    return sorted(found)


def _negated_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in NEGATION.finditer(text):
        end = CLAUSE_END.search(text, m.end())
        spans.append((m.start(), end.start() if end else len(text)))
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in spans)


def _amount(match: re.Match, prefix: str = "") -> tuple[int, bool]:
    get = lambda name: match.groupdict().get(prefix + name)  # noqa: E731
    number = float((get("num") or get("num2") or "0").replace(",", ""))
    if get("k") or get("k2"):
        number *= 1000
    currency = " ".join(str(get(n) or "") for n in ("cur", "cur2"))
    dollars = "$" in currency or "dollar" in currency or "usd" in currency or "bucks" in currency
    return int(round(number * (USD_TO_INR if dollars else 1))), dollars


def parse_budget(text: str) -> tuple[int | None, int | None, list[str]]:
    """(min, max, notices) from cue phrases; a bare number without a cue is not a budget."""
    notices: list[str] = []
    low = high = None
    dollars = False
    if m := BETWEEN.search(text):
        low, d1 = _amount(m, "a_")
        high, d2 = _amount(m)
        dollars = d1 or d2
    else:
        if m := MAX_CUE.search(text):
            if m.group("cur") or m.group("k") or m.group("cur2") or int(float(m.group("num").replace(",", ""))) >= 100:
                high, dollars = _amount(m)
        if m := MIN_CUE.search(text):
            low, d = _amount(m)
            dollars = dollars or d
        if high is None and low is None and (m := BARE_AMOUNT.search(text)):
            high, dollars = _amount(m)
    if dollars:
        notices.append(f"Prices are in INR; I read the dollar amount at about ₹{USD_TO_INR} per $.")
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high, notices


def parse_message(message: str, lexicon: Lexicon) -> tuple[StylistRequest, list[str], dict]:
    """The offline analyzer: (request, notices, signals) for one message, no history.

    ``signals`` says what the message did beyond the request fields (a refinement cue, "cheaper",
    "something else", an outfit word, an injection attempt), for ``merge_refinement``.
    """
    text = _normalise_text(message)
    notices: list[str] = []
    negated = _negated_spans(text)

    type_spans = [(s, e) for s, e, _ in _find_all(lexicon.types, text)]
    occasion = None
    for start, _, name in _find_all(lexicon.occasions, text):
        if not _inside(start, negated) and not _inside(start, type_spans):  # "running shoes"
            occasion = ALIASES.get(name, name)
            break

    gender = None
    best = len(text) + 1
    for pattern, value in GENDER_WORDS:
        m = re.search(pattern, text)
        if m and m.start() < best:
            gender, best = value, m.start()

    req = StylistRequest(occasion=occasion, gender=gender)
    colour_hits = _find_all(lexicon.colours, text)
    type_hits = _find_all(lexicon.types, text)
    taken = [(s, e) for s, e, _ in type_hits]
    group_hits = [h for h in _find_all(lexicon.groups, text) if not any(s <= h[0] < e for s, e in taken)]

    for start, _end, article in type_hits:
        if _inside(start, negated):
            req.excluded_article_types.append(article)
        else:
            req.article_types.append(article)
            # a colour right before the item binds to it: "blue jeans", "a white shirt"
            before = [c for s, e, c in colour_hits if 0 <= start - e <= 2 and not _inside(s, negated)]
            if before:
                req.item_colours.setdefault(article, []).extend(before)
    for start, _, group in group_hits:
        target = req.excluded_groups if _inside(start, negated) else req.groups
        if group not in target:
            target.append(group)
    bound = {c for cs in req.item_colours.values() for c in cs}
    for start, _, colour in colour_hits:
        if _inside(start, negated):
            req.excluded_colours.append(colour)
        elif colour not in bound:
            req.colours.append(colour)

    req.budget_min, req.budget_max, budget_notices = parse_budget(text)
    notices += budget_notices
    req.per_item = bool(PER_ITEM.search(text)) and req.budget_max is not None
    for _, _, season in _find_all(lexicon.seasons, text):
        req.season = season
        break
    req.style = [w for w in STYLE_WORDS if any(not _inside(m.start(), taken) for m in re.finditer(rf"\b{w}\b", text))]
    if m := re.search(r"\b(\d|one|two|three|four|five|six|single)\s+(?:items?|pieces?|things?|products?)\b", text):
        word = m.group(1)
        req.items = int(word) if word.isdigit() else NUMBER_WORDS[word]
    asks_items = bool(req.article_types or req.groups)
    if "formal" in req.style and req.occasion is None and not asks_items:
        req.occasion = "office"
    outfit = bool(OUTFIT_WORDS.search(text))
    req.scope = "items" if asks_items and not outfit and req.occasion is None else "outfit"
    for field in ("article_types", "groups", "colours", "excluded_colours", "excluded_article_types", "excluded_groups"):
        setattr(req, field, list(dict.fromkeys(getattr(req, field))))
    req.query = message.strip()[:300]

    signals = {
        "cue": bool(REFINEMENT_CUES.search(text)),
        "cheaper": bool(CHEAPER.search(text)),
        "different": bool(DIFFERENT.search(text)),
        "outfit": outfit,
        "injection": bool(INJECTION.search(message)),
        "asks_items": asks_items,
    }
    return req, notices, signals


# -- the LLM analyzer's output ---------------------------------------------------------------
class RequestDraft(BaseModel):
    """What a chat model fills in (structured output); free words, validated and normalised afterwards
    against the same vocabulary and occasion table as the deterministic parser (``normalise_draft``)."""

    occasion: str | None = Field(None, description="one of: " + ", ".join(o.name for o in SHARED_OCCASIONS) + "; or null")
    gender: str | None = Field(None, description="Men, Women, Boys, Girls, Unisex or null if unknown")
    age: int | None = Field(None, description="the wearer's age in years when stated, else null")
    child: bool = Field(False, description="true when the wearer is a child (under 14)")
    article_types: list[str] = Field(default_factory=list, description="specific items asked for, e.g. Jeans, Heels, Watches")
    groups: list[str] = Field(default_factory=list, description="broad kinds asked for: footwear, bags, jewellery, ...")
    colours: list[str] = Field(default_factory=list, description="colours wanted")
    excluded_colours: list[str] = Field(default_factory=list, description="colours to avoid")
    excluded_article_types: list[str] = Field(default_factory=list, description="items to leave out")
    excluded_groups: list[str] = Field(default_factory=list, description="kinds to leave out, e.g. watches")
    brands: list[str] = Field(default_factory=list, description="brands asked for")
    excluded_brands: list[str] = Field(default_factory=list, description="brands to avoid")
    budget_max: int | None = Field(None, description="maximum in INR (converted at the rate the user gave), or null")
    budget_min: int | None = Field(None, description="minimum in INR, or null")
    per_item: bool = Field(False, description="true if the budget is per item")
    style: list[str] = Field(default_factory=list, description="style words: elegant, sporty, minimal ...")
    season: str | None = Field(None, description="winter, summer, monsoon, autumn, spring, or null when not said")
    weather: list[str] = Field(default_factory=list, description="cold, hot, rain: only when said or implied by place/month")
    items: int | None = Field(None, description="number of pieces wanted, or null")
    different_products: bool = Field(False, description="true if the user wants other products than last time")
    whole_outfit: bool = Field(True, description="true for a complete outfit, false when only the named items are wanted")


def normalise_draft(draft: RequestDraft, lexicon: Lexicon, message: str) -> tuple[StylistRequest, list[str]]:
    """Map an LLM draft onto the catalogue vocabulary; unknown values dropped with a notice."""
    notices: list[str] = []
    dropped: list[str] = []

    def mapped(to_canonical) -> Callable[[list[str]], list[str]]:
        """Each value in the catalogue's spelling (deduplicated); unknown ones go to ``dropped``."""

        def convert(values: list[str]) -> list[str]:
            out = []
            for v in values:
                c = to_canonical(v)
                out.append(c) if c else dropped.append(v)
            return list(dict.fromkeys(out))

        return convert

    def group_of_word(value: str) -> str | None:
        key = str(value).strip().lower()
        return key if key in GROUPS else GROUP_WORDS.get(key)

    colours, types, groups = mapped(lexicon.canonical_colour), mapped(lexicon.canonical_type), mapped(group_of_word)

    occ = (draft.occasion or "").strip().lower().replace("_", "-").replace(" ", "-") or None
    if occ and occasion_named(occ) is None:  # a word of some row ("wedding") or nothing: never a made-up occasion
        occ = next((o.name for o in SHARED_OCCASIONS if occ.replace("-", " ") in o.words), None)
        if occ is None:
            dropped.append(draft.occasion)
    genders = ("Men", "Women", "Boys", "Girls", "Unisex")
    gender = canonical_value(draft.gender, genders, {"male": "Men", "female": "Women"}) if draft.gender else None
    seasons = ("Summer", "Winter", "Fall", "Spring")
    season = canonical_value(draft.season, seasons, {"autumn": "Fall", "monsoon": "Fall"}) if draft.season else None
    stocked_brands = {b.casefold(): b for b in lexicon.facts.brands}
    brands = mapped(lambda b: stocked_brands.get(str(b).strip().casefold()))

    def money(value) -> int | None:
        return int(value) if value is not None and int(value) > 0 else None

    req = StylistRequest(
        occasion=occ, gender=gender, season=season, age=draft.age if draft.age and 0 < draft.age < 110 else None,
        child=bool(draft.child or (draft.age is not None and 0 < draft.age < 14)),
        brands=brands(draft.brands), excluded_brands=brands(draft.excluded_brands),
        weather=[w for w in dict.fromkeys(str(w).lower() for w in draft.weather) if w in ("cold", "hot", "rain")],
        article_types=types(draft.article_types), groups=groups(draft.groups),
        colours=colours(draft.colours), excluded_colours=colours(draft.excluded_colours),
        excluded_article_types=types(draft.excluded_article_types), excluded_groups=groups(draft.excluded_groups),
        budget_max=money(draft.budget_max), budget_min=money(draft.budget_min), per_item=bool(draft.per_item),
        style=[s.lower() for s in draft.style][:6], items=draft.items if draft.items and 0 < draft.items <= 8 else None,
        query=message.strip()[:300],
    )  # fmt: skip
    if req.child and req.gender in ("Men", "Women"):
        req.gender = {"Men": "Boys", "Women": "Girls"}[req.gender]  # never an adult's size for a child
    if not draft.whole_outfit and (req.article_types or req.groups):
        req.scope = "items"
    if dropped:
        notices.append("Not in this catalogue's vocabulary, so ignored: " + ", ".join(map(str, dropped[:6])) + ".")
    return req, notices
