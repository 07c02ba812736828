"""Derived product fields: a natural description, a simulated price and its price band.

Descriptions are written from the attributes so that every product, even one with a terse name,
has a sentence the text tower can embed ("Red t-shirt for men, casual wear, summer. Roadster Men
Red T-shirt."). Prices are simulated because the catalogue has none: deterministic per product
(a hash of the id and the seed, never Python's salted ``hash``), log-uniform inside a documented
INR range per article type (else per group), rounded to a shop-like price ending in 9. The price
bands (:data:`PRICE_BANDS`) are the one grouping of those prices every screen and summary uses.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from core.data.catalog import UNKNOWN
from core.files import stable_unit

# Article types whose catalogue name is a plural; the description uses the singular noun.
_NOUNS: dict[str, str] = {
    "Tshirts": "t-shirt", "Shirts": "shirt", "Tops": "top", "Kurtas": "kurta", "Kurtis": "kurti",
    "Tunics": "tunic", "Sweaters": "sweater", "Sweatshirts": "sweatshirt", "Jackets": "jacket",
    "Blazers": "blazer", "Nehru Jackets": "Nehru jacket", "Dresses": "dress", "Skirts": "skirt",
    "Sarees": "saree", "Watches": "watch", "Handbags": "handbag", "Backpacks": "backpack",
    "Clutches": "clutch", "Caps": "cap", "Belts": "belt", "Wallets": "wallet", "Ties": "tie",
    "Scarves": "scarf", "Stoles": "stole", "Mufflers": "muffler", "Rucksacks": "rucksack",
    "Kurta Sets": "kurta set", "Night suits": "night suit", "Baby Dolls": "baby doll",
    "Tracksuits": "tracksuit", "Umbrellas": "umbrella", "Basketballs": "basketball",
    "Footballs": "football", "Cushion Covers": "cushion cover", "Free Gifts": "free gift",
    "Innerwear Vests": "innerwear vest", "Camisoles": "camisole", "Suspenders": "suspenders",
    "Tshirt": "t-shirt", "Lounge Tshirts": "lounge t-shirt", "Wristbands": "wristband",
}
_GENDER_PHRASE = {
    "Men": "men", "Women": "women", "Boys": "boys", "Girls": "girls", "Unisex": "men and women",
}

# INR price ranges (low, high). Article types first, the group as the fallback.
PRICE_RANGES_BY_TYPE: dict[str, tuple[int, int]] = {
    "Tshirts": (299, 1499), "Shirts": (599, 2999), "Tops": (399, 1999), "Kurtas": (499, 2999),
    "Jeans": (799, 3499), "Trousers": (699, 2999), "Shorts": (399, 1499), "Track Pants": (499, 1999),
    "Jackets": (1299, 5999), "Blazers": (2499, 7999), "Sweaters": (799, 3499),
    "Sweatshirts": (799, 2999), "Dresses": (799, 4999), "Sarees": (799, 8999),
    "Lehenga Choli": (1999, 12999), "Kurta Sets": (999, 4999), "Casual Shoes": (999, 4999),
    "Sports Shoes": (1299, 7999), "Formal Shoes": (1499, 6999), "Heels": (799, 4999),
    "Flats": (499, 2499), "Sandals": (499, 2999), "Flip Flops": (149, 999), "Socks": (99, 499),
    "Briefs": (149, 799), "Bra": (299, 1499), "Watches": (999, 14999), "Handbags": (799, 4999),
    "Clutches": (499, 2999), "Backpacks": (699, 3999), "Trolley Bag": (2999, 9999),
    "Wallets": (299, 1999), "Sunglasses": (599, 5999), "Belts": (299, 1999), "Ties": (299, 1499),
    "Caps": (199, 999), "Earrings": (149, 1999), "Perfume and Body Mist": (299, 2999),
    "Deodorant": (149, 499), "Nail Polish": (99, 499), "Lipstick": (149, 999),
}
PRICE_RANGES_BY_GROUP: dict[str, tuple[int, int]] = {
    "topwear": (399, 2999), "bottomwear": (499, 3499), "footwear": (499, 6999),
    "dress": (699, 4999), "innerwear": (199, 1499), "bags": (499, 4999), "watches": (999, 14999),
    "jewellery": (199, 2999), "eyewear": (599, 5999), "headwear": (199, 999),
    "accessories": (199, 1999), "personal-care": (99, 2499), "other": (99, 999),
}

PRICE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under ₹500"), (500, "₹500–999"), (1000, "₹1,000–1,999"), (2000, "₹2,000–4,999"), (5000, "₹5,000 and up"),
)
"""(lowest price in the band, label), cheapest first; a band runs up to the next one's lowest price."""
PRICE_BAND_LABELS: tuple[str, ...] = tuple(label for _, label in PRICE_BANDS)


def article_noun(article_type: str) -> str:
    """The singular noun a sentence uses for an article type: ``article_noun("Tshirts") == "t-shirt"``."""
    return _NOUNS.get(article_type, article_type.lower())


def describe(*, name: str, gender: str, colour: str, article_type: str, usage: str, season: str) -> str:
    """A natural description from the attributes; unknown attributes are left out, never invented."""
    known = lambda v: v and v != UNKNOWN  # noqa: E731
    subject = " ".join(p for p in (colour.lower() if known(colour) else "", article_noun(article_type)) if p)
    sentence = subject[:1].upper() + subject[1:]
    if known(gender):
        sentence += f" for {_GENDER_PHRASE.get(gender, gender.lower())}"
    if known(usage):
        sentence += f", {usage.lower()} wear"
    if known(season):
        sentence += f", {season.lower()}"
    name = name.strip().rstrip(".")
    return f"{sentence}. {name}." if name else f"{sentence}."


def price_range(article_type: str, group: str) -> tuple[int, int]:
    return PRICE_RANGES_BY_TYPE.get(article_type) or PRICE_RANGES_BY_GROUP.get(group, PRICE_RANGES_BY_GROUP["other"])


def simulated_price(product_id: int, article_type: str, group: str, seed: int = 0) -> int:
    """Deterministic INR price inside :func:`price_range`, ending in 9 (e.g. 1299)."""
    low, high = price_range(article_type, group)
    value = math.exp(math.log(low) + stable_unit("price", seed, product_id) * (math.log(high) - math.log(low)))
    price = int(round(value / 10.0)) * 10 - 1
    return min(max(price, low), high)


def price_band(prices) -> pd.Categorical:
    """Each price's band, an ordered categorical over :data:`PRICE_BAND_LABELS`.

    ``list(price_band([99, 500, 1299])) == ["under ₹500", "₹500–999", "₹1,000–1,999"]``.
    """
    edges = [low for low, _ in PRICE_BANDS[1:]]
    codes = np.searchsorted(edges, np.asarray(prices, dtype=float), side="right")
    return pd.Categorical.from_codes(codes, categories=list(PRICE_BAND_LABELS), ordered=True)
