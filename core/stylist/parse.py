"""The LLM analyzer's structured output (``RequestDraft``) and its validation (``normalise_draft``).

A chat model asked to read a message fills a ``RequestDraft`` (structured output); ``normalise_draft``
maps its free words onto the same vocabulary and occasion table the deterministic parser uses
(``core.understanding``: colour and item synonyms, the catalogue's types, colours and brands, the
shared occasion rows) and drops what does not exist, with a notice, so the rest of the graph sees
the same typed request either way and a model can never invent an occasion, a colour or a brand.
The deterministic parser (``core.stylist.understand.read_message``) stays the default and the
fallback. Trade-off: what the model reads beyond the vocabulary is lost, by design.
"""

from __future__ import annotations

import difflib
import re
from typing import Callable, Iterable

from pydantic import BaseModel, Field

from core.data.groups import GROUPS
from core.stylist.facts import CatalogFacts
from core.stylist.state import StylistRequest
from core.stylist.understand import vocabulary_of
from core.understanding.colours import colour_phrases
from core.understanding.items import GROUP_WORDS
from core.understanding.occasions import OCCASIONS as SHARED_OCCASIONS, occasion_named
from core.understanding.text import phrase_key


class Lexicon:
    """One catalogue's spellings for normalising a model's words (build once per retriever)."""

    def __init__(self, facts: CatalogFacts):
        self.facts = facts
        self.vocabulary = vocabulary_of(facts)
        self.colours = {**colour_phrases(self.vocabulary.colours), **{c.lower(): c for c in facts.colours}}
        self.types = {t.lower(): t for t in facts.article_types}

    def canonical_colour(self, value: str) -> str | None:
        return self.colours.get(" ".join(str(value).lower().split()))

    def canonical_type(self, value: str) -> str | None:
        """An article type the catalogue has, from its own spelling or any item word ("sneakers")."""
        key = str(value).strip().lower()
        if key in self.types:
            return self.types[key]
        for hit in self.vocabulary.lexicon.words.get(phrase_key(key), ()):
            if hit.kind == "type":
                return next((t for t in hit.value if t in self.facts.article_types), None)
        return None


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
