"""Candidates per slot -> one outfit (plus alternatives), by rules, not by chance.

Each product scores its retrieval similarity plus small bonuses (the occasion's usage, the
season, a favourite colour). An outfit scores the sum of its products plus the colour harmony of
every pair of pieces, and the best outfit that respects the hard constraints wins: the budget
(whole outfit, or per item), the gender, the excluded colours and the excluded products, all
already enforced by retrieval's filters and re-checked here. Ties break by lower total price,
then by product id, so the same candidates always give the same outfit.

Colour harmony rules (pair score, applied to every pair of pieces; accessories count half):

1. A neutral (black, white, grey, navy, beige, brown, tan, cream, ...) goes with anything: +0.10.
2. Two neutrals are safe: +0.05.
3. Metals do not mix: gold/bronze/copper with silver/steel: -0.10.
4. Two pieces in the same non-neutral colour: 0 (monochrome is a choice; +0.08 if "monochrome").
5. Analogous colours (hues within 60 degrees on the colour wheel, e.g. blue and teal): +0.06.
6. Complementary colours (150-210 degrees apart, e.g. blue and orange): +0.02, +0.08 if "bold".
7. Any other pair of strong colours clashes: -0.15.
8. "Multi" (print) pieces only pair cleanly with neutrals: -0.10 with any other colour.
9. Whole outfit: more than two distinct strong colours: -0.20 (one statement, one accent).

Trade-off: exhaustive search over the top ``TOP_PER_SLOT`` candidates per slot (at most 6^5 =
7,776 outfits, a few milliseconds) instead of a learned compatibility model.
"""

from __future__ import annotations

import itertools
import re

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
DROPPABLE_SLOTS = ACCESSORY_SLOTS | {"bag"}
TOP_PER_SLOT = 6
ALTERNATIVES_PER_SLOT = 2


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


COLOUR_WORDS = re.compile(r"\b(" + "|".join(sorted((*NEUTRALS, *HUE, "Multi"), key=len, reverse=True)) + r")\b", re.IGNORECASE)
STICKY_BONUS = 0.2  # a refinement keeps the pieces it does not change


def name_disagrees(product: dict) -> bool:
    """The name names colours but not the catalogue's baseColour ("Yellow Polo" filed as White)."""
    named = {m.group(1).lower() for m in COLOUR_WORDS.finditer(product.get("name", ""))}
    return bool(named) and product.get("base_colour", "").lower() not in named


def item_score(product: dict, req: dict, usage: str | None, favourites: set[str], *,
               colour_matters: bool = False, keep: frozenset[int] = frozenset()) -> float:
    score = float(product.get("score", 0.0))
    if product["id"] in keep:
        score += STICKY_BONUS
    if colour_matters and name_disagrees(product):
        score -= 0.3
    if usage and product.get("usage") == usage:
        score += 0.15
    if req.get("season") and product.get("season") == req["season"]:
        score += 0.05
    if product.get("base_colour") in favourites:
        score += 0.08
    if {"cheap", "affordable"} & set(req.get("style", [])) and req.get("budget_max"):
        score -= 0.1 * product["price"] / req["budget_max"]
    return score


def _fits(products: list[dict], req: dict) -> bool:
    budget = req.get("budget_max")
    if budget is None:
        return True
    if req.get("per_item"):
        return all(p["price"] <= budget for p in products)
    return sum(p["price"] for p in products) <= budget


def _one_gender(products) -> bool:
    """No men's piece in a women's outfit: at most one gender besides Unisex."""
    return len({p.get("gender") for p in products} - {"Unisex", ""}) <= 1


def _best(plan: list[dict], pools: dict[str, list[dict]], scores: dict[int, float], req: dict,
          *, budget: bool = True) -> tuple[float, list[dict]] | None:
    names = [s["name"] for s in plan]
    style = tuple(req.get("style", []))
    best_key, best = None, None
    for combo in itertools.product(*(pools[n] for n in names)):
        if (budget and not _fits(list(combo), req)) or not _one_gender(combo):
            continue
        total = sum(p["price"] for p in combo)
        value = sum(scores[p["id"]] for p in combo) + outfit_harmony(
            [(n, p["base_colour"]) for n, p in zip(names, combo)], style
        )
        key = (round(value, 9), -total, tuple(-p["id"] for p in combo))
        if best_key is None or key > best_key:
            best_key, best = key, list(combo)
    return (best_key[0], best) if best is not None else None


def _reason(slot: dict, product: dict, picks: list[tuple[dict, dict]], req: dict, usage: str | None, occasion_title: str) -> str:
    bits = []
    kind = product["article_type"].lower()
    style = (product.get("usage") or "").lower()
    described = kind if not style or kind.startswith(style) else f"{style} {kind}"
    a = "an" if occasion_title[:1] in "aeiou" else "a"
    if not occasion_title:
        bits.append(described)
    elif usage and product.get("usage") == usage:
        bits.append(f"{described}, right for {a} {occasion_title}")
    else:
        bits.append(f"{described} that also works for {a} {occasion_title}")
    colour = product["base_colour"]
    if colour in slot.get("colours", []):
        bits.append(f"in the {colour.lower()} you asked for")
    else:
        others = [(s, p) for s, p in picks if p["id"] != product["id"] and s["name"] not in ACCESSORY_SLOTS]
        if others:
            other_slot, other = others[0]
            _, rule = pair_harmony(colour, other["base_colour"])
            bits.append(f"{colour.lower()} with the {other['base_colour'].lower()} {other_slot['name']}: {rule}")
    if req.get("budget_max") and not req.get("per_item") and "budget" not in slot.get("relaxed", []):
        bits.append(f"₹{product['price']:,} keeps it within budget")
    if "relaxed" in slot and slot["relaxed"]:
        bits.append("nearest match (" + ", ".join(slot["relaxed"]) + " relaxed)")
    return "; ".join(bits)


def compose_outfit(
    plan: list[dict], candidates: dict[str, list[dict]], req: dict, *, usage: str | None = None,
    favourites: tuple[str, ...] = (), occasion_title: str = "day out", keep_ids: tuple[int, ...] = (),
) -> tuple[list[dict], dict[str, list[dict]], list[str]]:
    """(outfit picks, alternatives per slot, notices). A pick is the product dict plus slot/reason."""
    notices: list[str] = []
    fav = set(favourites)
    scores: dict[int, float] = {}
    pools: dict[str, list[dict]] = {}
    excluded = set(req.get("excluded_colours", []))
    for slot in plan:
        pool = [p for p in candidates.get(slot["name"], []) if p["base_colour"] not in excluded]
        matters = bool(slot.get("colours"))
        for p in pool:
            scores[p["id"]] = item_score(p, req, usage, fav, colour_matters=matters, keep=frozenset(keep_ids))
        pool.sort(key=lambda p: (-scores[p["id"]], p["price"], p["id"]))
        if pool:
            pools[slot["name"]] = pool[:TOP_PER_SLOT]
    active = [s for s in plan if s["name"] in pools]

    # over budget: drop optional slots, then accessories, never the core pieces
    found = _best(active, pools, scores, req)
    dropped: list[str] = []
    over_budget = False
    while found is None and active:
        victim = next((s for s in reversed(active) if s["optional"]), None)
        victim = victim or next((s for s in reversed(active) if s["name"] in DROPPABLE_SLOTS), None)
        if victim is None:
            break
        active = [s for s in active if s is not victim]
        dropped.append(victim["name"])
        found = _best(active, pools, scores, req) if active else None
    if found is None and active:
        # nothing fits: the nearest offer is the cheapest consistent outfit, labelled as such
        cheap = {n: sorted(pool, key=lambda p: (p["price"], -scores[p["id"]]))[:TOP_PER_SLOT] for n, pool in pools.items()}
        combos = [list(c) for c in itertools.product(*(cheap[s["name"]] for s in active)) if _one_gender(c)]
        if combos:
            found = (0.0, min(combos, key=lambda c: (sum(p["price"] for p in c), [p["id"] for p in c])))
            over_budget = True
    budget = req.get("budget_max")
    if dropped and found and not over_budget:
        notices.append(f"A complete outfit does not fit a budget of ₹{budget:,}; I left out: {', '.join(dropped)}.")
    if over_budget:
        total = sum(p["price"] for p in found[1])
        what = "any piece" if req.get("per_item") else "this outfit"
        notices.append(
            f"Nothing in the catalogue fits a budget of ₹{budget:,} for {what}; "
            f"the nearest (cheapest) I can offer costs ₹{total:,} in total."
        )
    if not found:
        return [], {}, notices
    _, products = found
    pairs = list(zip(active, products))
    outfit = []
    for slot, product in pairs:
        pick = dict(product)
        pick["slot"] = slot["name"]
        pick["relaxed"] = list(slot.get("relaxed", []))
        too_dear = not req.get("per_item") or product["price"] > (req.get("budget_max") or 0)
        if over_budget and too_dear and "budget" not in pick["relaxed"]:
            pick["relaxed"].append("budget")
        pick["reason"] = _reason(dict(slot, relaxed=pick["relaxed"]), product, pairs, req, usage, occasion_title)
        outfit.append(pick)

    alternatives: dict[str, list[dict]] = {}
    chosen = {p["id"] for p in products}
    for i, (slot, _product) in enumerate(pairs):
        others = []
        for alt in pools[slot["name"]]:
            if alt["id"] in chosen:
                continue
            swapped = products[:i] + [alt] + products[i + 1:]
            if _fits(swapped, req):
                others.append(dict(alt, slot=slot["name"], reason="", relaxed=list(slot.get("relaxed", []))))
            if len(others) >= ALTERNATIVES_PER_SLOT:
                break
        if others:
            alternatives[slot["name"]] = others
    return outfit, alternatives, notices
