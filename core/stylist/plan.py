"""Request -> outfit plan: which slots to fill, from which article types, in which colours.

A plan is a list of slot dicts (plain data, checkpointable)::

    {"name": "footwear", "group": "footwear", "article_types": ["Heels", "Flats"],
     "colours": [], "optional": False, "requested": False}

It starts from the occasion's template for the gender, bends it to what the user named ("with
blue jeans" replaces the bottom slot's types and binds the colour), drops what was excluded
("without the watch"), trims or extends it to the item count, and finally checks each slot
against ``CatalogFacts``: a slot whose article types the catalogue lacks for that gender falls
back to the nearest types of the same group, with a notice; a group the catalogue lacks entirely
is dropped, with a notice. Free colours ("something in blue") go to the hero piece (the dress or
the top); colours bound to an item go to that item's slot.
"""

from __future__ import annotations

from core.data.groups import ARTICLE_TYPE_GROUP, GROUP_LABELS
from core.stylist.constraints import CHILD_ACCESSORY_GROUPS
from core.stylist.facts import CatalogFacts
from core.stylist.occasions import SLOT_OF_GROUP, SlotSpec, occasion
from core.stylist.rules import FORMAL_LAYERS, WARM_TYPES, apply_rules
from core.understanding.items import NEAREST_TYPES
from core.understanding.occasions import BLACK_TIE, occasion_named
from core.stylist.state import StylistRequest

HERO_SLOTS = ("dress", "top")
EXTRA_SLOTS = (  # added, in this order, when the user wants more pieces than the template has
    SlotSpec("watch", "watches", ("Watches",), True),
    SlotSpec("eyewear", "eyewear", ("Sunglasses",), True),
    SlotSpec("belt", "accessories", ("Belts",), True),
    SlotSpec("headwear", "headwear", ("Caps", "Hat"), True),
)
MAX_SLOTS = 6
COLOUR_EXEMPT = ("watches", "jewellery", "eyewear")


def _slot(spec: SlotSpec, **changes) -> dict:
    slot = {
        "name": spec.name, "group": spec.group, "article_types": list(spec.types), "colours": [],
        "optional": spec.optional, "requested": False,
    }  # fmt: skip
    slot.update(changes)
    return slot


def _group_of(article: str, facts: CatalogFacts) -> str:
    return ARTICLE_TYPE_GROUP.get(article) or facts.group(article)


def _label(slot: dict) -> str:
    types = slot["article_types"]
    return types[0] if len(types) == 1 else GROUP_LABELS.get(slot["group"], slot["group"]).lower()


def _asked_items(req: StylistRequest, asked: dict[str, list[str]], facts: CatalogFacts) -> list[tuple[str, list[str]]]:
    """(group, types) per item asked for: "a handbag and a wallet" is two items even in one group."""
    if not req.asked_items:
        return list(asked.items())
    out = []
    for types in req.asked_items:
        group = types[0] if len(types) == 1 and types[0] not in facts.type_group and types[0] in asked else _group_of(types[0], facts)
        kept = [t for t in types if t in req.article_types]
        out.append((group, kept))
    covered = {g for g, _ in out}
    out += [(g, t) for g, t in asked.items() if g not in covered]
    return out


def plan_outfit(req: StylistRequest, facts: CatalogFacts) -> tuple[list[dict], list[str]]:
    """(slots, notices) for ``req``; an empty plan means nothing could be offered (notices say why)."""
    notices: list[str] = []
    occ = occasion(req.occasion)
    gender = req.gender
    if gender is None and req.scope == "outfit":
        notices.append('Tell me who the outfit is for (e.g. "for women") and I will tailor it; for now, one consistent look.')

    asked: dict[str, list[str]] = {}  # group -> article types named by the user
    for article in req.article_types:
        asked.setdefault(_group_of(article, facts), []).append(article)
    for group in req.groups:
        asked.setdefault(group, [])

    if req.scope == "items" and asked:
        slots = []
        for group, types in _asked_items(req, asked, facts):
            name = SLOT_OF_GROUP.get(group, group)
            if any(s["name"] == name for s in slots):
                name = f"{name}-{len(slots) + 1}"
            slots.append(_slot(SlotSpec(name, group, tuple(types or facts.types_in_group(group, gender)), False), requested=True))
    else:
        slots = [_slot(spec) for spec in occ.template(gender)]
        groups = {s["group"] for s in slots}
        if ("topwear" in asked or "bottomwear" in asked) and "dress" in groups and "dress" not in asked:
            # a dress template, but the user named a top or a bottom: swap the dress for separates
            casual = occasion("casual").template(gender)
            at = next(i for i, s in enumerate(slots) if s["group"] == "dress")
            slots[at:at + 1] = [_slot(spec) for spec in casual if spec.group in ("topwear", "bottomwear")]
        elif "dress" in asked and "dress" not in groups:
            slots = [s for s in slots if s["group"] not in ("topwear", "bottomwear")]
            slots.insert(0, _slot(SlotSpec("dress", "dress", ("Dresses",), False)))
        for group, types in asked.items():
            target = next((s for s in slots if s["group"] == group), None)
            if group == "topwear" and types and set(types) <= WARM_TYPES and target is not None and not target["requested"] \
                    and not set(target["article_types"]) <= WARM_TYPES:
                at = slots.index(target) + 1  # "with a jacket": a layer over the top, not instead of it
                slots.insert(at, _slot(SlotSpec("layer", "topwear", tuple(types), False)))
                target = slots[at]
            if target is None:
                spec = SlotSpec(SLOT_OF_GROUP.get(group, group), group, tuple(types or facts.types_in_group(group, gender)), False)
                slots.append(_slot(spec))
                target = slots[-1]
            if types:
                target["article_types"] = list(types)
            target["optional"] = False
            target["requested"] = True

    # exclusions: "without the watch", "no heels"
    kept = []
    for slot in slots:
        if slot["group"] in req.excluded_groups:
            notices.append(f"Left out the {_label(slot)} as you asked.")
            continue
        types = [t for t in slot["article_types"] if t not in req.excluded_article_types]
        if not types:
            if slot["requested"] or set(slot["article_types"]) <= set(req.excluded_article_types) and slot["optional"]:
                notices.append(f"Left out the {_label(slot)} as you asked.")
                continue
            types = [t for t in facts.types_in_group(slot["group"], gender) if t not in req.excluded_article_types]
            if not types:
                notices.append(f"Left out the {_label(slot)} as you asked.")
                continue
        slot["article_types"] = types
        kept.append(slot)
    slots = kept

    # item count
    if req.items:
        if len(slots) > req.items:
            order = sorted(range(len(slots)), key=lambda i: (slots[i]["optional"], not slots[i]["requested"], i))
            keep = sorted(order[: req.items])
            slots = [slots[i] for i in keep]
        for spec in EXTRA_SLOTS:
            if len(slots) >= min(req.items, MAX_SLOTS):
                break
            if spec.group not in {s["group"] for s in slots} and spec.group not in req.excluded_groups:
                slots.append(_slot(spec, optional=False))

    # the occasion's and the weather's rules (suitable types, warm layer, rain wear, palette)
    slots, rule_notices = apply_rules(slots, req, facts)
    notices += rule_notices

    def stocked(article: str, group: str) -> bool:
        """In stock for this wearer: a child's garments and shoes must be children's (a Unisex one is an adult's)."""
        if req.child and gender in ("Boys", "Girls") and group not in CHILD_ACCESSORY_GROUPS:
            return facts.counts.get((gender, article), 0) > 0
        return facts.available(article, gender)

    row = occasion_named(req.occasion)
    unsuitable = set(row.unsuits) if row is not None else set()
    layers = FORMAL_LAYERS if row is not None and row.formality >= BLACK_TIE else WARM_TYPES

    # what the catalogue can fill
    available = []
    for slot in slots:
        slot["wanted_types"] = list(slot["article_types"])
        have = [t for t in slot["article_types"] if stocked(t, slot["group"])]
        if not have:
            named = [t for a in slot["article_types"] for t in NEAREST_TYPES.get(a, ())]  # the nearest kind first
            nearest = [t for t in dict.fromkeys([*named, *facts.types_in_group(slot["group"], gender)])
                       if t not in req.excluded_article_types and t not in unsuitable and stocked(t, facts.group(t))
                       and (slot["name"] != "layer" or t in layers)]  # a layer stays a layer (black tie: a formal one)
            who = f" for {gender}" if gender else ""
            wanted = " or ".join(slot["article_types"][:3])
            if not nearest:
                what = GROUP_LABELS.get(slot["group"], slot["group"]).lower()
                notices.append(f"This catalogue has no {wanted}{who} (no {what} at all), so the outfit goes without.")
                continue
            notices.append(f"This catalogue has no {wanted}{who}; the nearest I can offer: {', '.join(nearest[:3])}.")
            slot["relaxed"] = ["article_type"]
            have = nearest[:3]
        elif slot["article_types"][0] not in have:
            who = f" for {gender}" if gender else ""
            notices.append(
                f"This catalogue has no {slot['article_types'][0]}{who}; "
                f"the nearest for the {slot['name']}: {', '.join(have[:2])}."
            )
        slot["article_types"] = have
        if slot["requested"] and not slot.get("fallback_types"):  # widen to what is nearest to the thing asked for
            nearest = [t for a in slot["wanted_types"] for t in NEAREST_TYPES.get(a, ())
                       if facts.available(t, gender) and t not in req.excluded_article_types
                       and (slot["name"] != "layer" or t in layers)]
            if nearest or slot["name"] == "layer":
                slot["fallback_types"] = list(dict.fromkeys([*have, *nearest]))
        available.append(slot)
    slots = available

    # a tight budget: keep to the essentials (an optional piece would only be dropped later)
    if req.budget_max is not None and not req.per_item:
        def typical(slot: dict) -> int:
            prices = [facts.low_price[t] for t in slot["article_types"] if t in facts.low_price]
            return min(prices) if prices else 0

        left_out = []
        while sum(typical(s) for s in slots) > req.budget_max and any(s["optional"] for s in slots):
            victim = next(s for s in reversed(slots) if s["optional"])
            slots = [s for s in slots if s is not victim]
            left_out.append(victim["name"])
        if left_out:
            notices.append(f"With ₹{req.budget_max:,} I kept to the essentials and left out: {', '.join(left_out)}.")

    # colours
    for slot in slots:
        bound = [c for t in [*slot["wanted_types"], slot["group"]] for c in req.item_colours.get(t, [])]
        slot["colours"] = list(dict.fromkeys(bound))
    if req.colours:
        if req.scope == "items":
            targets = [s for s in slots if not s["colours"]]
        elif req.colours_only:  # "all black": every garment, shoe and bag; watches and jewellery exempt
            targets = [s for s in slots if not s["colours"] and s["group"] not in COLOUR_EXEMPT]
        else:  # the hero piece takes the colour; when the catalogue has none in it, the next piece that can
            heroes = [s for s in slots if s["name"] in HERO_SLOTS and not s["colours"]]
            order = heroes + [s for s in slots if not s["colours"] and s not in heroes and s["group"] not in COLOUR_EXEMPT]
            stocked_in = [s for s in order if facts.has_colour(s["article_types"], gender, req.colours)]
            targets = stocked_in[:1] or heroes[:1] or [s for s in slots if not s["colours"]][:1]
        for slot in targets:
            slot["colours"] = list(req.colours)
    return slots, notices
