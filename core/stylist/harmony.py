"""Colour harmony: how well two colours, and a whole outfit's colours, go together.

Rules (pair score, applied to every pair of pieces; accessories count half):

1. A neutral (black, white, grey, navy, beige, brown, tan, cream, ...) goes with anything: +0.10.
2. Two neutrals are safe: +0.05.
3. Metals do not mix: gold/bronze/copper with silver/steel: -0.10.
4. Two pieces in the same non-neutral colour: 0 (monochrome is a choice; +0.08 if "monochrome").
5. Analogous colours (hues within 60 degrees on the colour wheel, e.g. blue and teal): +0.06.
6. Complementary colours (150-210 degrees apart, e.g. blue and orange): +0.02, +0.08 if "bold".
7. Any other pair of strong colours clashes: -0.15.
8. "Multi" (print) pieces only pair cleanly with neutrals: -0.10 with any other colour.
9. Whole outfit: more than two distinct strong colours: -0.20 (one statement, one accent).

Trade-off: a hue wheel and a neutral list, not a learned model of taste; predictable, explainable
("a neutral anchors the colour"), and the words the stylist's reasons quote.
"""

from __future__ import annotations

import itertools

NEUTRALS = {
    "Black", "White", "Grey", "Grey Melange", "Charcoal", "Navy Blue", "Beige", "Cream", "Off White",
    "Tan", "Brown", "Khaki", "Taupe", "Nude", "Skin", "Coffee Brown", "Mushroom Brown", "Silver", "Steel",
}  # fmt: skip
WARM_METALS = {"Gold", "Bronze", "Copper"}
COOL_METALS = {"Silver", "Steel"}
HUE = {  # degrees on the colour wheel for the strong colours
    "Red": 0, "Rose": 345, "Maroon": 350, "Burgundy": 345, "Rust": 20, "Orange": 30, "Peach": 25,
    "Mustard": 50, "Yellow": 60, "Gold": 50, "Bronze": 35, "Copper": 25, "Lime Green": 90,
    "Olive": 75, "Green": 120, "Sea Green": 150, "Teal": 180, "Turquoise Blue": 185, "Blue": 220,
    "Purple": 280, "Lavender": 270, "Mauve": 300, "Magenta": 310, "Pink": 330, "Metallic": 50,
}  # fmt: skip
ACCESSORY_SLOTS = {"watch", "eyewear", "jewellery", "headwear", "belt"}


def is_neutral(colour: str) -> bool:
    return colour in NEUTRALS


def pair_harmony(a: str, b: str, style: tuple[str, ...] = ()) -> tuple[float, str]:
    """(score, rule) for two colours; see the module docstring for the rules."""
    if (a in WARM_METALS and b in COOL_METALS) or (b in WARM_METALS and a in COOL_METALS):
        return -0.10, "mixed metals"
    if is_neutral(a) and is_neutral(b):
        return 0.05, "two neutrals"
    if is_neutral(a) or is_neutral(b):
        return 0.10, "a neutral anchors the colour"
    if "Multi" in (a, b):
        return (-0.10, "a print with a second colour") if a != b else (0.0, "two prints")
    if a == b:
        return (0.08 if "monochrome" in style else 0.0), "tonal"
    ha, hb = HUE.get(a), HUE.get(b)
    if ha is None or hb is None:
        return 0.0, "unrated"
    gap = abs(ha - hb) % 360
    gap = min(gap, 360 - gap)
    if gap <= 60:
        return 0.06, "analogous colours"
    if 150 <= gap <= 210:
        return (0.08 if "bold" in style else 0.02), "complementary colours"
    return -0.15, "clashing colours"


def outfit_harmony(pieces: list[tuple[str, str]], style: tuple[str, ...] = ()) -> float:
    """Sum of pair scores (accessory pairs at half weight) and the statement-colour rule."""
    score = 0.0
    for (slot_a, col_a), (slot_b, col_b) in itertools.combinations(pieces, 2):
        value, _ = pair_harmony(col_a, col_b, style)
        weight = 0.5 if slot_a in ACCESSORY_SLOTS or slot_b in ACCESSORY_SLOTS else 1.0
        score += weight * value
    strong = {c for s, c in pieces if not is_neutral(c) and s not in ACCESSORY_SLOTS}
    if len(strong) > 2:
        score -= 0.20
    return score
