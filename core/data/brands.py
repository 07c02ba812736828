"""Brands as the catalogue spells them: parsed from product names, case and extension variants merged.

A Kaggle product name starts with its brand and then a gender word ("Puma Men Black Sports
Shoes", "United Colors of Benetton Women's Blue Top"), so the brand is the words before the first
gender word; a name without one has no brand (a guess would be worse than nothing). Pure string
work, shared by the attribute scorer (``core.model.attributes``) and the request parser
(``core.understanding``). Trade-off: a brand typed differently in different names ("Gini and Jony",
"Gini & Jony") stays two brands unless one extends the other word by word.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

NAME_GENDER_WORDS = ("Men", "Women", "Men's", "Women's", "Boys", "Girls", "Unisex", "Kids")


def brand_of(name: str) -> str | None:
    """The words before the first gender word of a product name ("Puma Men Black ..." → "Puma")."""
    words = str(name).split()
    for position, word in enumerate(words):
        if word in NAME_GENDER_WORDS:
            return " ".join(words[:position]) or None
    return None


def brand_aliases(counts: dict[str, int]) -> dict[str, str]:
    """Each parsed brand → its canonical spelling: case variants merge into the commonest one, and a
    brand that extends another by more words ("Puma Navy Blue", "Red Tape Black", the words before the
    gender word of an unusual name) becomes the shortest brand it starts with ("Puma", "Red Tape")."""
    by_fold: dict[str, str] = {}
    for brand, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        by_fold.setdefault(brand.casefold(), brand)
    aliases = {}
    for brand in counts:
        words = brand.casefold().split()
        prefix = next((" ".join(words[:n]) for n in range(1, len(words) + 1) if " ".join(words[:n]) in by_fold), None)
        aliases[brand] = by_fold[prefix] if prefix is not None else brand
    return aliases


def catalogue_brands(names: Iterable[object]) -> tuple[Counter, dict[str, str]]:
    """(products per canonical brand, parsed spelling → canonical) for a column of product names.

    E.g. ``catalogue_brands(["Puma Men Black Shoes", "PUMA Women Red Top"])`` counts "Puma" twice
    (the commoner spelling wins a tie by alphabetical order). Missing names (None, NaN) are skipped.
    """
    parsed = Counter(brand for brand in (brand_of(name) for name in names if isinstance(name, str)) if brand)
    aliases = brand_aliases(dict(parsed))
    canonical: Counter = Counter()
    for brand, count in parsed.items():
        canonical[aliases[brand]] += count
    return canonical, aliases
