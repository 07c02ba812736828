"""The retrieval protocol: known answers with fake embedders, edge cases, and the report shapes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import FashionError
from core.model.evaluate import (
    Embeddings,
    category_to_product,
    evaluate,
    format_report,
    headline,
    image_to_text,
    protocol,
    ranking_metrics,
    text_to_image,
)


def _catalog() -> pd.DataFrame:
    rows = [
        # name, articleType, group, split
        ("Red Shirt", "Shirts", "topwear", "test"),
        ("Red Shirt", "Shirts", "topwear", "test"),  # two products share a name: both relevant
        ("Blue Jeans", "Jeans", "bottomwear", "test"),
        ("Black Watch", "Watches", "watches", "test"),
        ("Green Shirt", "Shirts", "topwear", "train"),
        ("White Shoes", "Casual Shoes", "footwear", "train"),
    ]
    frame = pd.DataFrame(rows, columns=["productDisplayName", "articleType", "group", "split"])
    frame["image"] = [f"/img/{i}.jpg" for i in range(len(frame))]
    return frame


class OracleEmbedder:
    """Knows each image's name: a perfect model (or, with ``shuffle``, a wrong one)."""

    version, dim = "oracle", 8

    def __init__(self, catalog: pd.DataFrame, shuffle: bool = False):
        vocab = sorted(set(catalog["productDisplayName"]) | set(catalog["articleType"]))
        self.axis = {word: i for i, word in enumerate(vocab)}
        self.dim = len(vocab)
        self.names_of_image = dict(zip(catalog["image"], catalog["productDisplayName"]))
        self.types = dict(zip(catalog["productDisplayName"], catalog["articleType"]))
        self.shuffle = shuffle

    def _vec(self, words: list[str]) -> np.ndarray:
        v = np.zeros(self.dim, np.float32)
        for w in words:
            v[self.axis[w]] = 1.0
        return v / np.linalg.norm(v)

    def encode_texts(self, texts, *, batch_size=64):
        return np.stack([self._vec([t]) for t in texts])

    def encode_images(self, images, *, batch_size=64):
        raise AssertionError("the protocol must embed images by file path")

    def encode_image_files(self, paths, *, batch_size=64):
        names = [self.names_of_image[p] for p in paths]
        if self.shuffle:
            names = names[1:] + names[:1]
        return np.stack([self._vec([n, self.types[n]]) for n in names])


def test_a_perfect_model_scores_one_everywhere():
    catalog = _catalog()
    result = evaluate(OracleEmbedder(catalog), catalog, "test")
    assert result["products"] == 4 and result["queries"] == 3
    assert result["text_to_image"] == {"r1": 1.0, "r10": 1.0, "mrr10": 1.0, "queries": 3}
    assert result["image_to_text"]["r1"] == 1.0
    assert result["category_to_product"]["p1"] == 1.0
    assert result["text_to_image_full_gallery"]["r1"] == 1.0
    assert set(result["text_to_image_by_group"]) == {"topwear", "bottomwear", "watches"}


def test_a_wrong_model_scores_lower():
    catalog = _catalog()
    good = evaluate(OracleEmbedder(catalog), catalog, "test")
    bad = evaluate(OracleEmbedder(catalog, shuffle=True), catalog, "test")
    assert bad["text_to_image"]["r1"] < good["text_to_image"]["r1"]
    assert bad["image_to_text"]["r1"] < 1.0


@pytest.mark.parametrize(
    "scores, relevant, expected",
    [
        ([[0.9, 0.1, 0.0]], [{0}], {"r1": 1.0, "r10": 1.0, "mrr10": 1.0}),
        ([[0.1, 0.9, 0.0]], [{0}], {"r1": 0.0, "r10": 1.0, "mrr10": 0.5}),
        ([[0.1, 0.9, 0.5]], [{0}], {"r1": 0.0, "r10": 1.0, "mrr10": 1 / 3}),
        ([[0.1, 0.9, 0.5]], [{0, 2}], {"r1": 0.0, "r10": 1.0, "mrr10": 0.5}),  # first relevant counts
        ([[0.1, 0.9, 0.5]], [set()], {"r1": 0.0, "r10": 0.0, "mrr10": 0.0}),
    ],
)
def test_ranking_metrics_known_answers(scores, relevant, expected):
    queries = np.ones((1, 1), dtype=np.float32)
    gallery = np.array(scores, dtype=np.float32).T  # gallery row g scores scores[0][g] with the query
    result = ranking_metrics(queries, gallery, relevant)
    for key, value in expected.items():
        assert result[key] == pytest.approx(value)


def test_recall_at_ten_counts_only_the_top_ten():
    gallery = np.linspace(1, 0, 20, dtype=np.float32)[:, None]
    result = ranking_metrics(np.ones((1, 1), np.float32), gallery, [{15}])
    assert result["r10"] == 0.0 and result["mrr10"] == 0.0


def test_empty_inputs_give_zeros():
    assert ranking_metrics(np.zeros((0, 4)), np.zeros((3, 4)), [])["r1"] == 0.0
    assert ranking_metrics(np.zeros((2, 4)), np.zeros((0, 4)), [set(), set()])["r10"] == 0.0


def test_an_unknown_or_empty_split_is_a_user_error():
    catalog = _catalog()
    with pytest.raises(FashionError, match="unknown split"):
        evaluate(OracleEmbedder(catalog), catalog, "holdout")
    with pytest.raises(FashionError, match="no products in split 'valid'"):
        evaluate(OracleEmbedder(catalog), catalog, "valid")


def test_split_all_uses_the_whole_catalogue_without_a_split_column():
    catalog = _catalog().drop(columns=["split"])
    result = evaluate(OracleEmbedder(catalog), catalog, "all")
    assert result["products"] == 6 and result["queries"] == 5
    assert "text_to_image_full_gallery" not in result


def test_category_query_uses_mostly_the_image():
    catalog = _catalog()
    emb = Embeddings(
        images=np.eye(6, dtype=np.float32),
        names={n: np.zeros(6, np.float32) for n in catalog["productDisplayName"]},
        types={"Shirts": np.eye(6, dtype=np.float32)[1], "Jeans": np.eye(6, dtype=np.float32)[2],
               "Watches": np.eye(6, dtype=np.float32)[0]},
    )
    rows = np.arange(4)
    result = category_to_product(emb, catalog, rows)
    assert result["p1"] == pytest.approx(2 / 3)  # Shirts and Jeans right, Watches finds a shirt


def test_report_and_headline_shapes():
    catalog = _catalog()
    result = protocol(
        Embeddings(
            images=OracleEmbedder(catalog).encode_image_files(catalog["image"].tolist()),
            names={n: OracleEmbedder(catalog)._vec([n]) for n in catalog["productDisplayName"]},
            types={t: OracleEmbedder(catalog)._vec([t]) for t in catalog["articleType"]},
        ),
        catalog,
        "test",
    )
    flat = headline(result)
    assert set(flat) >= {"t2i_r1", "t2i_r10", "t2i_mrr10", "i2t_r1", "cat_p1", "cat_p10", "t2i_full_r1"}
    text = format_report(result)
    assert "text→image" in text and "topwear" in text
    blank = Embeddings(np.zeros((6, 2), np.float32), {n: np.zeros(2, np.float32) for n in catalog["productDisplayName"]}, {})
    rows = np.arange(4)
    assert text_to_image(blank, catalog, rows, rows)["queries"] == 3
    assert image_to_text(blank, catalog, np.array([], dtype=int))["r1"] == 0.0
