"""What the demo catalogue holds: article types with their real category path, colours, brands, weights.

Every article type pairs its drawing function with the attributes a product of that type may
have, each weighted to look plausible (jeans are mostly blue, heels are for women, watches sell in
winter). Names use the real Kaggle vocabulary, so the demo goes through the same ``prepare`` path as
the real catalogue. ``"Navy Blue 3, Red 1"`` strings keep the table readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from core.data.demo.drawing import (
    RGB,
    Sketch,
    draw_belt,
    draw_cap,
    draw_casual_shoe,
    draw_dress,
    draw_handbag,
    draw_heels,
    draw_jeans,
    draw_sandals,
    draw_shirt,
    draw_shorts,
    draw_skirt,
    draw_sports_shoe,
    draw_sunglasses,
    draw_tshirt,
    draw_watch,
)

COLOUR_RGB: dict[str, RGB] = {
    "Black": (30, 30, 32),
    "White": (246, 246, 243),
    "Grey": (128, 128, 132),
    "Silver": (190, 192, 198),
    "Blue": (38, 92, 196),
    "Navy Blue": (28, 38, 92),
    "Teal": (0, 128, 128),
    "Green": (40, 145, 60),
    "Olive": (108, 114, 42),
    "Yellow": (242, 208, 40),
    "Gold": (205, 160, 50),
    "Orange": (240, 128, 30),
    "Red": (205, 30, 40),
    "Maroon": (120, 22, 42),
    "Pink": (240, 140, 182),
    "Purple": (122, 52, 152),
    "Brown": (112, 70, 38),
    "Tan": (196, 146, 94),
    "Beige": (222, 203, 164),
}
"""The fill of every product: one RGB per named ``baseColour``."""

SEASON_WEIGHTS = {"Summer": 5, "Fall": 3, "Winter": 2, "Spring": 1}
YEAR_WEIGHTS = {2010: 1, 2011: 4, 2012: 5, 2013: 1, 2014: 1, 2015: 2, 2016: 3, 2017: 2, 2018: 1}

BRANDS = (
    "Aurelia", "Bramble", "Corvo", "Denali Street", "Elmswood", "Fennick", "Gullwing",
    "Harbor Lane", "Indus Loom", "Lumen", "Marlow & Finch", "Oakridge", "Quillon", "Rivet Denim",
    "Saffron Row", "Vellmora",
)  # fmt: skip
SPORT_BRANDS = ("Kestrel", "Nimbus Sport", "Pace Athletic", "Trailhead")

PATTERN_WORDS: dict[str, tuple[str, ...]] = {
    "stripes": ("Striped",),
    "checks": ("Check", "Checked"),
    "dots": ("Polka Dot",),
    "logo": ("Printed", "Graphic", "Logo"),
    "fade": ("Washed", "Faded"),
    "pleats": ("Pleated",),
    "sidestripe": ("Track", "Side Stripe"),
    "chrono": ("Chronograph",),
}
"""Words a name uses for a pattern, so a striped picture is called striped."""



def _weights(spec: str) -> dict[str, int]:
    """``"Navy Blue 3, Red 1"`` -> ``{"Navy Blue": 3, "Red": 1}``, to keep the table readable."""
    pairs = (item.strip().rsplit(" ", 1) for item in spec.split(","))
    return {key: int(weight) for key, weight in pairs}


@dataclass(frozen=True)
class Article:
    """One article type: its category path, drawing, name words and weighted attributes."""

    article_type: str
    master: str
    sub: str
    draw: Callable[[Sketch, str], None]
    nouns: tuple[str, ...]
    plain_words: tuple[str, ...]  # descriptors of a solid product ("" = none)
    genders: dict[str, int]
    usages: dict[str, int]
    colours: dict[str, int]
    patterns: dict[str, int]
    seasons: dict[str, int] = field(default_factory=lambda: dict(SEASON_WEIGHTS))


_APPAREL = _weights(
    "Black 4, White 4, Blue 4, Navy Blue 3, Red 3, Grey 3, Green 3, Yellow 2, Pink 2, Purple 2,"
    "Maroon 2, Orange 1, Olive 1, Teal 1, Brown 1, Beige 1"
)
_SOLID = {"solid": 1}

ARTICLES: tuple[Article, ...] = (
    Article(
        "Tshirts", "Apparel", "Topwear", draw_tshirt, ("T-shirt", "Tshirt", "Polo T-shirt"),
        ("Slim Fit", "Round Neck", "Solid", "Basic", ""),
        _weights("Men 6, Women 2, Boys 1, Girls 1, Unisex 1"), _weights("Casual 6, Sports 2"),
        _APPAREL, _weights("solid 4, stripes 2, logo 2"),
    ),
    Article(
        "Shirts", "Apparel", "Topwear", draw_shirt, ("Shirt",),
        ("Slim Fit", "Formal", "Regular Fit", "Solid", ""),
        _weights("Men 7, Women 2, Boys 1"), _weights("Casual 5, Formal 3, Party 1"),
        _APPAREL, _weights("solid 3, stripes 2, checks 2"),
    ),
    Article(
        "Jeans", "Apparel", "Bottomwear", draw_jeans, ("Jeans",),
        ("Slim Fit", "Skinny Fit", "Regular Fit", ""),
        _weights("Men 4, Women 4, Boys 1, Girls 1"), _weights("Casual 1"),
        _weights("Blue 6, Navy Blue 3, Black 3, Grey 2, White 1"), _weights("solid 3, fade 2"),
    ),
    Article(
        "Shorts", "Apparel", "Bottomwear", draw_shorts, ("Shorts",),
        ("Cargo", "Solid", "Casual", ""),
        _weights("Men 5, Boys 2, Women 2, Girls 1"), _weights("Casual 3, Sports 2"),
        _APPAREL, _weights("solid 3, sidestripe 1"),
    ),
    Article(
        "Dresses", "Apparel", "Dress", draw_dress, ("Dress", "Maxi Dress", "Shift Dress"),
        ("Solid", "A-Line", ""),
        _weights("Women 4, Girls 1"), _weights("Casual 5, Party 2, Formal 1"),
        _APPAREL, _weights("solid 3, dots 2, stripes 1"),
    ),
    Article(
        "Skirts", "Apparel", "Bottomwear", draw_skirt, ("Skirt",),
        ("A-Line", "Flared", "Solid", ""),
        _weights("Women 4, Girls 1"), _weights("Casual 5, Formal 1, Party 1"),
        _APPAREL, _weights("solid 3, pleats 2, dots 1"),
    ),
    Article(
        "Casual Shoes", "Footwear", "Shoes", draw_casual_shoe, ("Casual Shoes", "Sneakers"),
        ("Canvas", "Lace-Up", "Classic", ""),
        _weights("Men 6, Women 2, Unisex 1, Boys 1"), _weights("Casual 1"),
        _weights("Black 4, White 4, Brown 3, Grey 2, Blue 2, Red 2, Navy Blue 2, Olive 1, Tan 1"),
        _SOLID,
    ),
    Article(
        "Sports Shoes", "Footwear", "Shoes", draw_sports_shoe, ("Sports Shoes", "Running Shoes"),
        ("Running", "Training", "Mesh", ""),
        _weights("Men 6, Women 3, Unisex 1"), _weights("Sports 1"),
        _weights(
            "White 4, Black 4, Grey 3, Blue 2, Navy Blue 2, Red 2, Orange 1, Pink 1, Yellow 1"
        ),
        _SOLID,
    ),
    Article(
        "Heels", "Footwear", "Shoes", draw_heels, ("Heels", "Stilettos", "Pumps"),
        ("Pointed", "Party", "Classic", ""),
        _weights("Women 1"), _weights("Casual 4, Party 2, Formal 1, Ethnic 1"),
        _weights("Black 4, Red 3, Beige 2, Gold 2, Silver 2, Pink 2, Blue 1, Brown 2, White 1"),
        _SOLID, _weights("Winter 4, Summer 2, Fall 1, Spring 1"),
    ),
    Article(
        "Sandals", "Footwear", "Sandal", draw_sandals, ("Sandals", "Floaters"),
        ("Strappy", "Comfort", "Leather", ""),
        _weights("Men 5, Women 2, Unisex 1, Girls 1"), _weights("Casual 6, Ethnic 1"),
        _weights("Black 4, Brown 4, Tan 2, Olive 1, Blue 1, Grey 1, Red 1, Navy Blue 1"),
        _SOLID,
    ),
    Article(
        "Watches", "Accessories", "Watches", draw_watch, ("Watch", "Analog Watch"),
        ("Dial", "Analog", "Classic", ""),
        _weights("Men 5, Women 4, Unisex 1"), _weights("Casual 5, Formal 2, Sports 1"),
        _weights("Black 4, Silver 3, Gold 2, Brown 2, White 2, Blue 1, Pink 1, Red 1"),
        _weights("solid 2, chrono 1"), _weights("Winter 6, Summer 1, Fall 1"),
    ),
    Article(
        "Handbags", "Accessories", "Bags", draw_handbag, ("Handbag", "Shoulder Bag", "Tote Bag"),
        ("Leather", "Structured", ""),
        _weights("Women 9, Unisex 1"), _weights("Casual 5, Formal 1, Party 1"),
        _weights(
            "Black 3, Brown 3, Beige 2, Tan 2, Red 2, Blue 1, Pink 1, Purple 1, Olive 1, White 1,"
            "Maroon 1"
        ),
        _SOLID,
    ),
    Article(
        "Caps", "Accessories", "Headwear", draw_cap, ("Cap", "Baseball Cap"),
        ("Solid", "Sports", ""),
        _weights("Men 3, Unisex 3, Women 1"), _weights("Casual 3, Sports 2"),
        _weights(
            "Black 3, Blue 3, Red 2, Navy Blue 2, White 1, Grey 1, Green 1, Yellow 1, Orange 1,"
            "Pink 1"
        ),
        _weights("solid 3, logo 1"),
    ),
    Article(
        "Sunglasses", "Accessories", "Eyewear", draw_sunglasses,
        ("Sunglasses", "Wayfarer Sunglasses"),
        ("UV Protected", "Classic", ""),
        _weights("Men 4, Women 3, Unisex 2"), _weights("Casual 5, Sports 1"),
        _weights("Black 5, Brown 3, Gold 1, Silver 1, Grey 1, Blue 1, Red 1, Purple 1"),
        _SOLID, _weights("Winter 6, Summer 2"),
    ),
    Article(
        "Belts", "Accessories", "Belts", draw_belt, ("Belt",),
        ("Leather", "Reversible", "Formal", ""),
        _weights("Men 6, Women 4"), _weights("Casual 4, Formal 2"),
        _weights("Black 5, Brown 5, Tan 2, Red 1, Blue 1, Beige 1, White 1, Navy Blue 1"),
        _SOLID,
    ),
)
"""Every article type the demo draws, with its real category path and plausible attributes."""

DEMO_ARTICLE_TYPES = tuple(a.article_type for a in ARTICLES)
