"""The occasion and weather rules bend a plan (core.stylist.rules, via core.stylist.plan.plan_outfit)."""

from __future__ import annotations

import pytest

from core.stylist.facts import CatalogFacts
from core.stylist.plan import plan_outfit
from core.stylist.state import StylistRequest

STOCK = {  # (gender, article type): price
    "Men": ["Shirts", "Tshirts", "Kurtas", "Nehru Jackets", "Jeans", "Trousers", "Shorts", "Churidar", "Track Pants",
            "Formal Shoes", "Casual Shoes", "Sports Shoes", "Sandals", "Flip Flops", "Belts", "Ties", "Watches",
            "Jackets", "Sweaters", "Sweatshirts", "Blazers", "Rain Jacket", "Caps", "Sunglasses", "Backpacks", "Wallets"],
    "Women": ["Tops", "Dresses", "Sarees", "Kurtas", "Jeans", "Skirts", "Leggings", "Heels", "Flats", "Sandals",
              "Sports Shoes", "Handbags", "Clutches", "Earrings", "Jackets", "Sweaters", "Wallets"],
}


@pytest.fixture(scope="module")
def facts() -> CatalogFacts:
    rows = [{"gender": g, "articleType": t, "baseColour": "Black", "price": 999, "name": f"Brand {g} {t}"}
            for g, types in STOCK.items() for t in types]
    return CatalogFacts.from_records(rows)


def plan(facts, **fields):
    slots, notices = plan_outfit(StylistRequest(**fields), facts)
    return {s["name"]: s for s in slots}, notices


def all_types(slots) -> set[str]:
    return {t for s in slots.values() for t in s["article_types"]}


def test_an_ethnic_occasion_gets_ethnic_pieces(facts):
    slots, _ = plan(facts, occasion="diwali", gender="Men")
    assert set(slots["top"]["article_types"]) <= {"Kurtas", "Nehru Jackets"}
    assert "Shirts" not in slots["top"]["fallback_types"] and "Tshirts" not in slots["top"]["fallback_types"]


def test_winter_adds_a_warm_layer_and_drops_shorts_and_sandals(facts):
    slots, _ = plan(facts, occasion="trek", gender="Men", season="Winter")
    assert slots["layer"]["article_types"][0] in {"Jackets", "Sweatshirts", "Sweaters"}
    assert not all_types(slots) & {"Shorts", "Sandals", "Flip Flops"}
    assert not {t for s in slots.values() for t in s.get("fallback_types", [])} & {"Shorts", "Sandals", "Flip Flops"}


def test_a_formal_winter_layer_is_a_blazer_or_sweater(facts):
    slots, _ = plan(facts, occasion="office", gender="Men", weather=["cold"])
    assert slots["layer"]["article_types"][0] in {"Blazers", "Sweaters"}


def test_an_occasion_that_implies_cold_gets_a_layer_without_being_told(facts):
    slots, _ = plan(facts, occasion="ski", gender="Women")
    assert any(s["article_types"][0] in {"Jackets", "Sweaters", "Sweatshirts"} for s in slots.values())
    assert not all_types(slots) & {"Sandals", "Flip Flops", "Heels"}


def test_rain_adds_rain_wear_when_stocked_and_says_so_when_not(facts):
    slots, notices = plan(facts, occasion="office", gender="Men", weather=["rain"])
    assert slots["rainwear"]["article_types"] == ["Rain Jacket"] and not notices
    slots, notices = plan(facts, occasion="office", gender="Women", weather=["rain"])
    assert "rainwear" not in slots and any("no rain jacket" in n for n in notices)
    assert "Heels" not in slots["footwear"]["article_types"]


def test_heat_drops_warm_layers(facts):
    slots, _ = plan(facts, occasion="beach", gender="Men")
    assert not all_types(slots) & {"Jackets", "Sweaters", "Sweatshirts", "Blazers"}


def test_a_funeral_rules_out_strong_colours_but_not_black_shoes(facts):
    slots, _ = plan(facts, occasion="funeral", gender="Men")
    assert {"Red", "Blue", "Purple"} <= set(slots["top"]["avoid_colours"])
    assert "Black" not in slots["footwear"]["avoid_colours"]
    assert set(slots["bottom"]["article_types"]) == {"Trousers"}


def test_colours_the_person_asked_for_beat_the_palette(facts):
    slots, _ = plan(facts, occasion="funeral", gender="Men", colours=["Blue"])
    assert "Blue" not in slots["top"].get("avoid_colours", [])


def test_black_tie_gives_a_man_a_formal_jacket(facts):
    slots, _ = plan(facts, occasion="black-tie", gender="Men")
    assert slots["layer"]["article_types"] == ["Blazers"]
    assert slots["footwear"]["article_types"] == ["Formal Shoes"]


def test_a_jacket_asked_for_is_a_layer_over_the_top(facts):
    slots, _ = plan(facts, occasion="everyday", gender="Men", article_types=["Jackets"], season="Winter")
    assert slots["layer"]["article_types"] == ["Jackets"] and slots["layer"]["requested"]
    assert "Jackets" not in slots["top"]["article_types"]


def test_a_refinement_adds_a_layer_but_swaps_nothing(facts):
    before, _ = plan(facts, occasion="beach", gender="Men")
    after, _ = plan(facts, occasion="beach", gender="Men", season="Winter", refinement=True, weather_adds_only=True)
    assert "layer" in after
    assert after["bottom"]["article_types"] == before["bottom"]["article_types"]


def test_two_items_of_one_group_are_two_slots(facts):
    slots, _ = plan(facts, gender="Women", article_types=["Handbags", "Wallets"], asked_items=[["Handbags"], ["Wallets"]],
                    scope="items")
    assert sorted(t for s in slots.values() for t in s["article_types"]) == ["Handbags", "Wallets"]
    assert len(slots) == 2


def test_a_colour_bound_to_a_group_goes_to_that_slot(facts):
    slots, _ = plan(facts, occasion="dinner", gender="Men", groups=["footwear"], item_colours={"footwear": ["White"]})
    assert slots["footwear"]["colours"] == ["White"] and slots["top"]["colours"] == []


def test_a_slot_the_occasion_has_no_use_for_goes(facts):
    slots, _ = plan(facts, occasion="yoga", gender="Women")
    assert "footwear" not in slots and {"top", "bottom"} <= set(slots)  # yoga is barefoot


def test_more_formal_leans_every_unnamed_piece_formal(facts):
    slots, _ = plan(facts, occasion="everyday", gender="Men", usage="Formal", refinement=True)
    assert slots["top"]["article_types"][0] == "Shirts" and slots["footwear"]["article_types"][0] == "Formal Shoes"
    slots, _ = plan(facts, occasion="office", gender="Men", usage="Casual", refinement=True)
    assert slots["top"]["article_types"][0] == "Tshirts" or "Tshirts" not in STOCK["Men"]


@pytest.mark.parametrize("text, shift", [("make it more formal", 1), ("something dressier", 1), ("too casual", 1),
                                         ("more casual please", -1), ("less formal", -1), ("formal outfit", 0)])
def test_formality_shifts(text, shift):
    from core.stylist.understand import formality_shift

    assert formality_shift(text) == shift
