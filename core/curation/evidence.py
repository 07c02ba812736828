"""The small readings the curation rules combine: colour families, and what a product's name says.

Owns which catalogue colours are easily one another (:data:`COLOUR_FAMILIES`: a colour label is
never questioned within its family) and which are never questioned at all, whether a name says a
colour (as the product's colour, not a part: "Black Dial Watch" does not say black), the numbers
in a name (shade and model numbers), and how alike two names are. Trade-off accepted: plain
string rules in English, tuned on the real catalogue's names; no language model is asked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

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
