"""Follow-up turns: is a message a refinement, and what it changes in the previous request.

``merge_refinement`` applies "make it cheaper", "in blue instead", "without the watch" to the
previous turn's request (the parser's ``signals`` say which cue a message carried);
``apply_preferences`` fills gaps from the user's saved preferences; ``missing_colours`` swaps a
colour this catalogue lacks for its nearest one. Each returns the request and the notices the
answer shows, so every change the stylist makes on the user's behalf is said out loud.
"""

from __future__ import annotations

from core.data.groups import ARTICLE_TYPE_GROUP
from core.stylist.facts import CatalogFacts
from core.stylist.parse import canonical_value
from core.stylist.state import StylistRequest
from core.understanding.colours import NEAREST_COLOUR

CHEAPER_FACTOR = 0.85  # "make it cheaper": a budget 15% under the last outfit's total


def is_refinement(signals: dict, new: StylistRequest, previous: dict | None) -> bool:
    """A follow-up to the previous outfit rather than a new request."""
    if not previous:
        return False
    if new.occasion and new.occasion != previous.get("occasion"):
        return False
    if signals.get("cue") or signals.get("cheaper") or signals.get("different"):
        return True
    return not signals.get("asks_items") and not signals.get("outfit")


def merge_refinement(
    previous: dict, new: StylistRequest, signals: dict, previous_outfit: list[dict]
) -> tuple[StylistRequest, list[str]]:
    """``previous`` with what ``new`` changes; "cheaper" goes 15% under the last outfit's total."""
    notices: list[str] = []
    merged = StylistRequest(**previous)
    merged.refinement = True
    merged.query = new.query
    if new.gender or new.child:
        merged.gender, merged.child, merged.age = new.gender, new.child, new.age
    merged.out_of_catalogue = list(new.out_of_catalogue)
    merged.unknown = list(new.unknown)
    merged.question = None
    if new.colours and not (len(new.article_types) + len(new.groups) == 1):
        merged.colours_only = new.colours_only
    if new.occasion:
        merged.occasion = new.occasion
    named = [*new.article_types, *new.groups]
    if new.colours and len(named) == 1:  # "just the shoes, in white": the colour is the shoes'
        merged.item_colours[named[0]] = list(new.colours)
    elif new.colours:
        merged.colours = list(new.colours)  # "in blue instead": replaces, does not add
        merged.item_colours = {}
    for article, cols in new.item_colours.items():
        merged.item_colours[article] = list(cols)
    merged.excluded_colours = [
        c for c in dict.fromkeys([*merged.excluded_colours, *new.excluded_colours]) if c not in new.colours
    ]
    merged.colours = [c for c in merged.colours if c not in new.excluded_colours]
    for article in new.article_types:  # "sneakers instead": replaces the types of that group
        group = ARTICLE_TYPE_GROUP.get(article)
        merged.article_types = [t for t in merged.article_types if ARTICLE_TYPE_GROUP.get(t) != group]
        merged.article_types.append(article)
    merged.groups = list(dict.fromkeys([*merged.groups, *new.groups]))
    merged.excluded_article_types = list(dict.fromkeys([*merged.excluded_article_types, *new.excluded_article_types]))
    merged.excluded_groups = list(dict.fromkeys([*merged.excluded_groups, *new.excluded_groups]))
    merged.article_types = [t for t in merged.article_types if t not in merged.excluded_article_types]
    merged.groups = [g for g in merged.groups if g not in merged.excluded_groups]
    # asking again for something excluded earlier brings it back
    merged.excluded_article_types = [t for t in merged.excluded_article_types if t not in new.article_types]
    merged.excluded_groups = [g for g in merged.excluded_groups if g not in new.groups]
    if new.budget_max is not None or new.budget_min is not None:
        merged.budget_max, merged.budget_min = new.budget_max, new.budget_min
    elif signals.get("cheaper"):
        total = sum(int(p.get("price", 0)) for p in previous_outfit)
        base = total or merged.budget_max
        if base:
            merged.budget_max = max(1, int(base * CHEAPER_FACTOR))
            merged.style = list(dict.fromkeys([*merged.style, "affordable"]))
            notices.append(f"Cheaper: I looked for a total under ₹{merged.budget_max:,} (was ₹{base:,}).")
    if new.per_item:
        merged.per_item = True
    weather_changed = False
    if new.season or new.weather:
        merged.season, merged.weather = new.season or merged.season, list(new.weather) or merged.weather
        weather_changed = True
    if new.items:
        merged.items = new.items
    merged.style = list(dict.fromkeys([*merged.style, *new.style]))
    merged.changed = [*new.article_types, *new.groups, *new.item_colours, *new.excluded_article_types, *new.excluded_groups]
    if weather_changed:
        merged.weather_adds_only = True  # "it gets chilly in the evenings": a jacket on top, the rest stays
    if new.colours and len(named) != 1:
        merged.changed.append("hero")  # "in blue instead": the main piece takes the colour
    if signals.get("formality") or new.gender or new.child or signals.get("different"):
        merged.changed.append("all")
    if signals.get("formality"):  # "more formal": formal pieces and the formal usage first; "more casual": the reverse
        merged.usage = "Formal" if signals["formality"] > 0 else "Casual"
        notices.append("Dressed it up: formal pieces first." if signals["formality"] > 0 else "Dressed it down: relaxed pieces first.")
    if signals.get("different"):
        merged.excluded_ids = list(dict.fromkeys([*merged.excluded_ids, *(int(p["id"]) for p in previous_outfit)]))
    return merged, notices


def apply_preferences(req: StylistRequest, preferences: dict | None, explicit_colours: set[str]) -> tuple[StylistRequest, list[str]]:
    """Saved preferences fill the gaps: gender, budget, avoided colours (unless asked for now)."""
    notices: list[str] = []
    prefs = preferences or {}
    if not req.gender and prefs.get("gender"):
        req.gender = canonical_value(prefs["gender"], ("Men", "Women", "Boys", "Girls", "Unisex"), {}) or req.gender
    if req.budget_max is None and prefs.get("budget"):
        try:
            req.budget_max = int(prefs["budget"])
        except (TypeError, ValueError):
            pass
    avoided = [c for c in (prefs.get("avoided_colours") or []) if c not in explicit_colours]
    if avoided:
        req.excluded_colours = list(dict.fromkeys([*req.excluded_colours, *avoided]))
    return req, notices


def missing_colours(req: StylistRequest, facts: CatalogFacts) -> tuple[StylistRequest, list[str]]:
    """Colours this catalogue lacks are swapped for the nearest one it has, with a notice."""
    notices: list[str] = []
    have = set(facts.colours)

    def fix(values: list[str], wanted: bool) -> list[str]:
        out = []
        for colour in values:
            if colour in have or not have:
                out.append(colour)
                continue
            nearest = next((c for c in NEAREST_COLOUR.get(colour, ()) if c in have), None)
            if wanted and nearest:
                notices.append(f"No {colour} products in this catalogue; using the nearest colour, {nearest}.")
                out.append(nearest)
            elif wanted:
                notices.append(f"No {colour} products in this catalogue, so I could not follow that colour.")
        return list(dict.fromkeys(out))

    req.colours = fix(req.colours, True)
    req.item_colours = {k: v for k, v in ((k, fix(v, True)) for k, v in req.item_colours.items()) if v}
    req.excluded_colours = [c for c in req.excluded_colours if c in have or not have]
    return req, notices
