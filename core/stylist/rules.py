"""Occasion and weather rules: what the shared occasion row and the season do to an outfit plan.

``apply_rules(slots, req, facts)`` bends the slots the planner built from an outfit shape
(``core.stylist.occasions``) to the request's occasion row (``core.understanding.occasions``) and
weather, in place, and returns the notices to show:

- suitable types: a slot the person did not name keeps the types the row calls suitable for its
  group (a kurta, not a shirt, for Diwali; trousers, not jeans, for a funeral), and never the
  types the row calls unsuitable (heels at a picnic);
- cold (winter, a ski trip, "in Manali in December"): a warm layer is added (a blazer or sweater
  when it is formal, a jacket or sweatshirt otherwise) and shorts, sandals and flip-flops go;
  heat drops the warm layers; rain adds rain wear (when stocked) and drops heels and clutches;
- "more formal" / "more casual" (``usage``): pieces the person did not name lean that way;
- black tie: a man's outfit gets a formal jacket layer when the catalogue has one;
- widening: each slot the planner chose says which types retrieval may fall back to
  (``fallback_types``) when its own find nothing, so a relaxed slot stays suitable;
- palette: at a formal or sober occasion (a funeral, an interview, black tie) the colours the row
  avoids are ruled out of every garment and shoe, the row's preferred colours are a soft bonus
  everywhere else. Colours the person asked for always win over the palette.

Trade-off: the rules are a stylist's defaults written as data; when the catalogue cannot follow
one (no rain jacket for women), the plan goes without it and the notice says so, rather than
inventing a substitute.
"""

from __future__ import annotations

from core.stylist.facts import CatalogFacts
from core.stylist.state import StylistRequest
from core.understanding.occasions import BLACK_TIE, FORMAL, Occasion, occasion_named

COLD_UNSUITABLE = frozenset({"Shorts", "Capris", "Flip Flops", "Sandals", "Sports Sandals", "Lounge Shorts", "Swimwear",
                             "Tank Tops", "Rompers"})
WARM_TYPES = frozenset({"Jackets", "Sweaters", "Sweatshirts", "Blazers", "Tracksuits", "Nehru Jackets", "Shrug", "Waistcoat",
                        "Rain Jacket", "Suits"})
WARM_LAYERS = {  # by formality: the layer a stylist reaches for first
    "formal": ("Blazers", "Sweaters", "Jackets", "Waistcoat", "Sweatshirts"),
    "ethnic": ("Nehru Jackets", "Shrug", "Sweaters", "Jackets", "Sweatshirts"),
    "casual": ("Jackets", "Sweatshirts", "Sweaters", "Tracksuits"),
}
FORMAL_LAYERS = ("Suits", "Blazers", "Nehru Jackets", "Waistcoat")
RAIN_WEAR = ("Rain Jacket", "Rain Trousers", "Umbrellas")
RAIN_UNSUITABLE = frozenset({"Heels", "Booties", "Clutches", "Flats"})
NEUTRAL_ACCESSORY_COLOURS = frozenset({"Black", "Brown", "Tan", "Coffee Brown", "Navy Blue", "Grey", "White", "Silver", "Steel"})
PALETTE_EXEMPT = frozenset({"watches", "jewellery", "eyewear"})
FORMALITY_TYPES = {  # most formal (or most relaxed) first, per group
    "Formal": ("Shirts", "Blazers", "Trousers", "Formal Shoes", "Heels", "Flats", "Belts", "Ties", "Handbags", "Clutches",
               "Kurtas", "Sarees", "Dresses", "Watches"),
    "Casual": ("Tshirts", "Tops", "Jeans", "Shorts", "Casual Shoes", "Sandals", "Flip Flops", "Backpacks", "Handbags",
               "Caps", "Dresses", "Watches"),
}


def weather_of(req: StylistRequest, row: Occasion | None) -> set[str]:
    """cold / hot / rain: what the person said, else what the occasion implies (a ski trip is cold)."""
    said = set(req.weather) | {{"Winter": "cold", "Summer": "hot"}.get(req.season or "", "")} - {""}
    if said or row is None:
        return said
    return set(row.weather) | {{"winter": "cold", "summer": "hot", "monsoon": "rain"}.get(row.season or "", "")} - {""}


def _free(slot: dict) -> bool:
    """A slot the planner chose (the person did not name its items)."""
    return not slot.get("requested")


def _keep(slot: dict, drop: frozenset[str] | set[str], refill: list[str]) -> None:
    """Drop ``drop`` from the slot's types; an emptied slot takes ``refill`` instead (if any)."""
    kept = [t for t in slot["article_types"] if t not in drop]
    slot["article_types"] = kept or [t for t in refill if t not in drop] or slot["article_types"]


def _available(types, gender: str | None, facts: CatalogFacts, excluded: set[str]) -> list[str]:
    return [t for t in types if t not in excluded and facts.available(t, gender)]


def _layer_slot(types: list[str]) -> dict:
    return {"name": "layer", "group": "topwear", "article_types": types, "colours": [], "optional": False,
            "requested": False, "fallback_types": list(types)}  # fmt: skip


def apply_rules(slots: list[dict], req: StylistRequest, facts: CatalogFacts) -> tuple[list[dict], list[str]]:
    """(slots, notices) with the occasion row's and the weather's rules applied; see the module docstring."""
    row = occasion_named(req.occasion)
    notices: list[str] = []
    gender = req.gender
    excluded = set(req.excluded_article_types)
    free = [s for s in slots if _free(s)]
    if row is not None:
        dropped = _suitable_types(free, row, gender, facts, excluded)
        slots = [s for s in slots if s not in dropped]
        free = [s for s in free if s not in dropped]
    # a follow-up keeps what was shown: weather it brings may add a piece ("it gets chilly"), never swap one
    swappable = [] if req.weather_adds_only else free
    weather = weather_of(req, row)
    if "cold" in weather:
        slots, cold_notices = _cold(slots, swappable, row, gender, facts, excluded)
        notices += cold_notices
    elif "hot" in weather:
        for slot in swappable:
            if slot["name"] != "layer":
                _keep(slot, WARM_TYPES, [])
    if "rain" in weather:
        slots, rain_notices = _rain(slots, swappable, gender, facts, excluded)
        notices += rain_notices
    if row is not None and row.formality >= BLACK_TIE and gender in ("Men", "Boys") \
            and not any(t in FORMAL_LAYERS for s in slots for t in s["article_types"]):
        layers = _available([t for t in FORMAL_LAYERS if t in row.suits or t == "Blazers"], gender, facts, excluded)
        if layers:
            slots.insert(1, _layer_slot(layers))
    if req.usage in FORMALITY_TYPES:  # "make it more formal": every piece not named leans that way (asked: beats the row)
        for slot in slots:
            if not slot.get("requested"):
                leaning = _available([t for t in FORMALITY_TYPES[req.usage] if facts.group(t) == slot["group"]],
                                     gender, facts, excluded)
                slot["article_types"] = leaning or slot["article_types"]
    if row is not None:
        _palette(slots, row, req)
    _fallbacks(slots, free, row, weather, gender, facts, excluded)
    return slots, notices


def _fallbacks(slots: list[dict], free: list[dict], row: Occasion | None, weather: set[str], gender: str | None,
               facts: CatalogFacts, excluded: set[str]) -> None:
    """``fallback_types``: what retrieval may widen a slot to when its own types find nothing; the
    occasion's suitable types of that group when it names some (sports shoes stay sports shoes),
    else the group's, never a type the occasion or the weather rules out."""
    unsuitable = set(row.unsuits) if row is not None else set()
    unsuitable |= COLD_UNSUITABLE if "cold" in weather else set()
    unsuitable |= RAIN_UNSUITABLE if "rain" in weather else set()
    layered = any(s["name"] == "layer" for s in slots)
    for slot in free:
        hot = WARM_TYPES if ("hot" in weather or layered and slot["group"] == "topwear") and slot["name"] != "layer" else set()
        suited = _available([t for t in row.suits if facts.group(t) == slot["group"]], gender, facts, excluded) if row else []
        pool = suited or [t for t in facts.types_in_group(slot["group"], gender) if t not in excluded]
        slot["fallback_types"] = list(dict.fromkeys(t for t in pool if t not in unsuitable | hot)) or list(slot["article_types"])


def _suitable_types(slots: list[dict], row: Occasion, gender: str | None, facts: CatalogFacts, excluded: set[str]) -> list[dict]:
    """Bend each slot to the row's suitable types; returns the slots the occasion has no use for (yoga: shoes)."""
    unsuitable = set(row.unsuits)
    dropped = []
    for slot in slots:
        suited = _available([t for t in row.suits if facts.group(t) == slot["group"]], gender, facts, excluded)
        both = [t for t in slot["article_types"] if t in suited]
        if both:
            slot["article_types"] = both
        elif not suited and set(slot["article_types"]) <= unsuitable:
            dropped.append(slot)
        else:
            group = [t for t in facts.types_in_group(slot["group"], gender) if t not in excluded]
            _keep(slot, unsuitable, suited or group)
    return dropped


def _cold(slots: list[dict], free: list[dict], row: Occasion | None, gender: str | None, facts: CatalogFacts,
          excluded: set[str]) -> tuple[list[dict], list[str]]:
    for slot in free:
        group = [t for t in facts.types_in_group(slot["group"], gender) if t not in excluded]
        _keep(slot, COLD_UNSUITABLE, group)
    if any(t in WARM_TYPES for s in slots for t in s["article_types"][:1]):
        return slots, []
    kind = "casual"
    if row is not None and row.usage == "Ethnic":
        kind = "ethnic"
    elif row is not None and (row.formality >= FORMAL or row.usage == "Formal"):
        kind = "formal"
    layers = _available(WARM_LAYERS[kind], gender, facts, excluded) or _available(WARM_LAYERS["casual"], gender, facts, excluded)
    if not layers:
        return slots, ["It is cold, but this catalogue has no jackets or sweaters for this request: add a warm layer of your own."]
    at = next((i + 1 for i, s in enumerate(slots) if s["group"] in ("topwear", "dress")), 0)
    for slot in free:  # under the layer, a base layer: not a second jacket
        if slot["group"] == "topwear":
            _keep(slot, WARM_TYPES, [])
    slots.insert(at, _layer_slot(layers))
    return slots, []


def _rain(slots: list[dict], free: list[dict], gender: str | None, facts: CatalogFacts,
          excluded: set[str]) -> tuple[list[dict], list[str]]:
    for slot in free:
        group = [t for t in facts.types_in_group(slot["group"], gender) if t not in excluded]
        _keep(slot, RAIN_UNSUITABLE, group)
    if any(t in RAIN_WEAR for s in slots for t in s["article_types"]):
        return slots, []
    wear = _available(RAIN_WEAR, gender, facts, excluded)
    if not wear:
        return slots, ["Rain is forecast, but this catalogue has no rain jacket or umbrella for this request."]
    slots.append({"name": "rainwear", "group": facts.group(wear[0]), "article_types": wear, "colours": [],
                  "optional": False, "requested": False, "fallback_types": list(wear)})  # fmt: skip
    return slots, []


def _palette(slots: list[dict], row: Occasion, req: StylistRequest) -> None:
    asked = {*req.colours, *(c for cs in req.item_colours.values() for c in cs)}
    strict = row.formality >= FORMAL and bool(row.avoid)
    for slot in slots:
        if slot.get("colours") or (slot["group"] in PALETTE_EXEMPT and not strict):
            continue  # a pink watch is fine at brunch, not at a funeral
        if strict:
            avoid = [c for c in row.avoid if c not in asked]
            if slot["group"] not in ("topwear", "bottomwear", "dress"):
                avoid = [c for c in avoid if c not in NEUTRAL_ACCESSORY_COLOURS]
            slot["avoid_colours"] = avoid
        if row.prefer:
            slot["prefer_colours"] = list(row.prefer)
