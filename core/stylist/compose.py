"""Candidates per slot -> one outfit (plus alternatives), by rules, not by chance, within every hard constraint.

Hard constraints per product are ``core.stylist.constraints.allowed`` (retrieval's post-filter too,
so alternatives keep them); per outfit, the budget (``_fits``): the total within [min, max], or every
product when ``per_item``; an alternative is judged swapped in.

Each product scores its retrieval similarity plus small bonuses (the occasion's usage and preferred
colours, the season, a favourite colour, a child's own product for a child); an outfit, the sum of
its products plus the colour harmony of every pair of pieces (``core.stylist.harmony``). Ties break
by lower total price, then by product id, so the same candidates always give the same outfit.
Each pick's reason is written by ``core.stylist.advice.reason_for``.

Search: every combination of the slots' pools at once, as a numpy grid (at most ``MAX_COMBOS``). A
pool is the ``TOP_PER_SLOT`` best plus, under a budget, the best within the slot's fair share and the
cheapest, so an in-budget outfit is found whenever the candidates allow one; only then is the nearest
offered, labelled as such. Trade-off: exhaustive search over short pools, not a learned model.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from math import prod

import numpy as np

from core.stylist.advice import reason_for
from core.stylist.constraints import allowed, child_product, wearer
from core.stylist.harmony import ACCESSORY_SLOTS, HUE, NEUTRALS, is_neutral, pair_harmony

DROPPABLE_SLOTS = ACCESSORY_SLOTS | {"bag"}
TOP_PER_SLOT = 6  # the best products of a slot ...
FAIR_PER_SLOT = 3  # ... plus, under a budget, the best within its fair share ...
CHEAP_PER_SLOT = 2  # ... and the cheapest
MAX_COMBOS = 60_000  # outfits scored at most (a few milliseconds)
PREFER_BONUS = 0.05  # a colour the occasion prefers
CHILD_BONUS = 0.1  # for a child, a child's product over a Unisex one
ALTERNATIVES_PER_SLOT = 2

COLOUR_WORDS = re.compile(r"\b(" + "|".join(sorted((*NEUTRALS, *HUE, "Multi"), key=len, reverse=True)) + r")\b", re.IGNORECASE)
STICKY_BONUS = 1.0  # a refinement keeps the pieces it does not change (beats any similarity or harmony gap)


def name_disagrees(product: dict) -> bool:
    """The name names colours but not the catalogue's baseColour ("Yellow Polo" filed as White)."""
    named = {m.group(1).lower() for m in COLOUR_WORDS.finditer(product.get("name", ""))}
    return bool(named) and product.get("base_colour", "").lower() not in named


def item_score(product: dict, req: dict, usage: str | None, favourites: set[str], *, colour_matters: bool = False,
               keep: frozenset[int] = frozenset(), prefer: Collection[str] = ()) -> float:
    score = float(product.get("score", 0.0))
    if product["id"] in keep:
        score += STICKY_BONUS
    if colour_matters and name_disagrees(product):
        score -= 0.3
    if usage and product.get("usage") == usage:
        score += 0.15
    if req.get("season") and product.get("season") == req["season"]:
        score += 0.05
    colour = product.get("base_colour")
    score += 0.08 * (colour in favourites) + PREFER_BONUS * (colour in prefer)
    score += CHILD_BONUS * bool(wearer(req)[0] and child_product(product))  # a child's own watch, not a Unisex one
    if {"cheap", "affordable"} & set(req.get("style", [])) and req.get("budget_max"):
        score -= 0.1 * product["price"] / req["budget_max"]
    return score


def _within(price: float, low: int | None, high: int | None) -> bool:
    return (low is None or price >= low) and (high is None or price <= high)


def _fits(products: list[dict], req: dict) -> bool:
    """Within the budget: every product's price (``per_item``) or else the total, between min and max."""
    low, high = req.get("budget_min"), req.get("budget_max")
    if req.get("per_item"):
        return all(_within(p["price"], low, high) for p in products)
    return _within(sum(p["price"] for p in products), low, high)


def _sold_to(product: dict) -> str:  # who the piece is for ("Palm Tree Kids Boy Jeans", filed as Men's: Boys)
    kid = child_product(product)
    return "" if kid == "Kids" or product.get("gender") == "Unisex" and not kid else kid or product.get("gender") or ""


def _one_gender(products) -> bool:  # no men's piece in a women's outfit: one gender besides Unisex
    return len({_sold_to(p) for p in products} - {""}) <= 1


BELT_MATCH = 0.3  # a belt the colour of the shoes, against one that is not (only between belts and shoes)
BROWNS = frozenset({"Brown", "Tan", "Coffee Brown", "Mushroom Brown"})


def leather_match(a: dict, b: dict) -> bool:
    """Belt and shoes in the same colour, or both browns; a product that is not a belt (a tie) always matches."""
    if "Belts" not in (a.get("article_type"), b.get("article_type")):
        return True
    x, y = a["base_colour"], b["base_colour"]
    return x == y or {x, y} <= BROWNS


def _grid(names: list[str], options: list[list[dict]], scores: dict[int, float], style: tuple[str, ...]):
    """Every outfit of one product per slot, as numpy arrays over the grid of choices: (score with the
    colour harmony of ``outfit_harmony``, each slot's price, one gender)."""
    n, codes = len(options), {"": 0}
    axes = lambda *slots: [len(options[i]) if i in slots else 1 for i in range(n)]  # noqa: E731
    along = lambda i, values: np.asarray(values, dtype=np.float64).reshape(axes(i))  # noqa: E731
    value = sum(along(i, [scores[p["id"]] for p in o]) for i, o in enumerate(options))
    prices = [along(i, [p["price"] for p in o]) for i, o in enumerate(options)]
    gender = [along(i, [codes.setdefault(_sold_to(p), len(codes)) for p in o]) for i, o in enumerate(options)]
    strong = [along(i, [-1 if is_neutral(p["base_colour"]) or names[i] in ACCESSORY_SLOTS
                        else codes.setdefault(p["base_colour"], len(codes)) for p in o]) for i, o in enumerate(options)]  # fmt: skip
    consistent, distinct = np.ones(axes(*range(n)), dtype=bool), 0
    harmony: dict[tuple[str, str], float] = {}
    for b in range(n):
        new_colour = strong[b] >= 0
        for a in range(b):
            weight = 0.5 if names[a] in ACCESSORY_SLOTS or names[b] in ACCESSORY_SLOTS else 1.0
            pairs = [[harmony.setdefault((p["base_colour"], q["base_colour"]), pair_harmony(p["base_colour"], q["base_colour"], style)[0])
                      for q in options[b]] for p in options[a]]  # fmt: skip
            value = value + weight * np.asarray(pairs).reshape(axes(a, b))
            if {names[a], names[b]} == {"belt", "footwear"}:  # a belt matches the shoes
                match = [[BELT_MATCH if leather_match(p, q) else -BELT_MATCH for q in options[b]] for p in options[a]]
                value = value + np.asarray(match).reshape(axes(a, b))
            consistent = consistent & ((gender[a] == 0) | (gender[b] == 0) | (gender[a] == gender[b]))
            new_colour = new_colour & (strong[a] != strong[b])
        distinct = distinct + new_colour
    return value - 0.20 * (distinct > 2), prices, consistent


def _pick(options: list[list[dict]], ok: np.ndarray, rank: np.ndarray, key) -> list[dict]:
    """Among the allowed (``ok``) outfits of the lowest ``rank``, the one ``key`` puts first."""
    rank = np.broadcast_to(np.where(ok, rank, np.inf), ok.shape)
    return min(([options[i][j] for i, j in enumerate(at)] for at in np.argwhere(rank == rank.min())), key=key)


def _best(plan: list[dict], pools: dict[str, list[dict]], scores: dict[int, float], req: dict) -> tuple[float, list[dict]] | None:
    """(score, products) of the best outfit within the budget (``_fits``), or None."""
    names, each = [s["name"] for s in plan], req.get("per_item")
    low, high = req.get("budget_min"), req.get("budget_max")
    options = [[p for p in pools[n] if not each or _within(p["price"], low, high)] for n in names]
    if not all(options):
        return None
    value, prices, ok = _grid(names, options, scores, tuple(req.get("style", [])))
    if not each:
        ok = ok & (sum(prices) >= (-np.inf if low is None else low)) & (sum(prices) <= (np.inf if high is None else high))
    if not ok.any():
        return None
    rounded = np.round(value, 9)
    picked = _pick(options, ok, -rounded, lambda c: (sum(p["price"] for p in c), [-p["id"] for p in c]))
    return float(rounded[tuple(options[i].index(p) for i, p in enumerate(picked))]), picked


def _nearest(plan: list[dict], pools: dict[str, list[dict]], scores: dict[int, float], req: dict) -> list[dict] | None:
    """The one-gender outfit nearest the budget (the cheapest when every one is dearer), or None."""
    options = [pools[s["name"]] for s in plan]
    _, prices, ok = _grid([s["name"] for s in plan], options, scores, ())
    low, high = req.get("budget_min") or 0, req.get("budget_max")
    gap = lambda t: np.maximum(t - (np.inf if high is None else high), 0) + np.maximum(low - t, 0)  # noqa: E731
    miss = sum(gap(p) for p in prices) if req.get("per_item") else gap(sum(prices))
    return _pick(options, ok, miss, lambda c: (sum(p["price"] for p in c), [p["id"] for p in c])) if ok.any() else None


def _pools(plan: list[dict], candidates: dict[str, list[dict]], req: dict, score, *, wide: bool = False) -> dict[str, list[dict]]:
    """Each slot's allowed candidates, best first: the ``TOP_PER_SLOT`` best (``wide``: all, as many as
    ``MAX_COMBOS`` allows) and, under a budget, the best within the slot's fair share and the cheapest."""
    budgeted = req.get("budget_max") is not None or req.get("budget_min") is not None
    ranked, keep = {}, {}
    for slot in plan:
        pool = [p for p in candidates.get(slot["name"], []) if allowed(p, req, slot, slot.get("relaxed", ()))]
        pool.sort(key=lambda p: (-score(p, slot), p["price"], p["id"]))
        low, high = slot.get("share") or (None, None)
        fair = [p["id"] for p in pool if _within(p["price"], low, high)][:FAIR_PER_SLOT]
        cheap = [p["id"] for p in sorted(pool, key=lambda p: (p["price"], -score(p, slot), p["id"]))][:CHEAP_PER_SLOT]
        keep[slot["name"]] = {*fair, *cheap} if budgeted else set()
        if pool:
            ranked[slot["name"]] = pool
    pick = lambda top: {n: [p for i, p in enumerate(pool) if i < top or p["id"] in keep[n]] for n, pool in ranked.items()}  # noqa: E731
    top = max(map(len, ranked.values()), default=1) if wide else TOP_PER_SLOT
    while top > 1 and prod(len(pool) for pool in pick(top).values()) > MAX_COMBOS:
        top -= 1
    return pick(top)


def compose_outfit(
    plan: list[dict], candidates: dict[str, list[dict]], req: dict, *, usage: str | None = None,
    favourites: tuple[str, ...] = (), occasion_title: str = "day out", keep_ids: tuple[int, ...] = (),
) -> tuple[list[dict], dict[str, list[dict]], list[str]]:
    """(outfit picks, alternatives per slot, notices). A pick is the product dict plus slot/reason."""
    notices, fav, scores = [], set(favourites), {}

    def score(product: dict, slot: dict) -> float:
        if product["id"] not in scores:
            scores[product["id"]] = item_score(product, req, usage, fav, colour_matters=bool(slot.get("colours")),
                                               keep=frozenset(keep_ids), prefer=slot.get("prefer_colours") or ())  # fmt: skip
        return scores[product["id"]]

    pools = _pools(plan, candidates, req, score)
    active = [s for s in plan if s["name"] in pools]

    found, dropped, over_budget = _best(active, pools, scores, req), [], False
    if found is None and active:  # none among the best: among every candidate
        pools = _pools(plan, candidates, req, score, wide=True)
        found = _best(active, pools, scores, req)
    while found is None and active:  # drop optional slots, then accessories, never the core or requested pieces
        victim = next((s for s in reversed(active) if s["optional"]), None)
        victim = victim or next((s for s in reversed(active) if s["name"] in DROPPABLE_SLOTS and not s.get("requested")), None)
        if victim is None:
            break
        active = [s for s in active if s is not victim]
        dropped.append(victim["name"])
        found = _best(active, pools, scores, req) if active else None
    if found is None and active and (nearest := _nearest(active, pools, scores, req)):
        found, over_budget = (0.0, nearest), True  # nothing fits: the nearest, labelled as such
    budget, low = req.get("budget_max"), req.get("budget_min")
    if dropped and found and not over_budget:
        why = f"does not fit a budget of ₹{budget:,}" if budget is not None else "does not come together"
        notices.append(f"A complete outfit {why}; I left out: {', '.join(dropped)}.")
    if over_budget:
        total = sum(p["price"] for p in found[1])
        words = f"₹{low:,} to ₹{budget:,}" if low and budget else f"₹{budget:,}" if budget else f"at least ₹{low:,}"
        notices.append(f"Nothing in the catalogue fits a budget of {words} for {'any piece' if req.get('per_item') else 'this outfit'}; "
                       f"the nearest{' (cheapest)' if budget and total > budget else ''} I can offer costs ₹{total:,} in total.")
    if not found:
        return [], {}, notices
    _, products = found
    pairs = list(zip(active, products))
    outfit = []
    for slot, product in pairs:
        pick = dict(product, slot=slot["name"], relaxed=list(slot.get("relaxed", [])))
        too_dear = not req.get("per_item") or not _within(product["price"], low, budget)
        if over_budget and too_dear and "budget" not in pick["relaxed"]:
            pick["relaxed"].append("budget")
        pick["reason"] = reason_for(dict(slot, relaxed=pick["relaxed"]), product, pairs, req, usage, occasion_title)
        outfit.append(pick)

    # an alternative is one that, swapped into the outfit, keeps every constraint
    alternatives: dict[str, list[dict]] = {}
    chosen, swap = {p["id"] for p in products}, lambda i, alt: products[:i] + [alt] + products[i + 1:]
    for i, (slot, _product) in enumerate(pairs):
        fitting = [a for a in pools[slot["name"]] if a["id"] not in chosen and _fits(swap(i, a), req) and _one_gender(swap(i, a))]
        if fitting:
            relaxed = list(slot.get("relaxed", []))
            alternatives[slot["name"]] = [dict(a, slot=slot["name"], reason="", relaxed=[*relaxed])
                                          for a in fitting[:ALTERNATIVES_PER_SLOT]]  # fmt: skip
    return outfit, alternatives, notices
