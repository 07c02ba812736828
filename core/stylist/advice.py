"""Styling advice written from the outfit itself: reasons and tips that fit the pieces that are there.

``reason_for(slot, product, picks, req, usage, occasion)`` says why one product is in the outfit
from its own attributes: how formal it is against the occasion (its catalogue usage), its colour
against the colour asked for or the piece it pairs with (the harmony rule, ``core.stylist.harmony``),
its season against the weather, its role (a warm layer, a belt that matches the shoes), and the
budget when one was set.

``outfit_tips(req, outfit)`` picks at most three tips, in order of how specific they are: one about
the occasion (a line of ``OCCASION_TIPS`` for the shared table's row, else the outfit shape's own),
then what the pieces call for (a layer worn open, a belt that matches the shoes or should, rain wear,
a watch at a formal event), the season, and the colours (all neutrals, one statement piece, metals).
A tip that names a piece is only given when the outfit has it (``tips_for_outfit``). Wording varies
per outfit through a stable hash of its product ids, so the same outfit always reads the same and
two outfits rarely read alike. Trade-off: rules and a phrase table, not a language model; they can
be dull, but they are never wrong about what is in the outfit.
"""

from __future__ import annotations

import re

from core.data.enrich import article_noun
from core.data.groups import ARTICLE_TYPE_GROUP
from core.files import stable_unit
from core.stylist.harmony import ACCESSORY_SLOTS, COOL_METALS, NEUTRALS, WARM_METALS, pair_harmony
from core.stylist.occasions import occasion as occasion_row
from core.understanding.occasions import FORMAL, occasion_named

BROWNS = frozenset({"Brown", "Tan", "Coffee Brown", "Mushroom Brown"})
LAYERS = frozenset({"Jackets", "Sweaters", "Sweatshirts", "Blazers", "Nehru Jackets", "Shrug", "Waistcoat", "Rain Jacket"})

# One or two lines per occasion of the shared table (core.understanding.occasions); a row without
# lines falls back to its outfit shape's tips (core.stylist.occasions).
OCCASION_TIPS: dict[str, tuple[str, ...]] = {
    "interview": ("Dress one notch above the company's everyday code.",
                  "Nothing should distract from what you say: quiet colours, clean shoes."),
    "office": ("Two or three quiet colours and a good fit carry a working day.", "Pressed and plain beats trendy on a working day.",
               "Keep one neutral layer at the office for over-cold air-conditioning."),
    "business-meeting": ("Sharp and sober wins a meeting: the fit matters more than the label.",),
    "conference": ("Comfortable shoes matter: conferences are long days on your feet.",),
    "video-call": ("On camera only the top half shows: a solid colour reads better than a fine print.",),
    "wedding-guest": ("Rich colours are welcome at Indian weddings; leave all-white and all-black to others.",
                      "Let the outfit or the jewellery be the hero, not both."),
    "own-wedding": ("It is your day: the outfit leads, everything else supports it.",),
    "sangeet": ("You will dance: choose shoes you can move in.",),
    "mehendi": ("Greens and yellows are the mehendi colours; keep the fabric light.",),
    "haldi": ("Wear something you do not mind staining: haldi paste is generous.",),
    "reception": ("Evening light flatters deeper colours and a little shine.",),
    "baby-shower": ("Soft colours and comfortable shoes suit a daytime celebration.",),
    "funeral": ("Keep to black, white, grey or navy, with nothing shiny or loud.",
                "Plain, clean and unremarkable is the respectful choice."),
    "graduation": ("Photos last longer than the day: choose a fit you are sure of.",),
    "farewell": ("A farewell is a chance to dress up a little: one polished piece is enough.",),
    "black-tie": ("Black tie means dark, formal and polished: keep every other piece plain.",),
    "cocktail": ("Cocktail dress sits between office and gala: one bold piece, the rest sleek.",),
    "dinner": ("A dinner out calls for one step above everyday: a neat top and good shoes.",
               "Restaurants run cool in the evening: a light layer helps."),
    "date": ("Fit beats flash: wear what you feel best in.", "One considered accessory reads as effort, not excess."),
    "party": ("Comfortable shoes keep you on the dance floor longer than perfect ones.",
              "Evening light flatters deeper colours and a little shine.", "One bold piece is a party look; three is a costume."),
    "house-party": ("A house party is relaxed: smart-casual, and shoes you can take off at the door.",),
    "brunch": ("Keep it light: easy pieces and one fresh colour.", "Daylight is kind to soft colours and natural fabrics."),
    "festival-concert": ("Crowds and standing: comfortable shoes and a small bag.",),
    "college": ("Easy pieces you can wear all day between classes.", "Comfortable shoes for long days on campus."),
    "first-day-college": ("First impressions: clean and easy, nothing that looks like it tries too hard.",),
    "college-fest": ("Fests are about colour: one bright piece is welcome.",),
    "school": ("Comfortable and hard-wearing beats fussy for a school day.",),
    "diwali": ("Festive colours and a traditional piece suit the evening lights.",),
    "eid": ("Light colours and a traditional cut are the classic Eid look.",),
    "holi": ("Wear what you do not mind losing to colour: white shows it best.",),
    "christmas": ("Red, green or a touch of gold nods to the season without a costume.",),
    "navratri": ("Garba means hours of dancing: flat shoes and a light fabric.",),
    "puja": ("Traditional and modest: a kurta or saree in a warm colour.",),
    "temple": ("Modest cuts that cover shoulders and knees, and shoes you can slip off.",),
    "rakhi": ("A festive family day: a traditional piece in a bright colour.",),
    "karwa-chauth": ("Reds and maroons are the traditional colours of the evening.",),
    "onam-pongal": ("Off-white and gold is the classic festival combination.",),
    "beach": ("Light colours stay cooler in the sun.", "Sunglasses and a cap are style and shade in one."),
    "pool": ("Quick-dry fabrics and flip-flops for the poolside.",),
    "honeymoon": ("Pack pieces that mix: every top should go with every bottom.",),
    "vacation": ("Pack pieces that mix and match, and one pair of shoes you can walk all day in.",
                 "Dark bottoms hide the wear of a long day on the move."),
    "airport": ("Layers and slip-on shoes make security and a cold cabin easier.",),
    "trek": ("Shoes with grip matter more than anything else on a trail.", "Dress in layers you can take off as you climb."),
    "camping": ("Dark, hard-wearing pieces hide a weekend outdoors.",),
    "ski": ("Layer up: a warm base, a mid layer and a jacket on top.",),
    "monsoon-commute": ("Quick-dry fabrics and shoes that do not mind puddles.",),
    "picnic": ("Sitting on grass: comfortable bottoms and flat shoes.",),
    "everyday": ("Start from a neutral base and add one colour you like.", "Clean shoes lift even the simplest outfit.",
                 "Roll the sleeves once for an easy, finished look.", "A good fit matters more than the label."),
    "gym": ("Breathable fabrics and shoes made for training.", "Fitted, not tight: you should move freely in every piece."),
    "running": ("Running shoes with cushioning matter more than the rest of the kit.",),
    "yoga": ("Fitted pieces that stay put when you bend; you will practise barefoot.",),
    "cycling": ("Fitted bottoms stay clear of the chain.",),
    "sport": ("Dress for the sport: shoes made for it come first.",),
}  # fmt: skip

# No occasion named: general lines, one chosen per outfit.
GENERAL_TIPS = (
    "Start from a neutral base and add one colour you like.", "Clean shoes lift even the simplest outfit.",
    "A good fit matters more than the label: check the shoulders and the length.",
    "Tuck, half-tuck or leave it out: pick one and the look reads as intended.",
    "Match the formality of the shoes to the rest: they set the tone first.",
)

# A tip that names a piece is given only when the outfit has one.
PIECE_WORDS: dict[str, tuple[str, ...]] = {
    "belt": ("Belts",), "watch": ("watches",), "sunglasses": ("eyewear",), "shades": ("eyewear",),
    "cap": ("headwear",), "hat": ("headwear",), "bag": ("bags",), "handbag": ("bags",), "clutch": ("bags",),
    "backpack": ("bags",), "earrings": ("jewellery",), "jewellery": ("jewellery",), "tie": ("Ties",),
    "scarf": ("Scarves", "Stoles", "Mufflers", "Dupatta"), "jacket": ("Jackets", "Blazers", "Nehru Jackets", "Rain Jacket"),
    "blazer": ("Blazers",), "shoes": ("footwear",), "heels": ("Heels",), "sneakers": ("Casual Shoes", "Sports Shoes"),
    "kurta": ("Kurtas", "Kurta Sets"), "saree": ("Sarees",), "flip-flops": ("Flip Flops",),
}  # fmt: skip
PIECE = re.compile(r"\b(" + "|".join(re.escape(w) for w in PIECE_WORDS) + r")(?:e?s)?\b", re.IGNORECASE)
STATEMENT_TIPS = (
    "Let the {piece} be the one statement piece.",
    "The {piece} is what people will notice; keep everything else quiet.",
    "Build the look around the {piece} and let the rest stay neutral.",
)
PLURAL_STATEMENT_TIPS = (
    "Let the {piece} carry the colour; keep everything else quiet.",
    "The {piece} are what people will notice; let the rest stay neutral.",
)
NEUTRAL_TIPS = (
    "All neutrals: add interest with texture, or one accessory in colour.",
    "A neutral outfit is hard to get wrong; one accessory in a rich colour lifts it.",
    "Quiet colours throughout: let the fit and clean lines do the work.",
)
SEASON_TIPS = {
    "cold": ("Wear the {layer} open over the {top} so both colours show.", "Layer the {layer} over the {top}; take it off indoors."),
    "hot": ("Cotton and linen breathe in the heat; skip dark heavy fabrics.", "In the heat, lighter colours stay cooler."),
    "rain": ("Keep the {rain} handy: monsoon showers come without warning.",),
}


def _plural(noun: str) -> bool:
    return noun.endswith("s") and not noun.endswith(("ss", "us"))


def _pick(options: tuple[str, ...], key: str, outfit: list[dict]) -> str:
    """One of ``options``, chosen stably by the outfit's products (same outfit, same words)."""
    seed = "-".join(str(p.get("id")) for p in outfit)
    return options[int(stable_unit(key, seed) * len(options)) % len(options)]


def has_piece(outfit: list[dict], word: str) -> bool:
    kinds = PIECE_WORDS[word.lower()]
    return any(p.get("article_type") in kinds or ARTICLE_TYPE_GROUP.get(p.get("article_type", "")) in kinds for p in outfit)


def tips_for_outfit(tips: tuple[str, ...], outfit: list[dict]) -> list[str]:
    """``tips`` less those that name a piece the outfit does not have."""
    return [tip for tip in tips if all(has_piece(outfit, m.group(1)) for m in PIECE.finditer(tip))]


def piece_name(pick: dict) -> str:
    """ "the navy blue shirt", "the black trousers" (article and grammatical number right)."""
    return f"{pick['base_colour'].lower()} {article_noun(pick['article_type'])}"


def statement_tip(pick: dict) -> str:
    """One line about the outfit's colourful piece, grammatical for plural-only nouns (jeans, trousers)."""
    noun = article_noun(pick["article_type"])
    options = PLURAL_STATEMENT_TIPS if _plural(noun) else STATEMENT_TIPS
    return options[int(stable_unit("statement", pick["id"]) * len(options))].format(piece=f"{pick['base_colour'].lower()} {noun}")


def _piece_tips(outfit: list[dict], weather: set[str]) -> list[str]:
    by_type = {p["article_type"]: p for p in outfit}
    tips = []
    belt, shoes = by_type.get("Belts"), next((p for p in outfit if ARTICLE_TYPE_GROUP.get(p["article_type"]) == "footwear"), None)
    if belt and shoes:
        same = belt["base_colour"] == shoes["base_colour"] or {belt["base_colour"], shoes["base_colour"]} <= BROWNS
        tips.append(f"The {piece_name(belt)} matches the {piece_name(shoes)}: a clean line from waist to feet." if same
                    else f"A belt the colour of the {piece_name(shoes)} would give a cleaner line than the {piece_name(belt)}.")
    layer = next((p for p in outfit if p["article_type"] in LAYERS and p["article_type"] != "Rain Jacket"), None)
    top = next((p for p in outfit if p.get("slot") in ("top", "dress") and p is not layer), None)
    if layer and top and "cold" in weather:
        tips.append(_pick(SEASON_TIPS["cold"], "layer", outfit).format(layer=article_noun(layer["article_type"]), top=piece_name(top)))
    rain = next((p for p in outfit if p["article_type"] in ("Rain Jacket", "Umbrellas", "Rain Trousers")), None)
    if rain and "rain" in weather:
        tips.append(SEASON_TIPS["rain"][0].format(rain=article_noun(rain["article_type"])))
    if "Ties" in by_type and by_type["Ties"]["base_colour"] not in NEUTRALS:
        tips.append(f"The {piece_name(by_type['Ties'])} is the only colour a formal look needs.")
    return tips


def _colour_tips(outfit: list[dict], sober: bool = False) -> list[str]:
    colours = [p["base_colour"] for p in outfit]
    metals = set(colours) & (WARM_METALS | COOL_METALS)
    if metals & WARM_METALS and metals & COOL_METALS:
        return ["Gold and silver pieces together compete; keep to one metal if you can."]
    strong = [p for p in outfit if p["base_colour"] not in NEUTRALS and ARTICLE_TYPE_GROUP.get(p["article_type"]) not in
              ("watches", "jewellery", "eyewear")]
    if not strong:
        return [_pick(tuple(t for t in NEUTRAL_TIPS if "accessory" not in t) if sober else NEUTRAL_TIPS, "neutral", outfit)]
    return [statement_tip(strong[0])] if len(strong) == 1 else []


def outfit_tips(req: dict, outfit: list[dict], weather: set[str] = frozenset(), limit: int = 3) -> list[str]:
    """At most ``limit`` tips for this outfit: occasion, pieces, season, colours (see the module docstring)."""
    name = req.get("occasion")
    whole = req.get("scope") != "items" and any(p.get("slot") in ("top", "bottom", "dress") for p in outfit)
    general = GENERAL_TIPS if whole else ()  # "check the shoulders" is about an outfit, not a watch
    lines = OCCASION_TIPS.get(name or "") or (occasion_row(name).tips if name else general)
    occasion_tips = tips_for_outfit(tuple(lines), outfit)
    tips = [_pick(tuple(occasion_tips), "occasion", outfit)] if occasion_tips else []
    tips += _piece_tips(outfit, weather)
    if "hot" in weather and len(tips) < limit and whole:
        tips.append(_pick(SEASON_TIPS["hot"], "hot", outfit))
    row = occasion_named(name)
    sober = row is not None and row.formality >= FORMAL and bool(row.avoid)  # no "add a rich colour" at a funeral
    tips += _colour_tips(outfit, sober) if len(outfit) > 1 else []
    return tips_for_outfit(tuple(dict.fromkeys(tips)), outfit)[:limit]


# -- why one product is in the outfit ------------------------------------------------------------
FIT_PHRASES = (
    "{a_described}, right for {occasion}",
    "{a_described} that {suit} {occasion}",
    "{a_described}: the register {occasion} calls for",
)
LOOSE_PHRASES = (
    "{a_described} that still {work} for {occasion}",
    "{a_described}, relaxed but fine for {occasion}",
)
NO_USAGE = frozenset({"", "unknown", "na", "none", "nan"})
PAIR_PHRASES = (
    "{colour} with the {other}: {rule}",
    "the {colour} sits well with the {other} ({rule})",
)
BUDGET_PHRASES = ("₹{price:,} keeps it within budget", "at ₹{price:,} it leaves room in the budget")
SEASON_WORDS = {"Winter": "made for winter", "Summer": "light enough for summer", "Fall": "right for the monsoon months"}


def _with_article(phrase: str, plural: bool) -> str:
    if plural:
        return phrase
    return ("an " if phrase[:1].lower() in "aeiou" else "a ") + phrase


OCCASION_PHRASES = {"everyday": "everyday wear", "casual": "a casual day", "black tie": "a black-tie evening",
                    "trek / hike": "a trek"}  # titles that read badly after "a"


def _an(title: str) -> str:
    if title in OCCASION_PHRASES:
        return OCCASION_PHRASES[title]
    if title[:1].isupper():  # a proper name ("Diwali", "Christmas"): no article
        return title
    return ("an " if title[:1].lower() in "aeiou" else "a ") + title


def reason_for(slot: dict, product: dict, picks: list[tuple[dict, dict]], req: dict, usage: str | None,
               occasion_title: str) -> str:
    """Why ``product`` fills ``slot``, from its attributes (see the module docstring); stable wording per product."""
    noun = article_noun(product["article_type"])
    plural = _plural(noun)
    style = str(product.get("usage") or "").lower()
    style = "" if style in NO_USAGE else style
    described = noun if not style or noun.lower().startswith(style) else f"{style} {noun}"
    key = str(product["id"])
    bits = []
    if not occasion_title:
        bits.append(_with_article(described, plural))
    else:
        phrases = FIT_PHRASES if usage and product.get("usage") == usage else LOOSE_PHRASES
        bits.append(phrases[int(stable_unit("fit", key) * len(phrases))].format(
            a_described=_with_article(described, plural), occasion=_an(occasion_title),
            suit="suit" if plural else "suits", work="work" if plural else "works"))
    colour = product["base_colour"]
    by_type = {p["article_type"]: p for _, p in picks}
    shoes = next((p for _, p in picks if ARTICLE_TYPE_GROUP.get(p["article_type"]) == "footwear"), None)
    if colour in slot.get("colours", []):
        bits.append(f"in the {colour.lower()} you asked for")
    elif product["article_type"] == "Belts" and shoes and (colour == shoes["base_colour"] or {colour, shoes["base_colour"]} <= BROWNS):
        bits.append(f"{colour.lower()} to match the {piece_name(shoes)}")
    else:
        others = [(s, p) for s, p in picks if p["id"] != product["id"] and s["name"] not in ACCESSORY_SLOTS]
        if others:
            _, other = others[0]
            _, rule = pair_harmony(colour, other["base_colour"])
            bits.append(PAIR_PHRASES[int(stable_unit("pair", key) * len(PAIR_PHRASES))].format(
                colour=colour.lower(), other=piece_name(other), rule=rule))
    if slot.get("name") == "layer" and "Belts" not in by_type:
        cold = req.get("season") == "Winter" or "cold" in (req.get("weather") or ())
        bits.append("a warm layer to put on or take off" if cold else "the layer that dresses it up")
    elif req.get("season") and product.get("season") == req["season"] and req["season"] in SEASON_WORDS:
        bits.append(SEASON_WORDS[req["season"]])
    if req.get("budget_max") and not req.get("per_item") and "budget" not in slot.get("relaxed", []):
        bits.append(BUDGET_PHRASES[int(stable_unit("budget", key) * len(BUDGET_PHRASES))].format(price=int(product["price"])))
    if slot.get("relaxed"):
        bits.append("nearest match (" + ", ".join(slot["relaxed"]) + " relaxed)")
    return "; ".join(bits)
