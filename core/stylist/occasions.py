"""The occasion table: what each occasion means in catalogue terms, and which outfit it calls for.

One row per occasion: the words that name it, the catalogue ``usage`` it prefers (a soft
preference: the real catalogue has 2 "Party" products, so it only re-ranks), a season hint, the
style words the writer uses, styling tips, and an outfit template per gender. A template is a list
of slots, each with its group, the article types preferred in that order, and whether the slot
may be dropped (to fit a budget or an item count). Data, not code: adding an occasion is adding a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.understanding.occasions import occasion_named


@dataclass(frozen=True)
class SlotSpec:
    name: str  # top, bottom, dress, footwear, bag, watch, eyewear, jewellery, headwear, belt
    group: str
    types: tuple[str, ...]
    optional: bool = False


def _s(name: str, group: str, *types: str, optional: bool = False) -> SlotSpec:
    return SlotSpec(name, group, tuple(types), optional)


@dataclass(frozen=True)
class Occasion:
    name: str
    title: str
    words: tuple[str, ...]
    usage: str | None
    style: tuple[str, ...]
    tips: tuple[str, ...]
    men: tuple[SlotSpec, ...]
    women: tuple[SlotSpec, ...]
    season: str | None = None
    extra: dict = field(default_factory=dict)

    def template(self, gender: str | None) -> tuple[SlotSpec, ...]:
        return self.women if gender in ("Women", "Girls") else self.men


# Slot name -> the group it is filled from (used when a request names a group or type directly).
SLOT_OF_GROUP = {
    "topwear": "top", "bottomwear": "bottom", "dress": "dress", "footwear": "footwear",
    "bags": "bag", "watches": "watch", "eyewear": "eyewear", "jewellery": "jewellery",
    "headwear": "headwear", "accessories": "belt", "innerwear": "innerwear",
    "personal-care": "personal-care", "other": "other",
}  # fmt: skip

OCCASIONS: tuple[Occasion, ...] = (
    Occasion(
        "brunch", "brunch", ("brunch", "lunch", "cafe", "café", "coffee", "day out", "picnic"),
        "Casual", ("relaxed", "fresh"),
        ("Keep it light: one easy statement piece and neutral basics.",
         "Sunglasses and a small bag finish a daytime look without effort."),
        men=(_s("top", "topwear", "Shirts", "Tshirts"), _s("bottom", "bottomwear", "Jeans", "Shorts", "Trousers"),
             _s("footwear", "footwear", "Casual Shoes", "Sandals"), _s("eyewear", "eyewear", "Sunglasses", optional=True)),
        women=(_s("dress", "dress", "Dresses", "Jumpsuit"), _s("footwear", "footwear", "Sandals", "Flats", "Heels"),
               _s("bag", "bags", "Handbags", "Clutches"), _s("eyewear", "eyewear", "Sunglasses", optional=True)),
        season="Summer",
    ),
    Occasion(
        "date", "date", ("date", "romantic", "anniversary", "valentine", "dinner"),
        "Casual", ("polished", "romantic"),
        ("Fit beats flash: choose the piece that fits you best and build around it.",
         "One considered accessory (a watch or earrings) reads as effort, not excess."),
        men=(_s("top", "topwear", "Shirts", "Tshirts"), _s("bottom", "bottomwear", "Jeans", "Trousers"),
             _s("footwear", "footwear", "Casual Shoes", "Formal Shoes"), _s("watch", "watches", "Watches", optional=True)),
        women=(_s("dress", "dress", "Dresses", "Jumpsuit"), _s("footwear", "footwear", "Heels", "Flats", "Sandals"),
               _s("bag", "bags", "Clutches", "Handbags"),
               _s("jewellery", "jewellery", "Earrings", "Necklace and Chains", "Pendant", optional=True)),
    ),
    Occasion(
        "office", "office", ("office", "work", "workplace", "business", "meeting", "corporate", "presentation", "conference"),
        "Formal", ("smart", "professional"),
        ("Keep the palette to two or three quiet colours; let texture and fit do the talking.",
         "Match your belt to your shoes for a clean line."),
        men=(_s("top", "topwear", "Shirts"), _s("bottom", "bottomwear", "Trousers", "Jeans"),
             _s("footwear", "footwear", "Formal Shoes", "Casual Shoes"), _s("belt", "accessories", "Belts", "Ties"),
             _s("watch", "watches", "Watches", optional=True)),
        women=(_s("top", "topwear", "Shirts", "Tops", "Kurtas", "Kurtis"), _s("bottom", "bottomwear", "Trousers", "Skirts", "Jeans"),
               _s("footwear", "footwear", "Heels", "Flats", "Formal Shoes"), _s("bag", "bags", "Handbags", "Laptop Bag"),
               _s("watch", "watches", "Watches", optional=True)),
    ),
    Occasion(
        "interview", "interview", ("interview", "job", "hiring", "internship"),
        "Formal", ("sharp", "understated"),
        ("Dress one notch above the company's everyday code.",
         "Stick to neutrals with one calm colour; nothing should distract from you."),
        men=(_s("top", "topwear", "Shirts"), _s("bottom", "bottomwear", "Trousers", "Jeans"),
             _s("footwear", "footwear", "Formal Shoes", "Casual Shoes"), _s("belt", "accessories", "Belts", "Ties"),
             _s("watch", "watches", "Watches", optional=True)),
        women=(_s("top", "topwear", "Shirts", "Tops", "Kurtas"), _s("bottom", "bottomwear", "Trousers", "Skirts", "Jeans"),
               _s("footwear", "footwear", "Heels", "Flats", "Formal Shoes"), _s("bag", "bags", "Handbags", "Laptop Bag")),
    ),
    Occasion(
        "wedding", "wedding", ("wedding", "reception", "sangeet", "mehendi", "mehndi", "engagement", "festive", "festival",
                               "diwali", "eid", "puja", "pooja", "ceremony", "traditional", "ethnic"),
        "Ethnic", ("festive", "elegant"),
        ("Rich colours are welcome at Indian weddings; avoid all-white and all-black.",
         "Let one piece (the outfit or the jewellery) be the hero and keep the rest quieter."),
        men=(_s("top", "topwear", "Kurtas", "Nehru Jackets", "Shirts"),
             _s("bottom", "bottomwear", "Churidar", "Trousers", "Jeans"),
             _s("footwear", "footwear", "Formal Shoes", "Sandals", "Casual Shoes"),
             _s("watch", "watches", "Watches", optional=True)),
        women=(_s("dress", "dress", "Sarees", "Kurta Sets", "Lehenga Choli", "Dresses"),
               _s("footwear", "footwear", "Heels", "Flats", "Sandals"),
               _s("bag", "bags", "Clutches", "Handbags"),
               _s("jewellery", "jewellery", "Earrings", "Jewellery Set", "Necklace and Chains", "Bangle", optional=True)),
    ),
    Occasion(
        "party", "party", ("party", "club", "clubbing", "night out", "cocktail", "birthday", "new year", "prom", "concert", "celebration"),
        "Party", ("bold", "fun"),
        ("Evening light flatters deeper colours and a bit of shine.",
         "Comfortable shoes keep you on the dance floor longer than perfect ones."),
        men=(_s("top", "topwear", "Shirts", "Tshirts"), _s("bottom", "bottomwear", "Jeans", "Trousers"),
             _s("footwear", "footwear", "Casual Shoes", "Formal Shoes"), _s("watch", "watches", "Watches", optional=True)),
        women=(_s("dress", "dress", "Dresses", "Jumpsuit"), _s("footwear", "footwear", "Heels", "Sandals"),
               _s("bag", "bags", "Clutches", "Handbags"), _s("jewellery", "jewellery", "Earrings", "Necklace and Chains", optional=True)),
    ),
    Occasion(
        "gym", "workout", ("gym", "workout", "training", "run", "running", "jog", "jogging", "yoga", "fitness",
                           "exercise", "sport", "sports", "marathon", "cycling", "football", "tennis"),
        "Sports", ("sporty", "comfortable"),
        ("Pick breathable fabrics and shoes made for your sport.",
         "A cap keeps sun and sweat out of your eyes outdoors."),
        men=(_s("top", "topwear", "Tshirts", "Sweatshirts"), _s("bottom", "bottomwear", "Track Pants", "Shorts"),
             _s("footwear", "footwear", "Sports Shoes"), _s("headwear", "headwear", "Caps", optional=True)),
        women=(_s("top", "topwear", "Tshirts", "Tops"), _s("bottom", "bottomwear", "Track Pants", "Leggings", "Shorts", "Capris"),
               _s("footwear", "footwear", "Sports Shoes"), _s("headwear", "headwear", "Caps", optional=True)),
    ),
    Occasion(
        "beach", "beach", ("beach", "pool", "vacation", "holiday", "resort", "goa", "seaside", "island", "cruise"),
        "Casual", ("breezy", "summery"),
        ("Light colours stay cooler in the sun.",
         "Bring sunglasses and a cap or hat: style and shade in one."),
        men=(_s("top", "topwear", "Shirts", "Tshirts"), _s("bottom", "bottomwear", "Shorts"),
             _s("footwear", "footwear", "Sandals", "Flip Flops"), _s("eyewear", "eyewear", "Sunglasses"),
             _s("headwear", "headwear", "Caps", "Hat", optional=True)),
        women=(_s("dress", "dress", "Dresses", "Jumpsuit"), _s("footwear", "footwear", "Sandals", "Flip Flops", "Flats"),
               _s("eyewear", "eyewear", "Sunglasses"), _s("bag", "bags", "Handbags", optional=True)),
        season="Summer",
    ),
    Occasion(
        "travel", "travel", ("travel", "airport", "flight", "trip", "road trip", "journey", "commute", "train"),
        "Casual", ("comfortable", "practical"),
        ("Layers and comfortable shoes make long journeys easier.",
         "Dark bottoms hide the wear of a long day on the move."),
        men=(_s("top", "topwear", "Tshirts", "Shirts", "Sweatshirts"),
             _s("bottom", "bottomwear", "Jeans", "Track Pants", "Trousers"),
             _s("footwear", "footwear", "Casual Shoes", "Sports Shoes"),
             _s("bag", "bags", "Backpacks", "Duffel Bag", "Messenger Bag", optional=True)),
        women=(_s("top", "topwear", "Tops", "Tshirts", "Kurtis"),
               _s("bottom", "bottomwear", "Jeans", "Leggings", "Track Pants"),
               _s("footwear", "footwear", "Casual Shoes", "Sports Shoes", "Flats"),
               _s("bag", "bags", "Handbags", "Backpacks", optional=True)),
    ),
    Occasion(
        "casual", "casual", ("casual", "weekend", "everyday", "college", "school", "hangout", "shopping", "movie",
                             "errands", "friends", "relaxed", "chill"),
        "Casual", ("easy", "relaxed"),
        ("Start from a neutral base and add one colour you love.",
         "Clean shoes lift even the simplest outfit."),
        men=(_s("top", "topwear", "Tshirts", "Shirts"), _s("bottom", "bottomwear", "Jeans", "Shorts"),
             _s("footwear", "footwear", "Casual Shoes", "Sports Shoes", "Sandals"), _s("watch", "watches", "Watches", optional=True)),
        women=(_s("top", "topwear", "Tops", "Tshirts", "Shirts"), _s("bottom", "bottomwear", "Jeans", "Skirts", "Shorts"),
               _s("footwear", "footwear", "Casual Shoes", "Flats", "Sandals"), _s("bag", "bags", "Handbags", optional=True)),
    ),
    Occasion(
        "hiking", "outdoor", ("hiking", "hike", "trek", "trekking", "camping", "outdoor", "outdoors", "mountain"),
        "Sports", ("practical", "sporty"),
        ("Wear shoes with grip and bring a cap against the sun.",
         "Choose a backpack that sits close to your back."),
        men=(_s("top", "topwear", "Tshirts", "Sweatshirts", "Jackets"), _s("bottom", "bottomwear", "Track Pants", "Shorts", "Jeans"),
             _s("footwear", "footwear", "Sports Shoes", "Casual Shoes"), _s("headwear", "headwear", "Caps", optional=True)),
        women=(_s("top", "topwear", "Tshirts", "Tops", "Jackets"), _s("bottom", "bottomwear", "Track Pants", "Leggings", "Shorts"),
               _s("footwear", "footwear", "Sports Shoes", "Casual Shoes"), _s("headwear", "headwear", "Caps", optional=True)),
    ),
)
OCCASION_BY_NAME = {o.name: o for o in OCCASIONS}
DEFAULT_OCCASION = "casual"
# "formal" is spelled out by users but means office wear for our catalogue.
ALIASES = {"formal": "office", "gala": "office", "black tie": "office"}

# The shared occasion table (core.understanding.occasions, ~50 rows) -> the outfit shape above that
# dresses it; the row's own suitable / unsuitable types, palette and weather then bend the shape
# (core.stylist.plan). A row missing here dresses casually, and a test keeps the map complete.
SHAPE: dict[str, str] = {
    "interview": "interview", "office": "office", "business-meeting": "office", "conference": "office",
    "video-call": "office", "funeral": "office", "graduation": "office", "black-tie": "office",
    "wedding-guest": "wedding", "own-wedding": "wedding", "sangeet": "wedding", "mehendi": "wedding", "haldi": "wedding",
    "reception": "wedding", "diwali": "wedding", "eid": "wedding", "navratri": "wedding", "puja": "wedding",
    "temple": "wedding", "rakhi": "wedding", "karwa-chauth": "wedding", "onam-pongal": "wedding",
    "cocktail": "party", "party": "party", "christmas": "party", "farewell": "party",
    "house-party": "casual", "festival-concert": "casual", "college-fest": "casual",
    "dinner": "date", "date": "date", "brunch": "brunch", "picnic": "brunch", "baby-shower": "brunch",
    "college": "casual", "first-day-college": "casual", "school": "casual", "everyday": "casual", "holi": "casual",
    "beach": "beach", "pool": "beach", "honeymoon": "date", "vacation": "travel", "airport": "travel",
    "monsoon-commute": "travel", "trek": "hiking", "camping": "hiking", "ski": "hiking",
    "gym": "gym", "running": "gym", "yoga": "gym", "cycling": "gym", "sport": "gym",
}  # fmt: skip


PROPER_NAMES = frozenset({"diwali", "eid", "holi", "christmas", "navratri", "rakhi", "karwa-chauth", "onam-pongal"})


def occasion(name: str | None) -> Occasion:
    """The outfit row for ``name``: a shape's own name, or a shared-table occasion dressed by its shape
    (titled and with the usage of the shared row); unknown or None: the casual row."""
    name = ALIASES.get(name or "", name or "")
    if name in OCCASION_BY_NAME:
        return OCCASION_BY_NAME[name]
    shared = occasion_named(name)
    if shared is None:
        return OCCASION_BY_NAME[DEFAULT_OCCASION]
    shape = OCCASION_BY_NAME[SHAPE.get(shared.name, DEFAULT_OCCASION)]
    title = shared.title if shared.name in PROPER_NAMES else shared.title.lower()  # "Diwali" stays capitalised
    return replace(shape, name=shared.name, title=title, usage=shared.usage or shape.usage)
