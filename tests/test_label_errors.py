"""Label-error findings: the name readings they rest on, each finding on a built catalogue, the
image classifier's stored scores, and a planted cross-group error on the demo home's real model."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core.curation.evidence import name_genders, name_words, neighbour_shares, word_readings
from core.curation.inputs import DEFAULT_RULES
from core.curation.rules import CurationInputs, Rules, label_errors, suggest
from tests.homes import copy_home
from tests.vectors import normalised, unit

DIM = 24
TYPES = {"Tshirts": 0, "Shirts": 1, "Watches": 2, "Jeans": 3}  # Tshirts and Shirts: both Topwear
NOUNS = {"Tshirts": "T-shirt", "Shirts": "Shirt", "Watches": "Watch", "Jeans": "Jeans"}
COLOURS = {"Red": 4, "Black": 5, "Blue": 6}
SEXES = {"Men": 7, "Women": 8}
BY_GROUP = Rules(type_margin=9.0)  # the type-by-type finding off: what remains is the group-by-group one


def _unit(i: int) -> np.ndarray:
    return unit(i, DIM)


def catalogue(per_cell: int = 6, seed: int = 0) -> CurationInputs:
    """Honestly labelled products: image = type + 0.7 gender + 0.4 colour + noise; the name says all three.

    The type phrases read a T-shirt's picture as a *shirt* (as the real model's zero-shot reading
    often names a sibling type), so only the group is read reliably from a phrase."""
    rng = np.random.default_rng(seed)
    rows, images, names = [], [], []
    for article, t in TYPES.items():
        for colour, c in (("Red", 4), ("Black", 5)):
            for gender, g in SEXES.items():
                for n in range(per_cell):
                    pid = 1000 + len(rows)
                    rows.append({"id": pid, "name": f"Brand{n} {gender} {colour} {NOUNS[article]}", "articleType": article,
                                 "baseColour": colour, "gender": gender, "image_sha1": f"sha-{pid}", "image": ""})
                    images.append(normalised(_unit(t) + 0.7 * _unit(g) + 0.4 * _unit(c) + rng.normal(0, 0.05, DIM)))
                    names.append(normalised(_unit(t) + 0.4 * _unit(c) + rng.normal(0, 0.05, DIM)))
    type_texts = {a: _unit(t) for a, t in TYPES.items()}
    type_texts["Shirts"] = _unit(TYPES["Tshirts"])  # a T-shirt's picture reads "shirt" best...
    type_texts["Tshirts"] = normalised(0.9 * _unit(TYPES["Tshirts"]) + 0.44 * _unit(TYPES["Shirts"]))  # ...then "t-shirt"
    return CurationInputs(meta=pd.DataFrame(rows), images=np.stack(images), names=np.stack(names),
                          type_texts=type_texts, colour_texts={c: _unit(i) for c, i in COLOURS.items()})


def _row(inputs: CurationInputs, article: str, colour: str = "Red", gender: str = "Men") -> int:
    m = inputs.meta
    return int(np.flatnonzero((m["articleType"] == article) & (m["baseColour"] == colour) & (m["gender"] == gender))[0])


def _found(inputs: CurationInputs, rules: Rules = DEFAULT_RULES) -> dict[int, dict]:
    """Product id -> {attribute: finding} of the label-error suggestions."""
    return {s.ids[0]: {f["attribute"]: f for f in s.details["findings"]} for s in label_errors(inputs, rules)}


# -- readings of a name --------------------------------------------------------------------------
@pytest.mark.parametrize("name, genders", [
    ("Levis Kids Boy's Darby Orange Polo Tshirt", ["Boys"]),
    ("Nike Women's Tee", ["Women"]),
    ("Gini and Jony Girls' Skirt", ["Girls"]),
    ("Status Quo MENS Harbour T-shirt", ["Men"]),
    ("Q&Q Unisex Watch", ["Unisex"]),
    ("Ant Kids Flower Orange Dresses", []),
    ("Omen Watch", []),  # "men" inside a word says nothing
    ("", []),
])
def test_the_genders_a_name_says(name, genders):
    assert name_genders(name) == genders


def test_name_words_drop_numbers_and_single_letters():
    assert name_words("Puma Men's T-shirt 402 Ñandú") == {"puma", "men", "shirt", "ñandú"}


def test_a_word_reads_the_label_of_the_other_products_that_carry_it():
    names = ["Acme Watch"] * 6 + ["Acme Shirt"] * 6 + ["Lone Watch"]
    codes = [0] * 6 + [1] * 6 + [1]  # the last one, a watch, is labelled like the shirts
    readings = word_readings(names, codes, 2, min_count=5, purity=0.8)
    assert readings[-1] == {0: ("watch", 6, 6)}  # its own wrong label does not vouch for itself
    assert readings[0] == {0: ("watch", 5, 6)}  # "acme" is shared by watches and shirts alike: no reading
    assert word_readings(names, codes, 2, min_count=7, purity=0.8)[-1] == {}  # too few others carry it


def test_neighbour_shares_count_each_label():
    shares = neighbour_shares(np.array([0, 1, 1]), np.array([[1, 2], [0, 2], [0, 1]]), 2)
    assert shares.tolist() == [[0.0, 1.0], [0.5, 0.5], [0.5, 0.5]]


# -- the findings on a built catalogue -------------------------------------------------------------
def test_an_honest_catalogue_raises_no_label_error():
    inputs = catalogue()
    assert label_errors(inputs) == [] and label_errors(inputs, BY_GROUP) == []
    assert suggest(inputs, Rules(outlier_min_type_size=1000)) == []


def test_a_type_from_another_group_is_flagged_even_when_zero_shot_names_a_sibling_type():
    inputs = catalogue()
    row = _row(inputs, "Tshirts")
    inputs.meta.loc[row, "articleType"] = "Watches"  # a T-shirt filed as a watch
    found = _found(inputs)
    pid = int(inputs.meta.loc[row, "id"])
    assert list(found) == [pid]
    finding = found[pid]["articleType"]
    assert finding["own"] == "Watches" and finding["proposed"] == "Tshirts"  # the neighbours' type, not "Shirts"
    assert finding["across_groups"] == ["watches", "topwear"] and finding["word"] == "shirt"
    (suggestion,) = label_errors(inputs)
    assert suggestion.flag == "wrong-label"
    for phrase in ("labelled 'Watches' (Watches) but 10 of its 10 nearest images are Topwear (Tshirts",
                   "has 'shirt', like", "the image is closer to 'Shirts'"):
        assert phrase in suggestion.evidence


def test_a_type_is_not_questioned_when_the_name_says_its_own_group():
    inputs = catalogue()
    row = _row(inputs, "Tshirts")
    inputs.meta.loc[row, "articleType"] = "Watches"
    inputs.meta.loc[row, "name"] = "Brand1 Men Red Watch"  # a watch photographed like a T-shirt? ask no one
    assert label_errors(inputs) == []


@pytest.mark.parametrize("watches_with_word, flagged", [(9, True), (10, False)])
def test_a_word_of_its_own_group_saves_a_label_only_when_it_reads_as_surely(watches_with_word, flagged):
    inputs = catalogue()
    meta = inputs.meta
    carriers = list(np.flatnonzero(meta["articleType"] == "Watches")[:watches_with_word])
    carriers += list(np.flatnonzero(meta["articleType"] == "Jeans")[:10 - watches_with_word])
    meta.loc[carriers, "name"] = meta.loc[carriers, "name"] + " Sporty"  # a watch word 9/10 or 10/10 of the time
    row = _row(inputs, "Tshirts")
    meta.loc[row, ["articleType", "name"]] = ["Watches", "Brand1 Men Red Sporty T-shirt"]  # "shirt": Topwear 100%
    found = _found(inputs)
    assert (int(meta.loc[row, "id"]) in found) is flagged
    if flagged:
        assert "(and 'sporty', like 9 Watches of 10)" in label_errors(inputs)[0].evidence


def test_the_image_classifier_can_stand_for_the_zero_shot_reading():
    inputs = catalogue()
    for article in TYPES:  # every phrase alike: zero-shot reads nothing
        inputs.type_texts[article] = _unit(20)
    row = _row(inputs, "Jeans", gender="Women")
    inputs.meta.loc[row, "articleType"] = "Shirts"
    assert label_errors(inputs) == []
    classes = tuple(TYPES)
    probabilities = np.zeros((len(inputs.meta), len(classes)), np.float32)
    probabilities[np.arange(len(inputs.meta)), [classes.index(t) for t in inputs.meta["articleType"]]] = 1.0
    probabilities[row] = [0.0, 0.01, 0.0, 0.99]  # a product it did not learn: it reads jeans
    inputs.image_classes = {"articleType": (classes, probabilities)}
    found = _found(inputs)[int(inputs.meta.loc[row, "id"])]["articleType"]
    assert found["proposed"] == "Jeans" and found["classifier"] == pytest.approx(0.99)
    assert "the image classifier gives Bottomwear 99%, 'Shirts' 1%" in label_errors(inputs)[0].evidence
    probabilities[row] = np.nan  # no stored score for it: no witness
    assert label_errors(inputs) == []


def test_a_gender_is_questioned_when_the_name_and_the_image_say_the_other_sex():
    inputs = catalogue()
    row = _row(inputs, "Jeans", gender="Men")
    inputs.meta.loc[row, "gender"] = "Women"
    (suggestion,) = label_errors(inputs)
    (finding,) = suggestion.details["findings"]
    assert finding == {**finding, "attribute": "gender", "own": "Women", "proposed": "Men"}
    assert "gender: labelled 'Women' but its name" in suggestion.evidence
    assert "of its 10 nearest images are men's or boys' products" in suggestion.evidence


@pytest.mark.parametrize("name, label", [
    ("Brand1 Red Jeans", "Women"),  # the name is silent
    ("Brand1 Unisex Men Red Jeans", "Women"),  # unisex is never questioned
    ("Brand1 Men Red Jeans", "Unisex"),
    ("Brand1 Boys Red Jeans", "Men"),  # a boy's product labelled Men: the same sex
])
def test_a_gender_is_left_alone_without_a_contradiction(name, label):
    inputs = catalogue()
    row = _row(inputs, "Jeans", gender="Men")
    inputs.meta.loc[row, ["name", "gender"]] = [name, label]
    assert label_errors(inputs) == []


def test_a_colour_needs_the_name_the_colour_phrase_and_one_more_image_witness():
    inputs = catalogue()
    row = _row(inputs, "Watches", colour="Red")
    inputs.meta.loc[row, "baseColour"] = "Blue"
    (suggestion,) = label_errors(inputs)
    assert suggestion.details["findings"][0]["proposed"] == "Red" and "says 'red', not 'blue'" in suggestion.evidence
    assert "5 of its 10 nearest images are red-like" in suggestion.evidence
    assert label_errors(inputs, Rules(colour_neighbour_share=0.6)) == []  # 5 of 10 is then too few
    red = inputs.colour_texts["Red"]
    inputs.colour_texts["Red"] = _unit(20)  # the phrase no longer reads red
    assert label_errors(inputs) == []
    inputs.colour_texts["Red"] = red
    inputs.meta.loc[row, "name"] = "Brand1 Men Watch"  # the name is silent
    assert label_errors(inputs) == []


# -- the image classifier's stored scores ------------------------------------------------------------
def test_stored_classifier_scores_decode_to_probabilities():
    from core.curation.suggestions import image_classes
    from core.index.records import ATTRIBUTE_KEY
    from core.index.rescore import encode_blocks

    eps = 1e-4
    values = {"brand": ["Acme"], "baseColour": ["Black", "Red"], "articleType": ["Jeans", "Shirts", "Watches"],
              "gender": ["Men", "Women"]}
    scorer = SimpleNamespace(fingerprint="f00d", width=8, eps=eps, vocab=SimpleNamespace(values=values))
    probabilities = np.array([[1.0, 0.3, 0.7, 0.0, 0.9, 0.1, 0.5, 0.5]], np.float32)
    blocks = np.maximum(0, np.log(np.maximum(probabilities, 1e-12) / eps)).astype(np.float32)
    meta = pd.DataFrame({ATTRIBUTE_KEY: encode_blocks(blocks, "f00d") + ["beef:AAAA", None]})
    got = image_classes(meta, SimpleNamespace(scorer=scorer))
    assert sorted(got) == ["articleType", "baseColour", "gender"]
    classes, p = got["articleType"]
    assert classes == ("Jeans", "Shirts", "Watches")
    assert p[0] == pytest.approx([0.0, 0.9, 0.1], abs=1e-6) and np.isnan(p[1:]).all()  # other scorer, none
    assert image_classes(meta, SimpleNamespace(scorer=None)) == {}


# -- on the demo home's real model ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_inputs(built_demo_home, tmp_path_factory):
    from core.config import Settings
    from core.curation.suggestions import load_inputs
    from core.model.load import load_embedder
    from core.model.registry import latest_model

    home = copy_home(built_demo_home, tmp_path_factory.mktemp("label-errors") / "home")
    settings = Settings.from_env(env={}, home=home)
    return load_inputs(settings, load_embedder(latest_model(settings), cache_dir=settings.cache_dir))


def test_a_watch_filed_as_a_tshirt_on_the_demo_is_flagged_group_by_group(demo_inputs):
    inputs = demo_inputs
    meta = inputs.meta
    assert label_errors(inputs, BY_GROUP) == []  # the demo's labels are right
    watches = np.flatnonzero(meta["articleType"] == "Watches")
    row, clean = int(watches[0]), int(watches[1])
    meta.loc[row, "articleType"] = "Tshirts"
    try:
        found = _found(inputs, BY_GROUP)
    finally:
        meta.loc[row, "articleType"] = "Watches"
    assert list(found) == [int(meta.loc[row, "id"])] and int(meta.loc[clean, "id"]) not in found
    finding = found[int(meta.loc[row, "id"])]["articleType"]
    assert finding["own"] == "Tshirts" and finding["proposed"] == "Watches"
    assert finding["across_groups"] == ["topwear", "watches"] and finding["neighbour_share"] >= 0.5


# -- the benchmark's planting --------------------------------------------------------------------------
def test_the_benchmark_plants_each_kind_once_per_product():
    from benchmarks.bench_label_errors import KINDS, plant_errors
    from core.curation.evidence import same_family
    from core.data.groups import group_of

    meta = catalogue(per_cell=6).meta  # 4 types x 2 colours x 2 genders x 6
    meta["subCategory"], meta["masterCategory"] = "", ""
    meta = pd.concat([meta, meta.assign(id=meta["id"] + 1000, articleType="Shirts")], ignore_index=True)
    planted, plants = plant_errors(meta, list(range(len(meta))), 5, seed=3)
    assert [p.kind for p in plants] == [k for k in KINDS for _ in range(5)]
    assert len({p.id for p in plants}) == len(plants)
    assert plant_errors(meta, list(range(len(meta))), 5, seed=3)[1] == plants  # seeded
    for p in plants:
        row = planted.loc[planted["id"] == p.id].iloc[0]
        assert row[p.attribute] == p.new != p.old and meta.loc[meta["id"] == p.id, p.attribute].item() == p.old
        if p.kind == "type-across":
            assert group_of(p.new) != group_of(p.old)
        elif p.kind == "type-within":
            assert group_of(p.new) == group_of(p.old)
        elif p.kind == "colour":
            assert not same_family(p.new, p.old)
        else:
            assert {p.old, p.new} in ({"Men", "Women"}, {"Boys", "Girls"})
    assert (planted.drop(columns=["articleType", "baseColour", "gender", "subCategory", "masterCategory"])
            .equals(meta.drop(columns=["articleType", "baseColour", "gender", "subCategory", "masterCategory"])))
