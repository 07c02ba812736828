"""The small readings the curation rules combine: colour families, and what a product's name says.

Owns which catalogue colours are easily one another (:data:`COLOUR_FAMILIES`: a colour label is
never questioned within its family) and which are never questioned at all, whether a name says a
colour (as the product's colour, not a part: "Black Dial Watch" does not say black) or a gender
("Boy's", "Mens"), the numbers in a name (shade and model numbers), how alike two names are, which
words of a name the rest of the catalogue ties to one label (:func:`word_readings`: "watch" names
the watches group), and how the nearest products of each are labelled (:func:`neighbour_shares`).
Trade-off accepted: plain string rules in English, tuned on the real catalogue's names; no
language model is asked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

import numpy as np

# Colours that are easily one another: a label is never questioned within a family.
COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "blue": ("Blue", "Navy Blue", "Turquoise Blue", "Teal"),
    "grey": ("Grey", "Charcoal", "Grey Melange", "Steel", "Silver", "Metallic"),
    "white": ("White", "Off White", "Cream", "Beige", "Skin", "Nude"),
    "brown": ("Brown", "Coffee Brown", "Mushroom Brown", "Tan", "Khaki", "Taupe", "Rust", "Bronze",
              "Copper", "Beige", "Skin", "Nude"),
    "red": ("Red", "Maroon", "Burgundy", "Rose", "Magenta", "Rust"),
    "pink": ("Pink", "Peach", "Rose", "Magenta", "Mauve", "Lavender", "Nude", "Skin"),
    "purple": ("Purple", "Lavender", "Mauve", "Magenta", "Burgundy"),
    "green": ("Green", "Olive", "Sea Green", "Lime Green", "Teal", "Khaki"),
    "yellow": ("Yellow", "Mustard", "Gold"),
    "orange": ("Orange", "Peach", "Rust", "Mustard", "Copper"),
    "black": ("Black", "Charcoal"),
    "metal": ("Gold", "Silver", "Bronze", "Copper", "Steel", "Metallic"),
}
UNQUESTIONED_COLOURS = frozenset({"Multi", "Unknown", ""})
# The words that say a gender in a name (whole words; "'s" and "s'" allowed after them).
GENDER_WORDS: dict[str, str] = {
    "Men": r"men|man|mens|male|gents?", "Women": r"women|woman|womens|ladies|lady|female",
    "Boys": r"boys?", "Girls": r"girls?", "Unisex": r"unisex",
}
SEX_OF_GENDER = {"Men": "male", "Boys": "male", "Women": "female", "Girls": "female"}
"""Genders that are one another's (a boy's shirt labelled Men is not questioned); Unisex is none."""
# A colour word followed by one of these names a part, not the product ("Black Dial Watch").
_PART_WORDS = r"dial|dials|strap|straps|lens|lenses|frame|frames|sole|soles|print|prints|logo|border|trim|stone|stones"


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", str(name).lower()).split())


def name_numbers(name: str) -> set[str]:
    """The numbers in a name, leading zeros dropped ("Powder 02" -> {"2"})."""
    return {n.lstrip("0") or "0" for n in re.findall(r"\d+", str(name))}


def name_similarity(a: str, b: str) -> float:
    """Character similarity of two product names (case and punctuation ignored), 0..1."""
    return difflib.SequenceMatcher(None, _name_key(a), _name_key(b)).ratio()


def colour_families(colour: str) -> set[str]:
    """The families a baseColour belongs to (itself included, so every colour has one)."""
    found = {name for name, members in COLOUR_FAMILIES.items() if colour in members}
    return found | {colour}


def same_family(a: str, b: str) -> bool:
    """Whether two colours share a family (a colour is always in its own)."""
    return bool(colour_families(a) & colour_families(b))


def family_colours(colour: str, vocabulary: Sequence[str]) -> list[str]:
    """The colours of ``vocabulary`` in a family of ``colour``."""
    return [c for c in vocabulary if same_family(colour, c)]


def name_says(name: str, colour: str) -> bool:
    """Whether ``name`` says ``colour`` as a word, not as a part's ("black dial")."""
    pattern = r"\b" + re.escape(colour.lower()) + r"\b(?!\s+(?:" + _PART_WORDS + r")\b)"
    return re.search(pattern, name.lower()) is not None


def name_genders(name: str) -> list[str]:
    """The genders ``name`` says as words, in :data:`GENDER_WORDS` order ("Kids Boy's Tee" -> ["Boys"])."""
    lowered = str(name).lower()
    return [gender for gender, words in GENDER_WORDS.items()
            if re.search(rf"\b(?:{words})(?:'s|s')?(?![\w'])", lowered)]


def name_words(name: str) -> set[str]:
    """The words of a name, lower-cased, without numbers and one-letter pieces ("T-shirt" -> {"shirt"})."""
    return {w for w in re.findall(r"[^\W_]+", str(name).lower()) if len(w) > 1 and not w.isdigit()}


def word_readings(names: Sequence[str], codes: Sequence[int], n_classes: int, *, min_count: int,
                  purity: float) -> list[dict[int, tuple[str, int, int]]]:
    """What the other products sharing a word of each name are labelled.

    ``codes`` are the products' labels (0..n_classes-1). For each product: label -> ``(word,
    products with that label, products with the word)`` for the words of its name carried by at
    least ``min_count`` *other* products, at least ``purity`` of them with that one label (the
    product's own label never counts for itself, so a wrong label cannot vouch for itself). The
    word shared with the most products is kept per label. Example: a name with "watch", where 492
    of the 505 other products with "watch" are in the watches group, reads {watches: ("watch", 492, 505)}.
    """
    words = [name_words(n) for n in names]
    counts: dict[str, np.ndarray] = {}
    for found, code in zip(words, codes):
        for word in found:
            counts.setdefault(word, np.zeros(n_classes, np.int64))[code] += 1
    out: list[dict[int, tuple[str, int, int]]] = []
    for found, code in zip(words, codes):
        reading: dict[int, tuple[str, int, int]] = {}
        for word in sorted(found):
            others = counts[word].copy()
            others[code] -= 1
            total = int(others.sum())
            best = int(others.argmax())
            if total < min_count or others[best] < purity * total:
                continue
            if best not in reading or others[best] > reading[best][1]:
                reading[best] = (word, int(others[best]), total)
        out.append(reading)
    return out


def neighbour_shares(codes: np.ndarray, neighbours: np.ndarray, n_classes: int) -> np.ndarray:
    """(n, n_classes): the share of each product's ``neighbours`` (rows of indices) with each label."""
    codes = np.asarray(codes, dtype=np.int64)
    shares = np.zeros((len(codes), n_classes), np.float32)
    if neighbours.size:
        rows = np.repeat(np.arange(len(codes)), neighbours.shape[1])
        np.add.at(shares, (rows, codes[neighbours].ravel()), 1.0)
        shares /= neighbours.shape[1]
    return shares
