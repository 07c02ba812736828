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


def _reference_ranks(scores: np.ndarray, relevant: list[set[int]]):
    """The definition: sort each query's gallery by score, ties by position; find the first relevant."""
    ranks, first, top = [], [], []
    for row, rel in zip(scores, relevant):
        order = sorted(range(len(row)), key=lambda i: (-row[i], i))
        top.append(order[0])
        hit = next((r for r, i in enumerate(order) if i in rel), None)
        ranks.append(0 if hit is None else hit + 1)
        first.append(-1 if hit is None else order[hit])
    return np.array(ranks), np.array(first), np.array(top)


@pytest.mark.parametrize("chunk", [None, 1, 3, 7, 64])
def test_blocked_ranking_equals_the_definition_with_ties(chunk):
    from core.model.ranking import rank_queries, top_k as _top_k

    rng = np.random.default_rng(7)
    # coarse values: many exact ties, among relevant items and between them and others
    queries = rng.integers(-2, 3, (23, 4)).astype(np.float32)
    gallery = rng.integers(-2, 3, (41, 4)).astype(np.float32)
    relevant = [set(rng.choice(41, size=int(rng.integers(0, 4)), replace=False).tolist()) for _ in range(23)]
    relevant[0], relevant[1] = set(), set(range(41))
    got = rank_queries(queries, gallery, relevant, chunk=chunk)
    scores = queries @ gallery.T
    ranks, first, top = _reference_ranks(scores, relevant)
    assert got.rank.tolist() == ranks.tolist() and got.rank[0] == 0 and got.rank[1] == 1
    assert got.relevant.tolist() == first.tolist() and got.top.tolist() == top.tolist()
    found = ranks > 0
    assert np.array_equal(got.relevant_score[found], scores[found, first[found]])
    assert np.isnan(got.relevant_score[~found]).all()
    assert np.array_equal(got.top_score, scores[np.arange(23), top])
    best = _top_k(queries, gallery, 5, chunk=chunk)
    assert np.array_equal(np.take_along_axis(scores, best, 1), -np.sort(-scores, axis=1)[:, :5])
    assert _top_k(queries, gallery, 1, chunk=chunk)[:, 0].tolist() == top.tolist()


@pytest.mark.parametrize("split", ["test", "all"])
def test_group_figures_are_the_groups_own_queries_against_the_same_gallery(split):
    catalog = pd.concat([_catalog()] * 3, ignore_index=True)
    catalog["image"] = [f"/img/{i}.jpg" for i in range(len(catalog))]
    rng = np.random.default_rng(3)
    names, types = sorted(set(catalog["productDisplayName"])), sorted(set(catalog["articleType"]))
    emb = Embeddings(images=rng.standard_normal((len(catalog), 6)).astype(np.float32),
                     names={n: rng.standard_normal(6).astype(np.float32) for n in names},
                     types={t: rng.standard_normal(6).astype(np.float32) for t in types})
    result = protocol(emb, catalog, split)
    rows = np.arange(len(catalog)) if split == "all" else np.flatnonzero(catalog["split"] == split)
    assert result["text_to_image"] == text_to_image(emb, catalog, rows, rows)
    for group, figures in result["text_to_image_by_group"].items():
        assert figures == text_to_image(emb, catalog, rows[catalog["group"].to_numpy()[rows] == group], rows)


def test_protocol_records_gallery_sizes_and_intervals_beside_the_figures():
    catalog = pd.concat([_catalog()] * 3, ignore_index=True)
    catalog["image"] = [f"/img/{i}.jpg" for i in range(len(catalog))]
    rng = np.random.default_rng(5)
    emb = Embeddings(images=rng.standard_normal((len(catalog), 6)).astype(np.float32),
                     names={n: rng.standard_normal(6).astype(np.float32) for n in set(catalog["productDisplayName"])},
                     types={t: rng.standard_normal(6).astype(np.float32) for t in set(catalog["articleType"])})
    result = protocol(emb, catalog, "test")
    assert result["products"] == 12 and result["full_gallery"] == 18 and result["queries"] == 3
    intervals = result["intervals"]
    for key in ("text_to_image", "text_to_image_full_gallery"):
        for metric in ("r1", "r10", "mrr10"):
            low, high = intervals[key][metric]
            assert low <= result[key][metric] <= high
    assert set(intervals["text_to_image_by_group"]) == set(result["text_to_image_by_group"])
    assert intervals["image_to_text"]["r1"][0] <= result["image_to_text"]["r1"] <= intervals["image_to_text"]["r1"][1]
    assert "[" in format_report(result)  # the CLI report prints the intervals
