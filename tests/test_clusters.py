"""core.explore.clusters: k-means/HDBSCAN labels, cached labels, summaries and names on built cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import core.explore.clusters as clusters
from core.explore.clusters import (
    NOISE,
    ClusterParams,
    candidate_phrases,
    category_phrase,
    cluster,
    cluster_labels,
    composition,
    describe_shares,
)
from core.errors import FashionError
from tests.test_projection import blobs

TYPES = {0: "Tshirts", 1: "Jeans", 2: "Watches"}


SIZES = (60, 30, 20)


def products_of(vectors, sizes=SIZES) -> pd.DataFrame:
    """Blob b holds TYPES[b]; blob 0 is Black but for one Teal item (a rare colour: 1 of 60 < 2%)."""
    blob = np.repeat([0, 1, 2], sizes)
    colours = ["Teal" if i == 0 else ("Black" if b == 0 else "Blue") for i, b in enumerate(blob)]
    return pd.DataFrame({
        "id": vectors.ids, "articleType": [TYPES[b] for b in blob], "baseColour": colours,
        "gender": ["Men" if b != 2 else "Women" for b in blob], "group": [["topwear", "bottomwear", "watches"][b] for b in blob],
        "price": [100 * (b + 1) for b in blob],
    })


class FakeTextEncoder:
    """Phrase -> the direction of its article type's blob, nudged off it by a colour (Black, Blue) or
    by naming no colour; "Teal" phrases sit exactly on it, so a Teal phrase would win if allowed."""

    def __init__(self, dim=16):
        self.dim, self.calls = dim, []

    def __call__(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            out[row, [b for b, kind in TYPES.items() if text.endswith(kind)]] = 1.0
            if "Teal" not in text:
                out[row, 11 if ("Black" in text or "Blue" in text) else 12] = 0.3 if ("Black" in text or "Blue" in text) else 0.1
        return out


def test_kmeans_finds_the_built_clusters_largest_first():
    labels = cluster_labels(blobs().matrix, ClusterParams(k=3))
    assert labels.tolist() == [0] * 40 + [1] * 30 + [2] * 20


def test_hdbscan_finds_the_built_clusters():
    labels = cluster_labels(blobs().matrix, ClusterParams(method="hdbscan", min_cluster_size=5))
    found = [set(labels[s]) - {NOISE} for s in (slice(0, 40), slice(40, 70), slice(70, 90))]
    assert [len(f) for f in found] == [1, 1, 1] and len(set.union(*found)) == 3


@pytest.mark.parametrize("n", [0, 1])
def test_kmeans_on_tiny_inputs(n):
    assert cluster_labels(np.ones((n, 4), np.float32), ClusterParams(k=5)).tolist() == [0] * n


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "dbscan"}, "cluster method"), ({"k": 0}, "k must be"), ({"min_cluster_size": 1}, "min_cluster_size"),
])
def test_bad_cluster_params(kwargs, message):
    with pytest.raises(FashionError, match=message):
        ClusterParams(**kwargs)


def test_composition_of_a_known_set():
    products = pd.DataFrame({"articleType": ["Tshirts", "Tshirts", "Jeans", "Socks"],
                             "baseColour": ["Black", "White", "Black", "Black"], "gender": ["Men"] * 3 + ["Women"],
                             "group": ["topwear", "topwear", "bottomwear", "innerwear"], "price": [100, 300, 500, 900]})
    facts = composition(products, top=2)
    assert facts["size"] == 4
    assert facts["article_types"] == [("Tshirts", 0.5), ("Jeans", 0.25)]  # ties: alphabetical
    assert facts["colours"] == [("Black", 0.75), ("White", 0.25)]
    assert (facts["gender"], facts["gender_share"], facts["group"]) == ("Men", 0.75, "topwear")
    assert (facts["price_min"], facts["price_median"], facts["price_max"]) == (100, 400, 900)
    assert describe_shares(facts["article_types"]) == "Tshirts 50%, Jeans 25%"
    assert composition(products.iloc[:0])["size"] == 0


@pytest.mark.parametrize("parts, phrase", [
    (("Men", "Black", "Tshirts"), "Men Black Tshirts"), (("Women", "Unknown", "Heels"), "Women Heels"),
    (("Unknown", "", "Watches"), "Watches"), (("Unknown", "Unknown", "Unknown"), "Unknown"),
    (("Girls", "Navy Blue", "Dresses"), "Girls Navy Blue Dresses"),
])
def test_category_phrase(parts, phrase):
    assert category_phrase(*parts) == phrase
    frame = pd.DataFrame([parts], columns=["gender", "baseColour", "articleType"])
    assert clusters.product_phrases(frame).tolist() == [phrase]


def test_candidates_leave_out_rare_colours_and_add_colour_free_names():
    vectors = blobs(SIZES)
    first_blob = products_of(vectors).iloc[:60]
    assert candidate_phrases(first_blob) == ["Men Black Tshirts", "Men Tshirts"]  # "Men Teal Tshirts" is 1 of 40
    assert "Men Teal Tshirts" in candidate_phrases(first_blob, min_share=0.0)


def test_cluster_summary_names_and_cache(tmp_path, monkeypatch):
    vectors = blobs(SIZES)
    products = products_of(vectors).sample(frac=1.0, random_state=0)  # any order
    encoder = FakeTextEncoder()
    result = cluster(vectors, ClusterParams(k=3), products, cache_dir=tmp_path, encode_texts=encoder)
    summary = result.summary
    assert not result.cached
    assert summary["size"].tolist() == [60, 30, 20] and np.isclose(summary["share"].sum(), 1.0)
    assert summary["article types"].tolist() == ["Tshirts 100%", "Jeans 100%", "Watches 100%"]
    assert summary["colours"][0] == "Black 98%, Teal 2%"
    assert summary["gender"].tolist() == ["Men 100%", "Men 100%", "Women 100%"]
    assert summary["median price"].tolist() == [100, 200, 300]
    assert summary["name"].tolist() == ["Men Tshirts", "Men Jeans", "Women Watches"]  # not "Men Teal Tshirts": rare
    assert (summary["name_source"] == "nearest description").all()
    assert summary["nearest descriptions"][0] == "Men Tshirts (0.99); Men Black Tshirts (0.96)"
    assert result.labels["cluster_name"].tolist()[:1] == [f"0 · {summary['name'][0]}"]
    assert len(encoder.calls) == 1

    calls = []
    monkeypatch.setattr(clusters, "cluster_labels", lambda *a, **k: calls.append(1))
    again = cluster(vectors, ClusterParams(k=3), products, cache_dir=tmp_path, encode_texts=None)
    assert again.cached and calls == []  # labels read from disk
    assert again.summary["name"].tolist() == summary["name"].tolist()  # phrase vectors cached too: no encoder needed
    assert (again.summary["name_source"] == "nearest description").all()


def test_names_without_encoder_or_cache_are_the_most_frequent_phrase():
    vectors = blobs(SIZES)
    result = cluster(vectors, ClusterParams(k=3), products_of(vectors), cache_dir=None)
    assert result.summary["name"].tolist() == ["Men Black Tshirts", "Men Blue Jeans", "Women Blue Watches"]
    assert (result.summary["name_source"] == "most frequent").all()


def test_other_k_is_another_cache_entry(tmp_path):
    vectors = blobs(SIZES)
    products = products_of(vectors)
    three = cluster(vectors, ClusterParams(k=3), products, cache_dir=tmp_path)
    two = cluster(vectors, ClusterParams(k=2), products, cache_dir=tmp_path)
    assert three.key != two.key and not two.cached and len(two.summary) == 2


def test_hdbscan_noise_is_summarised_last_as_unclustered(tmp_path):
    base = blobs(SIZES)
    outlier = np.zeros((1, 16), np.float32)
    outlier[0, 15] = 1.0
    vectors = type(base)(version=base.version, kind="image", ids=np.append(base.ids, 5000),
                         matrix=np.vstack([base.matrix, outlier]))
    products = pd.concat([products_of(base), pd.DataFrame([{
        "id": 5000, "articleType": "Free Gifts", "baseColour": "Red", "gender": "Unisex", "group": "other", "price": 1}])])
    result = cluster(vectors, ClusterParams(method="hdbscan", min_cluster_size=5), products, cache_dir=tmp_path)
    assert result.summary["name"].iloc[-1] == "unclustered" and result.summary["cluster"].iloc[-1] == NOISE
    assert result.labels.set_index("id").loc[5000, "cluster_name"] == "unclustered"
