"""Attribute re-scoring: query parsing, vocabularies, bounded image blocks, save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from core.model.attributes import ATTRIBUTES, COMMON_WORDS, AttributeScorer, PhraseMatcher, Vocabulary, brand_aliases, brand_of
from core.errors import FashionError


def test_brand_is_the_words_before_the_gender_word():
    assert brand_of("Puma Men Black Sports Shoes") == "Puma"
    assert brand_of("United Colors of Benetton Women's Blue Top") == "United Colors of Benetton"
    assert brand_of("Men Black Shoes") is None  # nothing before the gender word
    assert brand_of("Red Rose Red & Black Nightdress") is None  # no gender word: unknown, not a guess


def test_phrases_match_whole_words_longest_first_with_synonyms():
    colours = PhraseMatcher(["Blue", "Navy Blue", "Red", "White", "Off White"], {"White": ("ivory",)})
    assert [colours.values[i] for i in colours.match("navy blue shirt")] == ["Navy Blue"]
    assert [colours.values[i] for i in colours.match("Blue and  Off White stripes")] == ["Blue", "Off White"]
    assert colours.match("Redtape shoes") == [] and colours.match("bluish") == []
    assert [colours.values[i] for i in colours.match("an IVORY kurta")] == ["White"]
    np.testing.assert_allclose(colours.distribution("red or blue"), [0.5, 0, 0.5, 0, 0])
    assert not colours.distribution("a party outfit").any()  # names nothing: contributes nothing

    from core.model.attributes import GENDER_SYNONYMS

    genders = PhraseMatcher(["Boys", "Girls", "Men", "Unisex", "Women"], GENDER_SYNONYMS)
    assert [genders.values[i] for i in genders.match("ladies watch")] == ["Women"]
    assert [genders.values[i] for i in genders.match("women's shoes")] == ["Women"]  # not "men"
    assert [genders.values[i] for i in genders.match("kids jacket")] == ["Boys", "Girls"]
    assert PhraseMatcher([]).match("anything") == []


def test_brand_spellings_fold_into_one_canonical_brand():
    aliases = brand_aliases({"Puma": 5, "Puma Navy Blue": 1, "Gini and Jony": 3, "Gini And Jony": 1,
                             "AND": 2, "AND by Anita Dongre": 1, "Red Tape": 4, "Red Tape Black": 1, "Red Chief": 2})
    assert aliases["Puma Navy Blue"] == "Puma" and aliases["Gini And Jony"] == "Gini and Jony"
    assert aliases["AND by Anita Dongre"] == "AND" and aliases["Red Tape Black"] == "Red Tape"
    assert aliases["Red Chief"] == "Red Chief" and aliases["Puma"] == "Puma"


def test_a_brand_spelled_like_a_common_word_is_only_read_in_its_own_casing():
    brands = PhraseMatcher(["AND", "Puma", "Red Tape"], {"Puma": ("Puma Navy Blue",)}, exact_case=COMMON_WORDS)
    assert brands.match("black and white shirt") == [] and brands.match("Black And White") == []
    assert [brands.values[i] for i in brands.match("AND kurta")] == ["AND"]
    assert [brands.values[i] for i in brands.match("puma navy blue tee and red tape shoes")] == ["Puma", "Red Tape"]


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "productDisplayName": ["Puma Men Black Shoes", "Nike Women Red Top", "Puma Men Blue Shoes", "Odd Name"],
        "baseColour": ["Black", "Red", "Blue", "Unknown"],
        "articleType": ["Shoes", "Tops", "Shoes", "Tops"],
        "gender": ["Men", "Women", "Men", "Unisex"],
        "split": ["train", "train", "test", "train"],
    })


def test_vocabulary_comes_from_the_training_split_and_unknowns_are_minus_one():
    vocab = Vocabulary.from_catalog(frame())
    assert vocab.values["brand"] == ["Nike", "Puma"]
    assert vocab.values["baseColour"] == ["Black", "Red"]  # "Unknown" is not a class; Blue only in test
    labels = vocab.labels(frame())
    assert labels.shape == (4, len(ATTRIBUTES))
    assert labels[2].tolist()[:2] == [1, -1]  # Puma known, Blue unseen in training
    assert labels[3, 0] == -1 and labels[3, 1] == -1  # no brand, Unknown colour


def make_scorer(weight: float = 0.05) -> AttributeScorer:
    torch.manual_seed(0)
    vocab = Vocabulary.from_catalog(frame())
    scorer = AttributeScorer(vocab, image_dim=6, text_dim=4, weight=weight, hidden={k: 8 for k in
                             ("brand", "baseColour", "articleType", "gender", "text")})
    scorer.set_image_stats(np.random.default_rng(0).normal(size=(10, 6)).astype(np.float32))
    return scorer


def test_image_blocks_are_bounded_and_the_score_is_an_inner_product():
    scorer = make_scorer()
    features = np.random.default_rng(1).normal(size=(5, 6)).astype(np.float32)
    blocks = scorer.image_blocks(features)
    assert blocks.shape == (5, scorer.width)
    assert (blocks >= 0).all() and (blocks <= -np.log(scorer.eps) + 1e-5).all()
    dists = scorer.text_distributions(["Puma Men Black shoes", "something nice"], np.zeros((2, 4), np.float32))
    assert dists.shape == (2, scorer.width)
    assert scorer.describe("Puma Men Black shoes") == {"brand": ["Puma"], "baseColour": ["Black"], "gender": ["Men"]}
    # the second query names no brand, colour or gender: only the predicted type is left
    type_block = slice(4, 6)  # brand (2) + colour (2), then type (2)
    assert dists[1].sum() == pytest.approx(1.0) and dists[1, type_block].sum() == pytest.approx(1.0)
    core_q, core_i = np.eye(2, 3, dtype=np.float32), np.eye(5, 3, dtype=np.float32)
    scores = scorer.extend(core_q, dists) @ scorer.extend(core_i, blocks).T
    np.testing.assert_allclose(scores, core_q @ core_i.T + scorer.weight * dists @ blocks.T, rtol=1e-5, atol=1e-6)


def test_loss_trains_the_classifiers(tmp_path):
    scorer = make_scorer()
    features = torch.randn(32, 6)
    labels = torch.tensor(np.tile([[1, 0, 0, 1], [0, 1, 1, 0]], (16, 1)))
    features[labels[:, 0] == 1] += 2.0  # learnable: the classes differ in the features
    optimiser = torch.optim.Adam(scorer.module.parameters(), 1e-2)
    first = None
    for _ in range(60):
        loss = scorer.loss(features, features[:, :4], labels)
        first = first if first is not None else float(loss.detach())
        optimiser.zero_grad(), loss.backward(), optimiser.step()
    assert float(loss.detach()) < first / 3
    blocks = scorer.image_blocks(features.numpy())
    assert (blocks[:, :2].argmax(1) == labels[:, 0].numpy()).mean() >= 0.9  # the brand block names the brand


def test_save_load_round_trip(tmp_path):
    scorer = make_scorer(weight=0.02)
    scorer.save(tmp_path)
    loaded = AttributeScorer.load(tmp_path)
    features = np.random.default_rng(2).normal(size=(3, 6)).astype(np.float32)
    np.testing.assert_array_equal(loaded.image_blocks(features), scorer.image_blocks(features))
    texts, text_features = ["Nike Women Red Top"], np.ones((1, 4), np.float32)
    np.testing.assert_array_equal(loaded.text_distributions(texts, text_features),
                                  scorer.text_distributions(texts, text_features))
    assert loaded.weight == 0.02 and loaded.vocab.values == scorer.vocab.values
    assert loaded.vocab.aliases == scorer.vocab.aliases
    assert AttributeScorer.load(tmp_path / "elsewhere") is None  # a model without a scorer
    (tmp_path / "attribute_scorer.safetensors").write_bytes(b"garbage")
    with pytest.raises(FashionError, match="attribute scorer"):
        AttributeScorer.load(tmp_path)
