"""Every article type gets a deliberate group; ``other`` holds only what is not worn or carried."""

from __future__ import annotations

import csv

import pytest

from core.data.groups import ARTICLE_TYPE_GROUP, GROUP_LABELS, GROUPS, group_of

NOT_WORN_OR_CARRIED = {"Free Gifts", "Ipad", "Cushion Covers", "Basketballs", "Footballs", "Water Bottle"}


def test_table_uses_only_known_groups_and_each_type_once():
    assert set(ARTICLE_TYPE_GROUP.values()) == set(GROUPS) == set(GROUP_LABELS)


@pytest.mark.parametrize(
    "article, group",
    [("Tshirts", "topwear"), ("Jeans", "bottomwear"), ("Heels", "footwear"), ("Dresses", "dress"),
     ("Sarees", "dress"), ("Bra", "innerwear"), ("Handbags", "bags"), ("Watches", "watches"),
     ("Earrings", "jewellery"), ("Sunglasses", "eyewear"), ("Caps", "headwear"), ("Belts", "accessories"),
     ("Lipstick", "personal-care"), ("Footballs", "other")],
)
def test_known_answers(article, group):
    assert group_of(article) == group


def test_unknown_types_fall_back_to_category_then_other():
    assert group_of("tshirts") == "topwear"
    assert group_of("Ponchos", "Topwear", "Apparel") == "topwear"
    assert group_of("Toe Rings", "Misc", "Accessories") == "accessories"
    assert group_of("Spaceship", "Toys", "Fun") == "other"


def test_every_shared_article_type_is_mapped_deliberately(shared_catalog):
    with open(shared_catalog / "styles.csv", encoding="utf-8") as handle:
        types = {row[4] for row in list(csv.reader(handle))[1:]}
    assert len(types) == 142
    unmapped = sorted(t for t in types if t not in ARTICLE_TYPE_GROUP)
    assert unmapped == []
    assert {t for t in types if ARTICLE_TYPE_GROUP[t] == "other"} == NOT_WORN_OR_CARRIED
