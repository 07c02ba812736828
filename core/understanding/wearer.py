"""Who the clothes are for: ages in the text, and the one wearer the words point to.

``find_ages`` reads "6-year-old", "aged 8", "she's 12", "his 6th birthday", "in her 40s" (the
character spans it used are kept from the budget reader). ``resolve_wearer`` picks the wearer from
the wearer words the scanner found: the first person named (not a pronoun), unless that person is
only the host of the occasion ("my son's wedding" is about what someone else wears; "my
6-year-old son's party" is about the son), else the first pronoun ("he hates red"); an age under
14, or a child word (girl, kids; son or daughter unless the occasion is an adult one) without an
age, gives the catalogue's Boys/Girls; an age from 14 gives Men/Women. Trade-off: one wearer per
request; "for my wife and me" keeps the wife.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.understanding.cues import CHILD_AGE_LIMIT, NUMBER_WORDS
from core.understanding.request import Wearer

_NUMBER = r"\d{1,2}|" + "|".join(sorted((w for w in NUMBER_WORDS if " " not in w), key=len, reverse=True))
_AGES = (
    re.compile(rf"\b(?P<claim>(?P<n>{_NUMBER})\s*-?\s*(?:years?|yrs?|yr)\s*-?\s*old|(?P<n2>\d{{1,2}})\s*(?:yo|y/o|y\.o\.?)(?!\w))"),
    re.compile(rf"\b(?P<claim>(?:aged?|turning|turns|turned)\s*:?\s*(?P<n>{_NUMBER})(?:\s*(?:years?|yrs?))?)\b(?!\s*(?:k\b|,\d|%))"),
    re.compile(r"\b(?:(?:he|she|they|son|daughter|boy|girl|kid|child|nephew|niece|brother|sister)(?:'s|\s+is|\s+are)|i'm|i\s+am|im)\s+(?P<claim>(?P<n>\d{1,2})(?:\s*(?:years?|yrs?))?)\b"
               r"(?!\s*(?:k\b|,\d|%|feet|foot|ft\b|inch|inches|cm|kg|kgs|lbs|'|\"|months?|weeks?|days?))"),
    re.compile(r"\b(?P<claim>(?P<n>\d{1,2})(?:st|nd|rd|th))\s+birthday"),
    re.compile(r"\bin\s+(?:his|her|their|my)\s+(?P<claim>(?P<decade>[1-9]0)'?s)\b"),
    re.compile(r"\b(?P<claim>(?P<months>\d{1,2})\s*-?\s*months?\s*-?\s*old)\b"),
)


_FOR = re.compile(r"\b(?:for|to|gift(?:ing)?)\s+(?:my|our|a|an|the|his|her|their)?\s*(?:\w+\s+)?$")  # "for my (little) son"
_SELF = re.compile(r"\b(?:i'?m|i\s+am|im)\s+(?:a|an)?\s*(?:\w+\s+)?$")  # "I'm a (young) man"


@dataclass(frozen=True)
class Age:
    """An age said in the text, at characters ``start..end`` (the span the budget reader must skip)."""

    years: int
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A wearer word as the scanner found it: (sex m/f/u/None, age class, kind) plus where and how."""

    sex: str | None
    age_class: str | None  # adult, child, teen, offspring (son, daughter), or None (not said)
    kind: str  # word, kin, pronoun
    words: str
    start: int  # character offset
    end: int
    host: bool = False  # "my son's wedding": the person whose occasion it is, not the wearer


def find_ages(lowered: str) -> list[Age]:
    """Ages in ``lowered`` text, in order; each age once."""
    found: list[Age] = []
    for pattern in _AGES:
        for m in pattern.finditer(lowered):
            groups = m.groupdict()
            if groups.get("decade"):
                years = int(groups["decade"]) + 5
            elif groups.get("months"):
                years = 0
            else:
                word = groups.get("n") or groups.get("n2") or ""
                years = int(word) if word.isdigit() else NUMBER_WORDS.get(word, -1)
            start, end = m.span("claim")
            if 0 <= years <= 110 and all(end <= a.start or start >= a.end for a in found):
                found.append(Age(years, start, end))
    return sorted(found, key=lambda a: a.start)


def _age_near(mention: Mention, ages: list[Age], text: str) -> Age | None:
    """The age said right before or after a mention ("6-year-old son", "son, aged 6")."""
    for age in ages:
        gap = text[age.end:mention.start] if age.end <= mention.start else text[mention.end:age.start]
        if len(gap) <= 14 and not re.search(r"[.;!?]|\band\b", gap):
            return age
    return None


def resolve_wearer(mentions: list[Mention], ages: list[Age], text: str, adult_occasion: bool = False) -> Wearer:
    """The one wearer the mentions and ages point to (see the module docstring); ``adult_occasion``
    (a graduation, an interview) makes a son or daughter without an age an adult."""
    named = [m for m in mentions if m.kind != "pronoun" and m.sex != "u"]
    wearers = [m for m in named if not m.host or _age_near(m, ages, text)]
    # "an outfit for my wife" names the wearer; "I'm a man" does when nobody else is named for; else the first
    recipient = next((m for m in wearers if m.sex and _FOR.search(text[:m.start])), None)
    itself = next((m for m in wearers if m.sex and _SELF.search(text[:m.start])), None)
    primary = recipient or itself or next((m for m in wearers if m.sex), wearers[0] if wearers else None)
    pronouns = [m for m in mentions if m.kind == "pronoun"]
    unisex = any(m.sex == "u" for m in mentions)
    if primary is None and not pronouns and not ages:
        return Wearer("Unisex", words=("unisex",)) if unisex else Wearer()
    words = [m.words for m in ((primary,) if primary else ())]
    sex = primary.sex if primary else None
    if sex is None and pronouns:
        sex = pronouns[0].sex
        words.append(pronouns[0].words)
    age = _age_near(primary, ages, text) if primary else None
    if age is None and ages and (primary is None or len(ages) == 1):
        age = ages[0]
    classes = {m.age_class for m in mentions if m.kind != "pronoun" and not m.host}
    if age is not None:
        words.append(text[age.start:age.end])
        child = age.years < CHILD_AGE_LIMIT
    elif "teen" in classes:
        child = False
    elif primary is not None and primary.age_class == "offspring":
        child = not adult_occasion
    else:
        child = (primary is not None and primary.age_class == "child") or (primary is None and "child" in classes)
    if sex is None:
        gender = "Unisex" if unisex else None
    elif child:
        gender = "Boys" if sex == "m" else "Girls"
    else:
        gender = "Men" if sex == "m" else "Women"
    return Wearer(gender, age.years if age else None, child, tuple(dict.fromkeys(w for w in words if w)))
