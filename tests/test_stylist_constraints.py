"""The stylist's hard constraints, on small fake catalogues: the wearer (children's products for a
child, never a child's for an adult), brands asked for and excluded, colours excluded (with close
shades), the occasion's colours to avoid and prefer, and the budget as an allocation (an in-budget
outfit whenever the candidates allow one; min and max; per item; alternatives judged swapped in).

The retriever is the real ``FashionProductRetriever`` over a fake searcher that filters a list of
products like the index would and ranks them by a fixed relevance, so each test states its
catalogue in a few lines and needs no model or index.
"""

from __future__ import annotations

import itertools
import random
import time
from math import prod
from types import SimpleNamespace

import pytest

from core.index.filters import Filters
from core.index.search import Hit
from core.stylist.compose import MAX_COMBOS, _best, _grid, _pools, compose_outfit, item_score
from core.stylist.constraints import allowed, child_product, is_brand, suits_wearer
from core.stylist.harmony import outfit_harmony
from core.stylist.facts import CatalogFacts
from core.stylist.retriever import FashionProductRetriever, retrieve_slots, slot_shares
from core.stylist.state import StylistRequest

GROUP = {"Tshirts": "topwear", "Shirts": "topwear", "Track Pants": "bottomwear", "Leggings": "bottomwear",
         "Jeans": "bottomwear", "Sports Shoes": "footwear", "Casual Shoes": "footwear", "Watches": "watches",
         "Caps": "headwear", "Dresses": "dress", "Handbags": "bags"}  # fmt: skip


def product(id_, name, article, colour="Black", price=999, gender=None, rel=0.5, usage="Casual") -> dict:
    """A catalogue row; the gender defaults to the name's second word (Men/Women/Boys/Girls/Unisex)."""
    words = name.split()
    gender = gender or next((w for w in words if w in ("Men", "Women", "Boys", "Girls", "Unisex")), "Unisex")
    return dict(id=id_, name=name, gender=gender, group=GROUP[article], article_type=article, base_colour=colour,
                price=price, usage=usage, season="Summer", rel=rel)  # fmt: skip


class FakeSearcher:
    """Filters the rows like the index (gender, type, colours, price) and ranks by ``rel``."""

    def __init__(self, rows: list[dict]):
        self.rows = rows
        self.vocabulary = SimpleNamespace(values={"baseColour": tuple(sorted({r["base_colour"] for r in rows}))})
        self.calls = 0

    def search(self, query):
        self.calls += 1
        f: Filters = query.filters
        hits = [
            Hit(**{k: v for k, v in r.items() if k != "rel"}, image="", score=r["rel"])
            for r in self.rows
            if (not f.gender or r["gender"] in f.gender) and (not f.article_type or r["article_type"] in f.article_type)
            and (not f.colours or r["base_colour"] in f.colours)
            and (f.min_price is None or r["price"] >= f.min_price) and (f.max_price is None or r["price"] <= f.max_price)
        ]  # fmt: skip
        hits.sort(key=lambda h: (-h.score, h.id))
        return SimpleNamespace(hits=hits[: query.k])


def retriever_for(rows: list[dict]) -> FashionProductRetriever:
    records = [dict(r, articleType=r["article_type"], baseColour=r["base_colour"]) for r in rows]
    return FashionProductRetriever(searcher=FakeSearcher(rows), facts=CatalogFacts.from_records(records))


def slot(name, group, types, *, requested=False, optional=False, **extra) -> dict:
    return {"name": name, "group": group, "article_types": list(types), "colours": [], "optional": optional,
            "requested": requested, **extra}  # fmt: skip


def answer(rows, plan, **request):
    """(outfit, alternatives, notices, candidates) for ``plan`` over the fake catalogue ``rows``."""
    req = StylistRequest(**request)
    candidates, notices = retrieve_slots(retriever_for(rows), plan, req, None)
    outfit, alternatives, more = compose_outfit(plan, candidates, req.plain())
    return outfit, alternatives, notices + more, candidates


def shown(outfit, alternatives) -> list[dict]:
    return [*outfit, *(p for ps in alternatives.values() for p in ps)]


# -- the wearer --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, article, gender, wearer, ok",
    [
        ("Doodle Boys Navy Tshirt", "Tshirts", "Boys", {"gender": "Boys", "child": True}, True),
        ("Palm Tree Kids Boy Solid Brown Jeans", "Jeans", "Men", {"gender": "Boys", "child": True}, True),
        ("Crocs Kids Navy Blue Clogs", "Casual Shoes", "Unisex", {"gender": "Girls", "child": True}, True),
        ("Q&Q Unisex Black Watch", "Watches", "Unisex", {"gender": "Boys", "child": True}, True),
        ("Puma Unisex Grey Casual Shoes", "Casual Shoes", "Unisex", {"gender": "Boys", "child": True}, False),
        ("Doodle Kids Girl Printed Blue Dress", "Dresses", "Women", {"gender": "Boys", "child": True}, False),
        ("Doodle Kids Girl Printed Blue Dress", "Dresses", "Women", {"gender": None, "child": True}, True),
        ("Puma Men Black Sports Shoes", "Sports Shoes", "Men", {"gender": "Boys", "child": False}, False),
        ("Doodle Kids Boy Check Green Shirt", "Shirts", "Men", {"gender": "Men", "child": False}, False),
        ("Gini and Jony Girl's Vollie Pink Kidswear", "Tshirts", "Women", {"gender": None, "child": False}, False),
        ("Nike Men's Kids Cap", "Caps", "Men", {"gender": "Men", "child": False}, True),  # an adult word wins
        ("Nike Unisex Black Cap", "Caps", "Unisex", {"gender": "Women", "child": False}, True),
        ("Nike Men Black Tshirt", "Tshirts", "Men", {"gender": "Women", "child": False}, False),
    ],
)
def test_suits_wearer(name, article, gender, wearer, ok):
    assert suits_wearer(product(1, name, article, gender=gender), wearer) is ok


def test_child_product_reads_the_name():
    assert child_product({"name": "Tantra Kid's Unisex Orange Kidswear", "gender": "Unisex"}) == "Kids"
    assert child_product({"name": "Palm Tree Kids Boys Printed Sweatshirts", "gender": "Men"}) == "Boys"
    assert child_product({"name": "Biara Women Blue Briefs", "gender": "Women"}) is None


KIDS = [
    product(1, "Doodle Boys Navy Tshirt", "Tshirts", price=399, rel=0.6),
    product(2, "Puma Men Black Tshirt", "Tshirts", price=699, rel=0.9),
    product(3, "Palm Tree Kids Boy Blue Jeans", "Jeans", "Blue", price=899, gender="Men", rel=0.7),
    product(4, "Levis Men Blue Jeans", "Jeans", "Blue", price=1999, rel=0.95),
    product(5, "Puma Unisex Grey Casual Shoes", "Casual Shoes", "Grey", price=1839, rel=0.9),
    product(6, "Adidas Unisex Black Casual Shoes", "Casual Shoes", price=1059, rel=0.8),
    product(7, "Titan Unisex Black Watch", "Watches", price=11339, rel=0.9),
    product(8, "Doodle Girls Pink Tshirt", "Tshirts", "Pink", price=349, rel=0.99),
]


def test_a_child_gets_only_childrens_products_and_goes_without_shoes():
    plan = [slot("top", "topwear", ["Tshirts"]), slot("bottom", "bottomwear", ["Jeans"]),
            slot("footwear", "footwear", ["Casual Shoes"]), slot("watch", "watches", ["Watches"], optional=True)]
    outfit, alternatives, notices, candidates = answer(KIDS, plan, gender="Boys", child=True)
    ids = {p["id"] for p in shown(outfit, alternatives)} | {p["id"] for ps in candidates.values() for p in ps}
    assert ids <= {1, 3, 7}  # the boy's tee, kids' jeans filed as Men's, a Unisex watch
    assert {p["slot"] for p in outfit} == {"top", "bottom", "watch"}
    assert any("footwear" in n and "Nothing in the catalogue" in n for n in notices)


def test_an_adult_never_gets_a_childs_product():
    plan = [slot("bottom", "bottomwear", ["Jeans"])]
    outfit, alternatives, _, _ = answer(KIDS, plan, gender="Men")
    assert [p["id"] for p in shown(outfit, alternatives)] == [4]


# -- brands ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, brands, ok",
    [("Levis Men Blue Jeans", ["Levi's"], True), ("ADIDAS Originals Men Black Tshirt", ["Adidas"], True),
     ("Puma Navy Blue Men Shoes", ["Puma"], True), ("Pumas Men Shoes", ["Puma"], False),
     ("Nike Men Black Tshirt", ["Puma", "Nike"], True), ("Lee Cooper Men Jeans", ["Levis"], False)],
)  # fmt: skip
def test_is_brand(name, brands, ok):
    assert is_brand({"name": name}, brands) is ok


PANTS = [
    product(1, "Nike Men Black Track Pants", "Track Pants", price=1499, rel=0.5),
    product(2, "Puma Men Black Track Pants", "Track Pants", price=999, rel=0.9),
    product(3, "Nike Men Navy Track Pants", "Track Pants", "Navy Blue", price=1299, rel=0.4),
    product(4, "Nike Men Black Tshirt", "Tshirts", price=799, rel=0.5),
    product(5, "Puma Men Grey Tshirt", "Tshirts", "Grey", price=699, rel=0.9),
]


def test_brands_bind_the_requested_items_and_alternatives():
    plan = [slot("bottom", "bottomwear", ["Track Pants"], requested=True), slot("top", "topwear", ["Tshirts"])]
    outfit, alternatives, notices, _ = answer(PANTS, plan, gender="Men", brands=["Nike"])
    bottoms = [p for p in shown(outfit, alternatives) if p["slot"] == "bottom"]
    assert bottoms and all(p["name"].startswith("Nike") for p in bottoms)
    assert next(p for p in outfit if p["slot"] == "top")["id"] == 5  # not requested: any brand
    assert not notices


def test_without_the_brand_the_slot_relaxes_with_a_notice():
    plan = [slot("bottom", "bottomwear", ["Track Pants"], requested=True)]
    outfit, _, notices, _ = answer(PANTS, plan, gender="Men", brands=["Adidas"])
    assert outfit[0]["id"] == 2 and "brand" in outfit[0]["relaxed"]
    assert any(n.startswith("No Adidas Track Pants for men") for n in notices)


def test_every_slot_is_branded_when_nothing_is_requested_and_excluded_brands_never_show():
    plan = [slot("top", "topwear", ["Tshirts"]), slot("bottom", "bottomwear", ["Track Pants"])]
    outfit, alternatives, _, _ = answer(PANTS, plan, gender="Men", brands=["Nike"])
    assert all(p["name"].startswith("Nike") for p in shown(outfit, alternatives))
    outfit, alternatives, _, _ = answer(PANTS, plan, gender="Men", excluded_brands=["Puma"])
    assert not any(p["name"].startswith("Puma") for p in shown(outfit, alternatives))


# -- colours -----------------------------------------------------------------------------------
TOPS = [
    product(1, "Roadster Men Red Tshirt", "Tshirts", "Red", rel=0.9),
    product(2, "Roadster Men Maroon Tshirt", "Tshirts", "Maroon", rel=0.8),
    product(3, "Roadster Men Pink Tshirt", "Tshirts", "Pink", rel=0.7),
    product(4, "Roadster Men Grey Tshirt", "Tshirts", "Grey", rel=0.6),
]


def test_excluded_colours_rule_out_close_shades():
    outfit, alternatives, _, _ = answer(TOPS, [slot("top", "topwear", ["Tshirts"])], gender="Men", excluded_colours=["Red"])
    assert {p["base_colour"] for p in shown(outfit, alternatives)} == {"Pink", "Grey"}
    # compose re-checks what it is given, whatever retrieval did
    assert not allowed(TOPS[1], {"excluded_colours": ["Red"]}, {})


def test_colours_to_avoid_are_hard_until_nothing_else_is_left():
    avoid = slot("top", "topwear", ["Tshirts"], avoid_colours=["Red", "Maroon", "Pink"])
    outfit, alternatives, notices, _ = answer(TOPS, [avoid], gender="Men")
    assert [p["id"] for p in shown(outfit, alternatives)] == [4] and not notices
    only_bright = [p for p in TOPS if p["id"] != 4]
    outfit, _, notices, _ = answer(only_bright, [dict(avoid)], gender="Men")
    assert outfit and "avoid_colour" in outfit[0]["relaxed"]
    assert any("outside the colours to avoid" in n for n in notices)


def test_preferred_colours_are_a_small_bonus():
    grey, red = TOPS[3], TOPS[0]
    assert item_score(grey, {}, None, set(), prefer=["Grey"]) - item_score(grey, {}, None, set()) == pytest.approx(0.05)
    plan = [slot("top", "topwear", ["Tshirts"], prefer_colours=["Pink"])]
    outfit, _, _, _ = answer([dict(red, rel=0.72), TOPS[2]], plan, gender="Men")
    assert outfit[0]["base_colour"] == "Pink"  # 0.70 + 0.05 beats 0.72


# -- the budget --------------------------------------------------------------------------------
def yoga() -> list[dict]:
    """Dear products are the most relevant: a greedy pick goes over any modest budget."""
    rows, n = [], 0
    for article, low in (("Tshirts", 300), ("Leggings", 400), ("Sports Shoes", 1000)):
        for step in range(12):
            n += 1
            rows.append(product(n, f"Brand{step} Women Black {article}", article, price=low + 150 * step, rel=0.4 + 0.04 * step,
                                usage="Sports"))  # fmt: skip
    return rows


YOGA_PLAN = [slot("top", "topwear", ["Tshirts"]), slot("bottom", "bottomwear", ["Leggings"], requested=True),
             slot("footwear", "footwear", ["Sports Shoes"])]  # fmt: skip


def test_an_in_budget_outfit_is_found_when_one_exists():
    outfit, alternatives, notices, _ = answer(yoga(), [dict(s) for s in YOGA_PLAN], gender="Women", budget_max=2000)
    total = sum(p["price"] for p in outfit)
    assert len(outfit) == 3 and total <= 2000 and not notices
    assert total > 1700  # the budget is spent on better pieces, not the cheapest of each
    for alt in (p for ps in alternatives.values() for p in ps):
        assert total - next(p["price"] for p in outfit if p["slot"] == alt["slot"]) + alt["price"] <= 2000


def test_only_an_impossible_budget_gets_the_nearest_with_a_notice():
    outfit, alternatives, notices, _ = answer(yoga(), [dict(s) for s in YOGA_PLAN], gender="Women", budget_max=1500)
    assert sum(p["price"] for p in outfit) == 1700 and not alternatives  # 300 + 400 + 1000
    assert any("nearest (cheapest)" in n and "₹1,700" in n for n in notices)


def test_a_minimum_total_is_kept():
    outfit, alternatives, _, _ = answer(yoga(), [dict(s) for s in YOGA_PLAN], gender="Women", budget_min=3500, budget_max=4000)
    total = sum(p["price"] for p in outfit)
    assert 3500 <= total <= 4000
    for alt in (p for ps in alternatives.values() for p in ps):
        assert 3500 <= total - next(p["price"] for p in outfit if p["slot"] == alt["slot"]) + alt["price"] <= 4000


def test_one_item_stays_within_the_range():
    plan = [slot("footwear", "footwear", ["Sports Shoes"], requested=True)]
    outfit, alternatives, _, candidates = answer(yoga(), plan, gender="Women", budget_min=2000, budget_max=2500)
    assert outfit and all(2000 <= p["price"] <= 2500 for p in [*shown(outfit, alternatives), *candidates["footwear"]])


def test_per_item_limits_bind_every_product():
    outfit, alternatives, _, _ = answer(yoga(), [dict(s) for s in YOGA_PLAN], gender="Women", budget_max=1200, per_item=True)
    assert len(outfit) == 3 and all(p["price"] <= 1200 for p in shown(outfit, alternatives))


def test_shares_follow_typical_prices():
    req = StylistRequest(budget_max=2000)
    shares = slot_shares([dict(s) for s in YOGA_PLAN], req, retriever_for(yoga()).facts)
    assert sum(high for _, high in shares.values()) <= 2000
    assert shares["footwear"][1] > shares["bottom"][1] > shares["top"][1]


# -- the search itself -------------------------------------------------------------------------
def test_the_grid_finds_what_exhaustive_search_finds():
    rng = random.Random(7)
    colours = ["Black", "White", "Red", "Blue", "Green", "Pink", "Gold", "Silver", "Multi", "Navy Blue"]
    names = ["top", "bottom", "footwear", "watch"]
    for trial in range(20):
        pools = {n: [dict(id=100 * i + j, price=rng.randrange(200, 3000, 10), base_colour=rng.choice(colours),
                          gender=rng.choice(["Men", "Unisex", "Women"]), score=rng.random())
                     for j in range(rng.randint(1, 5))] for i, n in enumerate(names)}  # fmt: skip
        scores = {p["id"]: p["score"] for ps in pools.values() for p in ps}
        req = {"budget_max": 5000 + 100 * trial, "budget_min": 1000, "style": ["bold"] if trial % 2 else []}
        plan = [{"name": n} for n in names]
        expected = None
        for combo in itertools.product(*pools.values()):
            total = sum(p["price"] for p in combo)
            if not 1000 <= total <= req["budget_max"] or len({p["gender"] for p in combo} - {"Unisex"}) > 1:
                continue
            value = sum(scores[p["id"]] for p in combo) + outfit_harmony([(n, p["base_colour"]) for n, p in zip(names, combo)],
                                                                         tuple(req["style"]))  # fmt: skip
            key = (round(value, 9), -total, tuple(-p["id"] for p in combo))
            expected = max(expected or key, key)
        found = _best(plan, pools, scores, req)
        if expected is None:
            assert found is None
        else:
            assert found[0] == pytest.approx(expected[0]) and [-p["id"] for p in found[1]] == list(expected[2])


def test_pools_stay_within_the_search_limit_and_keep_the_cheapest():
    plan = [slot(f"s{i}", "topwear", ["Tshirts"]) for i in range(6)]
    rows = [product(1000 * i + j, f"B Men Black Tshirt {j}", "Tshirts", price=100 + j, rel=j / 30) for i in range(6) for j in range(30)]
    candidates = {f"s{i}": [dict(r, score=r["rel"]) for r in rows if r["id"] // 1000 == i] for i in range(6)}
    pools = _pools(plan, candidates, {"budget_max": 5000}, lambda p, s: p["score"])
    sizes = [len(p) for p in pools.values()]
    assert 1 < min(sizes) and prod(sizes) <= MAX_COMBOS
    assert all(min(p["price"] for p in pool) == 100 for pool in pools.values())
    start = time.perf_counter()
    _grid([s["name"] for s in plan], list(pools.values()), {p["id"]: p["score"] for ps in pools.values() for p in ps}, ())
    assert time.perf_counter() - start < 1.0  # a few milliseconds; generous for slow machines


def test_the_belt_matches_the_shoes():
    def product(pid, slot_type, colour, score=0.5):
        return {"id": pid, "article_type": slot_type, "base_colour": colour, "price": 500, "gender": "Men", "score": score,
                "name": f"Brand Men {colour} {slot_type}", "group": GROUP.get(slot_type, "accessories")}

    plan = [{"name": "footwear", "group": "footwear", "article_types": ["Formal Shoes"], "colours": [], "optional": False,
             "requested": False},
            {"name": "belt", "group": "accessories", "article_types": ["Belts"], "colours": [], "optional": False,
             "requested": False}]
    candidates = {"footwear": [product(1, "Formal Shoes", "Black", 0.6)],
                  "belt": [product(2, "Belts", "Brown", 0.62), product(3, "Belts", "Black", 0.5)]}
    outfit, _, _ = compose_outfit(plan, candidates, {"gender": "Men"})
    assert {p["slot"]: p["id"] for p in outfit}["belt"] == 3  # the black belt, though the brown one scored higher
