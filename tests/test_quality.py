"""core.reports.quality, .breakdowns and .analyst: per-query ranks (known answers), breakdowns, comparison,
analyst queries, and the demo model's table against ``core.model.evaluate``'s protocol, with its disk cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.config import Settings
from core.data.catalog import load_catalog
from core.errors import FashionError
from core.model.load import load_embedder
from core.reports import analyst, breakdowns, quality
from core.model.evaluate import Embeddings, evaluate, metrics_from_ranks, rank_queries, ranking_metrics
from core.model.registry import latest_model, versions
from tests.homes import copy_home, train_second_version


# -- rank_queries: known answers on hand-made vectors ----------------------------------------
def _ranks(scores: list[float], relevant: set[int]):
    """One query; gallery row g scores ``scores[g]`` against it."""
    gallery = np.array(scores, dtype=np.float32)[:, None]
    return rank_queries(np.ones((1, 1), np.float32), gallery, [relevant])


@pytest.mark.parametrize(
    "scores, relevant, rank, position, top",
    [
        ([0.9, 0.1, 0.0], {0}, 1, 0, 0),
        ([0.1, 0.9, 0.5], {0}, 3, 0, 1),
        ([0.1, 0.9, 0.5], {0, 2}, 2, 2, 1),  # several relevant: the best-ranked one counts
        ([0.5, 0.5, 0.5], {2}, 3, 2, 0),  # ties: gallery order, so the relevant item is third
        ([0.5, 0.5, 0.5], {0}, 1, 0, 0),
        ([0.2, 0.7, 0.7, 0.7], {2, 3}, 2, 2, 1),  # tied relevant items: the earlier one counts
        ([0.1, 0.9, 0.5], set(), 0, -1, 1),  # no relevant item: rank 0, but a top result
    ],
)
def test_rank_queries_known_answers(scores, relevant, rank, position, top):
    result = _ranks(scores, relevant)
    assert result.rank.tolist() == [rank]
    assert result.relevant.tolist() == [position]
    assert result.top.tolist() == [top]
    assert result.top_score[0] == pytest.approx(max(scores))
    if position >= 0:
        assert result.relevant_score[0] == pytest.approx(scores[position])
    else:
        assert np.isnan(result.relevant_score[0])


def test_ranks_are_not_cut_at_ten():
    gallery = np.linspace(1, 0, 200, dtype=np.float32)[:, None]
    result = rank_queries(np.ones((1, 1), np.float32), gallery, [{150}])
    assert result.rank.tolist() == [151]


def test_rank_queries_in_chunks_and_on_empty_inputs():
    rng = np.random.default_rng(0)
    queries, gallery = rng.normal(size=(7, 4)).astype(np.float32), rng.normal(size=(30, 4)).astype(np.float32)
    relevant = [{i, i + 10} for i in range(7)]
    whole, chunked = rank_queries(queries, gallery, relevant), rank_queries(queries, gallery, relevant, chunk=2)
    assert whole.rank.tolist() == chunked.rank.tolist() and whole.top.tolist() == chunked.top.tolist()
    brute = [1 + int(np.sum(np.sort(-(gallery @ q)) < -max(gallery[list(r)] @ q))) for q, r in zip(queries, relevant)]
    assert whole.rank.tolist() == brute
    empty = rank_queries(np.zeros((2, 4), np.float32), np.zeros((0, 4), np.float32), [set(), set()])
    assert empty.rank.tolist() == [0, 0] and empty.top.tolist() == [-1, -1]
    assert rank_queries(np.zeros((0, 4)), gallery, []).rank.size == 0


@pytest.mark.parametrize(
    "ranks, expected",
    [
        ([1, 2, 11, 0], {"r1": 0.25, "r10": 0.5, "mrr10": (1 + 0.5) / 4, "queries": 4}),
        ([10], {"r1": 0.0, "r10": 1.0, "mrr10": 0.1, "queries": 1}),
        ([], {"r1": 0.0, "r10": 0.0, "mrr10": 0.0, "queries": 0}),
    ],
)
def test_metrics_from_ranks(ranks, expected):
    assert metrics_from_ranks(np.array(ranks, dtype=np.int64)) == pytest.approx(expected)


def test_ranking_metrics_is_the_aggregate_of_the_ranks():
    rng = np.random.default_rng(1)
    queries, gallery = rng.normal(size=(40, 8)).astype(np.float32), rng.normal(size=(60, 8)).astype(np.float32)
    relevant = [set(rng.choice(60, size=rng.integers(0, 3), replace=False).tolist()) for _ in range(40)]
    assert ranking_metrics(queries, gallery, relevant) == metrics_from_ranks(rank_queries(queries, gallery, relevant).rank)


# -- the table from hand-made embeddings ------------------------------------------------------
def _catalog() -> pd.DataFrame:
    rows = [  # id, name, group, articleType, baseColour, gender, split
        (10, "Red Shirt", "topwear", "Shirts", "Red", "Men", "test"),
        (11, "Red Shirt", "topwear", "Shirts", "Red", "Men", "test"),
        (12, "Blue Jeans", "bottomwear", "Jeans", "Blue", "Women", "test"),
        (13, "Black Watch", "watches", "Watches", "Black", "Men", "test"),
        (14, "Grüne Bluse", "topwear", "Tops", "Green", "Women", "train"),
    ]
    frame = pd.DataFrame(rows, columns=["id", "productDisplayName", "group", "articleType", "baseColour", "gender", "split"])
    frame["image"] = [f"/img/{i}.jpg" for i in frame["id"]]
    frame["price"] = 999
    return frame


def _embeddings() -> Embeddings:
    """Axis per name; product 11's image leans to "Black Watch", product 13's to "Blue Jeans"."""
    axes = {"Red Shirt": 0, "Blue Jeans": 1, "Black Watch": 2, "Grüne Bluse": 3}
    images = np.array([[0.9, 0.1, 0.0, 0.0], [0.2, 0.0, 0.98, 0.0], [0.0, 1.0, 0.0, 0.0],
                       [0.0, 0.8, 0.6, 0.0], [0.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    names = {name: np.eye(4, dtype=np.float32)[axis] for name, axis in axes.items()}
    return Embeddings(images=images, names=names, types={})


def test_table_from_embeddings_known_answers():
    catalog, emb = _catalog(), _embeddings()
    rows = np.arange(4)
    table = quality.table_from_embeddings(emb, catalog, rows, rows).set_index("query")
    assert list(table.reset_index().columns) == quality.TABLE_COLUMNS
    assert table.loc["Red Shirt", "relevant_ids"] == [10, 11] and table.loc["Red Shirt", "n_relevant"] == 2
    assert table.loc["Red Shirt", "rank"] == 1 and table.loc["Red Shirt", "relevant_id"] == 10
    # Blue Jeans: product 12 (1.0) first; Black Watch: product 11 (0.98) beats product 13 (0.6)
    assert table.loc["Black Watch", "rank"] == 2 and table.loc["Black Watch", "top_id"] == 11
    assert table.loc["Black Watch", "top_name"] == "Red Shirt"
    assert table.loc["Black Watch", "relevant_score"] == pytest.approx(0.6)
    assert table.loc["Black Watch", "group"] == "watches" and table.loc["Blue Jeans", "gender"] == "Women"
    everything = quality.table_from_embeddings(emb, catalog, rows, np.arange(5))
    assert everything["rank"].tolist() == table.reset_index()["rank"].tolist()  # the train product is not close


def _table(ranks: dict[str, int], groups: dict[str, str] | None = None) -> pd.DataFrame:
    names = list(ranks)
    return pd.DataFrame({
        "query": names, "relevant_ids": [[i] for i in range(len(names))], "n_relevant": 1,
        "rank": [ranks[n] for n in names], "relevant_id": range(len(names)), "relevant_score": 0.5,
        "top_id": 99, "top_name": "x", "top_score": 0.9,
        "group": [(groups or {}).get(n, "topwear") for n in names], "articleType": "Shirts",
        "baseColour": "Red", "gender": "Men",
    })[quality.TABLE_COLUMNS]


def test_breakdown_sorts_by_query_count_and_marks_small_groups():
    ranks = {f"q{i}": 1 + i % 3 for i in range(12)} | {"w1": 1, "w2": 20}
    table = _table(ranks, {"w1": "watches", "w2": "watches"})
    frame = breakdowns.breakdown(table, "group")
    assert frame["group"].tolist() == ["topwear", "watches"]
    assert frame["queries"].tolist() == [12, 2] and frame["indicative"].tolist() == [True, True]  # < 100 queries
    assert breakdowns.breakdown(table, "group", small=10)["indicative"].tolist() == [False, True]
    watches = frame.set_index("group").loc["watches"]
    assert watches["r1"] == 0.5 and watches["r10"] == 0.5 and watches["median_rank"] == 10.5
    assert watches["r1_ci"] == "0.000–1.000" and watches["r10_ci"] == "0.000–1.000"  # 2 queries: anything
    assert frame.set_index("group").loc["topwear", "r10_ci"] == "1.000–1.000"
    with pytest.raises(FashionError, match="cannot break down"):
        breakdowns.breakdown(table, "price")


def test_rank_distribution_buckets():
    table = _table({"a": 1, "b": 2, "c": 5, "d": 6, "e": 10, "f": 11, "g": 50, "h": 51, "i": 100, "j": 101, "k": 5000})
    dist = breakdowns.rank_distribution(table)
    assert dist["bucket"].tolist() == ["1", "2-5", "6-10", "11-50", "51-100", ">100"]
    assert dist["queries"].tolist() == [1, 2, 2, 2, 2, 2] and dist["share"].sum() == pytest.approx(1.0)
    assert breakdowns.rank_distribution(_table({"a": 0}))["bucket"].tolist()[-1] == "not found"


def test_worst_queries_highest_rank_first_ties_by_text():
    table = _table({"b": 7, "a": 7, "c": 300, "d": 1, "e": 0})
    assert breakdowns.worst_queries(table, 4)["query"].tolist() == ["e", "c", "a", "b"]  # not found is worst


def test_compare_wins_losses_and_summary():
    base = _table({"a": 1, "b": 5, "c": 40, "d": 3})
    other = _table({"a": 1, "b": 2, "c": 90, "d": 1, "extra": 4})
    comparison = breakdowns.compare(base, other)
    assert len(comparison) == 4  # queries in both only
    assert comparison.set_index("query")["gain"].to_dict() == {"a": 0, "b": 3, "c": -50, "d": 2}
    summary = breakdowns.comparison_summary(comparison)
    assert (summary["better"], summary["worse"], summary["same"]) == (2, 1, 1)
    assert summary["r1_a"] == 0.25 and summary["r1_b"] == 0.5
    gain = summary["r1_gain"]  # paired over the 4 shared queries: +0.25, but 4 queries prove nothing
    assert gain["value"] == 0.25 and gain["queries"] == 4 and gain["ci"][0] <= 0 < gain["ci"][1]
    wins, losses = breakdowns.biggest_changes(comparison, 10)
    assert wins["query"].tolist() == ["b", "d"] and losses["query"].tolist() == ["c"]


@pytest.mark.parametrize(
    "text, expected",
    [("1163, 1164 2201", [1163, 1164, 2201]), ("", []), ("  ", []), ("7;7,7", [7]), ("\t42\n", [42])],
)
def test_parse_ids(text, expected):
    assert analyst.parse_ids(text) == expected


@pytest.mark.parametrize("text", ["12a", "-3", "１２", "1.5"])
def test_parse_ids_rejects_anything_else(text):
    with pytest.raises(FashionError, match="not a product id"):
        analyst.parse_ids(text)


class AxisEmbedder:
    """Texts: the axis of their first known word; images: the catalogue's hand-made vectors."""

    version, dim = "axes", 4

    def __init__(self):
        self.images = dict(zip(_catalog()["image"], _embeddings().images))

    def encode_texts(self, texts, *, batch_size=64):
        words = {"shirt": 0, "jeans": 1, "watch": 2, "bluse": 3}
        out = np.zeros((len(texts), 4), np.float32)
        for row, text in enumerate(texts):
            axis = next((a for w, a in words.items() if w in text.lower()), 0)
            out[row, axis] = 1.0
        return out

    def encode_images(self, images, *, batch_size=64):
        raise AssertionError("images are embedded by file path")

    def encode_image_files(self, paths, *, batch_size=64):
        return np.stack([self.images[str(p)] for p in paths])


def test_query_table_embeds_only_what_it_needs_and_matches_the_protocol():
    catalog = _catalog()
    table = quality.query_table(AxisEmbedder(), catalog, "test", "split")
    assert breakdowns.overall(table)["r1"] == pytest.approx(2 / 3)
    protocol = evaluate(AxisEmbedder(), catalog, "test")
    assert {k: v for k, v in breakdowns.overall(table).items() if k != "median_rank"} == protocol["text_to_image"]
    full = quality.query_table(AxisEmbedder(), catalog, "test", "catalogue")
    assert {k: v for k, v in breakdowns.overall(full).items() if k != "median_rank"} == protocol["text_to_image_full_gallery"]
    with pytest.raises(FashionError, match="no products in split 'valid'"):
        quality.query_table(AxisEmbedder(), catalog, "valid")
    with pytest.raises(FashionError, match="unknown gallery"):
        quality.query_table(AxisEmbedder(), catalog, "test", "index")


@pytest.mark.parametrize("split, gallery, size", [("test", "split", 4), ("train", "split", 1), ("test", "catalogue", 5)])
def test_gallery_size(split, gallery, size):
    assert quality.gallery_size(_catalog(), split, gallery) == size


def test_gallery_size_of_an_empty_split_is_an_error():
    with pytest.raises(FashionError, match="no products in split 'valid'"):
        quality.gallery_size(_catalog(), "valid", "split")


def _gallery(scope: str = "split") -> analyst.Gallery:
    return analyst.build_gallery(AxisEmbedder(), _catalog(), scope, "test")


def test_select_expected_by_ids_name_and_filters():
    catalog, gallery = _catalog(), _gallery()
    assert gallery.rows.tolist() == [0, 1, 2, 3] and "test split (4 products)" in gallery.label
    assert analyst.select_expected(catalog, gallery, ids=[13, 13]) == [13]
    assert analyst.select_expected(catalog, gallery, name_contains="red SHIRT") == [10, 11]
    assert analyst.select_expected(catalog, gallery, ids=[13], attributes={"gender": ["Women"]}) == [13, 12]
    assert analyst.select_expected(catalog, gallery, attributes={"articleType": [], "baseColour": []}) == []
    with pytest.raises(FashionError, match=r"unknown product id\(s\): 404"):
        analyst.select_expected(catalog, gallery, ids=[10, 404])
    with pytest.raises(FashionError, match="not in the test split"):
        analyst.select_expected(catalog, gallery, ids=[14])  # a train product
    assert analyst.select_expected(catalog, _gallery("catalogue"), ids=[14]) == [14]
    assert analyst.select_expected(catalog, _gallery("catalogue"), name_contains="grüne") == [14]
    with pytest.raises(FashionError, match="no product of the test split .* matches name contains 'sari'"):
        analyst.select_expected(catalog, gallery, name_contains="sari")


def test_analyst_query_ranks_the_expected_products():
    catalog, gallery = _catalog(), _gallery()
    result = analyst.analyst_query(AxisEmbedder(), catalog, gallery, "a black watch", [13, 10], top=3)
    assert result.top["id"].tolist() == [11, 13, 10]
    assert result.expected["id"].tolist() == [13, 10] and result.expected["rank"].tolist() == [2, 3]
    assert result.top["expected"].tolist() == [False, True, True]
    # the same rule as the protocol's ranks
    single = rank_queries(AxisEmbedder().encode_texts(["watch"]), gallery.vectors, [{3}])
    assert single.rank.tolist() == [2]
    empty = analyst.analyst_query(AxisEmbedder(), catalog, gallery, "jeans")
    assert empty.expected.empty and empty.top["id"].iloc[0] == 12


@pytest.mark.parametrize("text", ["", "   ", None])
def test_analyst_query_needs_text(text):
    with pytest.raises(FashionError, match="type a query"):
        analyst.analyst_query(AxisEmbedder(), _catalog(), _gallery(), text)


def test_analyst_query_unknown_ids_are_a_clear_error():
    with pytest.raises(FashionError, match="unknown product id"):
        analyst.analyst_query(AxisEmbedder(), _catalog(), _gallery(), "shirt", [999])


def test_default_comparison(tmp_path):
    from core.model.registry import CARD_FILE

    assert breakdowns.default_comparison(tmp_path, None) is None
    for version in ("lit-v1", "lit-v2", "lit-v3"):
        (tmp_path / version).mkdir()
        (tmp_path / version / CARD_FILE).write_text("{}")
    assert breakdowns.default_comparison(tmp_path, tmp_path / "lit-v3") == (tmp_path / "lit-v2", (tmp_path / "lit-v3").resolve())
    assert breakdowns.default_comparison(tmp_path, tmp_path / "lit-v1")[0] == tmp_path / "lit-v2"  # oldest: the next one
    for extra in ("lit-v2", "lit-v3"):
        (tmp_path / extra / CARD_FILE).unlink()
    assert breakdowns.default_comparison(tmp_path, tmp_path / "lit-v1") is None


# -- the demo model ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def two_models(built_demo_home, tmp_path_factory) -> Settings:
    """A writable copy of the built demo home with a second (one-epoch) version, lit-v2."""
    home = copy_home(built_demo_home, tmp_path_factory.mktemp("quality") / "home")
    train_second_version(home)
    return Settings.from_env(env={}, home=home)


def test_the_table_aggregates_to_the_protocol_exactly(two_models):
    settings = two_models
    catalog = load_catalog(settings)
    model_dir = versions(settings.models_dir)[0]
    embedder = load_embedder(model_dir, cache_dir=settings.cache_dir)
    protocol = evaluate(embedder, catalog, "test")
    table = quality.per_query_table(settings, model_dir, catalog, embedder=embedder)
    assert len(table) == protocol["queries"]
    assert {k: v for k, v in breakdowns.overall(table).items() if k != "median_rank"} == protocol["text_to_image"]
    full = quality.per_query_table(settings, model_dir, catalog, gallery="catalogue", embedder=embedder)
    assert {k: v for k, v in breakdowns.overall(full).items() if k != "median_rank"} == protocol["text_to_image_full_gallery"]
    assert (full["rank"] >= table["rank"]).all()  # more distractors never help
    by_group = breakdowns.breakdown(table, "group").set_index("group")
    spanning = catalog[catalog["split"] == "test"].groupby("productDisplayName")["group"].nunique()
    assert (spanning == 1).all()  # so per group must match the protocol too
    for group, figures in protocol["text_to_image_by_group"].items():
        assert by_group.loc[group, ["r1", "r10", "mrr10"]].tolist() == [figures["r1"], figures["r10"], figures["mrr10"]]
        assert by_group.loc[group, "queries"] == figures["queries"]
    test_ids = set(catalog.loc[catalog["split"] == "test", "id"])
    assert set(table["relevant_id"]) <= test_ids and set(table["top_id"]) <= test_ids
    assert all(rid in ids for rid, ids in zip(table["relevant_id"], table["relevant_ids"]))


def test_the_table_is_cached_on_disk(two_models):
    settings = two_models
    catalog = load_catalog(settings)
    model_dir = latest_model(settings)
    messages: list[tuple[str, float]] = []
    first = quality.per_query_table(settings, model_dir, catalog, split="valid",
                                    progress=lambda message, fraction: messages.append((message, fraction)))
    path = quality.cache_path(settings, model_dir, catalog, "valid")
    assert path.is_file() and path.parent == settings.quality_dir and path.name.startswith("lit-v2-")
    assert messages[0][1] == 0.0 and messages[-1][1] == 1.0 and any(m.startswith("Embedding the valid images") for m, _ in messages)
    assert not list(settings.quality_dir.glob(".*.tmp"))

    def must_not_embed():
        raise AssertionError("a cache hit must not load the model")

    again = quality.per_query_table(settings, model_dir, catalog, split="valid", embedder=must_not_embed)
    pd.testing.assert_frame_equal(first, again)
    # another catalogue (a renamed product) or another model version gets its own entry
    renamed = catalog.copy()
    renamed.loc[renamed.index[0], "productDisplayName"] = "Renamed product"
    assert quality.cache_path(settings, model_dir, renamed, "valid") != path
    assert quality.cache_path(settings, versions(settings.models_dir)[0], catalog, "valid") != path
    # an unreadable entry is recomputed, not trusted
    path.write_bytes(b"not parquet")
    pd.testing.assert_frame_equal(quality.per_query_table(settings, model_dir, catalog, split="valid"), first)


def test_base_vs_fine_tuned_on_the_demo(two_models):
    settings = two_models
    catalog = load_catalog(settings)
    base, latest = breakdowns.default_comparison(settings.models_dir, latest_model(settings))
    assert (base.name, latest.name) == ("lit-v1", "lit-v2")
    tables = [quality.per_query_table(settings, folder, catalog) for folder in (base, latest)]
    comparison = breakdowns.compare(*tables)
    summary = breakdowns.comparison_summary(comparison)
    assert summary["queries"] == len(tables[0]) == summary["better"] + summary["worse"] + summary["same"]
    assert summary["r1_a"] == breakdowns.overall(tables[0])["r1"] and summary["r1_b"] == breakdowns.overall(tables[1])["r1"]
    assert (comparison["gain"] == comparison["rank_a"] - comparison["rank_b"]).all()
