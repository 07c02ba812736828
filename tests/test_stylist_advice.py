"""Styling tips written from the outfit's own pieces (core.stylist.advice)."""

from __future__ import annotations

from core.stylist.advice import OCCASION_TIPS, PIECE, has_piece, outfit_tips
from core.understanding.occasions import OCCASIONS


def pick(pid: int, slot: str, article_type: str, colour: str) -> dict:
    return {"id": pid, "slot": slot, "article_type": article_type, "base_colour": colour}


FORMAL = [pick(1, "top", "Shirts", "White"), pick(2, "bottom", "Trousers", "Grey"), pick(3, "footwear", "Formal Shoes", "Black"),
          pick(4, "belt", "Belts", "Black")]


def test_every_occasion_of_the_shared_table_has_its_own_tip():
    assert {o.name for o in OCCASIONS} <= set(OCCASION_TIPS)


def test_no_tip_names_a_piece_the_outfit_lacks():
    for name in OCCASION_TIPS:
        for outfit in (FORMAL, FORMAL[:2]):
            for tip in outfit_tips({"occasion": name}, outfit, {"cold", "rain", "hot"}):
                assert all(has_piece(outfit, m.group(1)) for m in PIECE.finditer(tip)), (name, tip)


def test_a_belt_that_matches_the_shoes_is_said_and_one_that_does_not_is_flagged():
    tips = outfit_tips({"occasion": "office"}, FORMAL)
    assert any("black belt matches the black formal shoes" in t for t in tips)
    brown_belt = FORMAL[:3] + [pick(4, "belt", "Belts", "Brown")]
    assert any("A belt the colour of the black formal shoes" in t for t in outfit_tips({"occasion": "office"}, brown_belt))


def test_all_neutrals_get_a_neutral_tip_and_one_colour_a_statement_tip():
    assert any("neutral" in t.lower() for t in outfit_tips({"occasion": "office"}, FORMAL))
    colourful = [pick(1, "top", "Tshirts", "Purple"), *FORMAL[1:3]]
    assert any("purple t-shirt" in t for t in outfit_tips({"occasion": "everyday"}, colourful))


def test_a_layer_tip_only_when_it_is_cold():
    layered = [*FORMAL[:3], pick(5, "layer", "Jackets", "Olive")]
    assert any("jacket" in t and "white shirt" in t for t in outfit_tips({"occasion": "trek"}, layered, {"cold"}))
    assert not any("over the" in t for t in outfit_tips({"occasion": "trek"}, layered, set()))


def test_the_same_outfit_reads_the_same_and_at_most_three_tips():
    first = outfit_tips({"occasion": "date"}, FORMAL, {"hot"})
    assert first == outfit_tips({"occasion": "date"}, FORMAL, {"hot"}) and 1 <= len(first) <= 3


def test_reasons_come_from_the_products_own_attributes():
    from core.stylist.advice import reason_for

    trousers = {**pick(2, "bottom", "Trousers", "Grey"), "usage": "Formal", "price": 1999, "season": "Winter"}
    shirt = {**pick(1, "top", "Shirts", "White"), "usage": "Formal", "price": 999}
    pairs = [({"name": "top"}, shirt), ({"name": "bottom"}, trousers)]
    reason = reason_for({"name": "bottom", "colours": []}, trousers, pairs, {"season": "Winter", "budget_max": 5000}, "Formal",
                        "funeral")
    assert reason.startswith("formal trousers") and "a funeral" in reason  # plural: no "a formal trousers"
    assert "white shirt" in reason and "made for winter" in reason and "₹1,999" in reason
    asked = reason_for({"name": "top", "colours": ["White"]}, shirt, pairs, {}, "Formal", "interview")
    assert asked.startswith("a formal shirt") and "an interview" in asked and "the white you asked for" in asked
    belt = {**pick(4, "belt", "Belts", "Black"), "usage": "Casual", "price": 500}
    shoes = {**pick(3, "footwear", "Formal Shoes", "Black"), "usage": "Formal", "price": 2500}
    with_belt = [*pairs, ({"name": "footwear"}, shoes), ({"name": "belt"}, belt)]
    assert "black to match the black formal shoes" in reason_for({"name": "belt"}, belt, with_belt, {}, "Formal", "office")
    reasons = {reason_for({"name": "top", "colours": []}, {**shirt, "id": i}, pairs, {}, "Formal", "office") for i in range(30)}
    assert len(reasons) > 1  # the wording varies from product to product


def test_reason_grammar_plural_verbs_proper_names_and_unknown_usage():
    from core.stylist.advice import reason_for

    heels = {**pick(5, "footwear", "Heels", "Black"), "usage": "Party", "price": 999}
    for i in range(20):  # every wording: "heels that suit", never "heels that suits" / "still works"
        text = reason_for({"name": "footwear", "colours": []}, {**heels, "id": i}, [], {}, "Casual", "wedding guest")
        assert "heels that suits" not in text and "heels that still works" not in text
    kurta = {**pick(6, "top", "Kurtas", "Yellow"), "usage": "Ethnic", "price": 999}
    assert "a Diwali" not in reason_for({"name": "top", "colours": []}, kurta, [], {}, "Ethnic", "Diwali")
    raincoat = {**pick(7, "rainwear", "Rain Jacket", "Black"), "usage": "Unknown", "price": 999}
    assert "unknown" not in reason_for({"name": "rainwear", "colours": []}, raincoat, [], {}, "Casual", "")
