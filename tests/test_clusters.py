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
    assert summary["name"].tolist() == ["Men Black Tshirts", "Men Blue Jeans", "Women Blue Watches"]  # by their shares
    assert summary["purity"].tolist() == [1.0, 1.0, 1.0]
    assert summary["basis"][0] == "Tshirts 100% · Black 98% · Men 100%"
    assert summary["nearest descriptions"][0] == "Men Tshirts (0.99); Men Black Tshirts (0.96)"  # the model's view
    assert result.labels["cluster_name"].tolist()[:1] == [f"0 · {summary['name'][0]}"]
    assert len(encoder.calls) == 1

    calls = []
    monkeypatch.setattr(clusters, "cluster_labels", lambda *a, **k: calls.append(1))
    again = cluster(vectors, ClusterParams(k=3), products, cache_dir=tmp_path, encode_texts=None)
    assert again.cached and calls == []  # labels read from disk
    assert again.summary["name"].tolist() == summary["name"].tolist()
    assert again.summary["nearest descriptions"].tolist() == summary["nearest descriptions"].tolist()  # phrases cached


def test_names_need_no_encoder():
    vectors = blobs(SIZES)
    result = cluster(vectors, ClusterParams(k=3), products_of(vectors), cache_dir=None)
    assert result.summary["name"].tolist() == ["Men Black Tshirts", "Men Blue Jeans", "Women Blue Watches"]
    assert (result.summary["nearest descriptions"] == "").all()


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


# -- names stated only as far as the cluster's own shares support them ------------------------------
THRESHOLDS = {"gender": 0.6, "colour": 0.4, "type": 0.5, "group": 0.5}  # the rule, restated here on purpose
MIXED = "mixed products"


def _counted(pairs) -> list[str]:
    return [value for value, n in pairs for _ in range(n)]


def _set(gender, colour, kind, group=None) -> pd.DataFrame:
    """100 products from ``(value, count)`` lists; group defaults to each type's real group."""
    from core.data.groups import group_of

    kinds = _counted(kind)
    return pd.DataFrame({"gender": _counted(gender), "baseColour": _counted(colour), "articleType": kinds,
                         "group": _counted(group) if group else [group_of(k, "", "") for k in kinds]})


@pytest.mark.parametrize("products, name, purity", [
    # the "Women Brown Handbags": 30% red, 15% beige, 15% black -> no colour is named
    (_set([("Women", 100)], [("Red", 30), ("Beige", 15), ("Black", 15), ("Brown", 10), ("White", 30)],
          [("Handbags", 62), ("Clutches", 20), ("Wallets", 18)]), "Women Handbags", 0.62),
    # "Men Green Shirts": 15% black, 12% green
    (_set([("Men", 100)], [("Black", 15), ("Green", 12), ("Blue", 25), ("White", 24), ("Grey", 24)],
          [("Shirts", 70), ("Tshirts", 30)]), "Men Shirts", 0.70),
    # "Unisex Blue Caps": 30% black
    (_set([("Unisex", 80), ("Men", 20)], [("Black", 30), ("Blue", 28), ("Red", 22), ("White", 20)],
          [("Caps", 100)]), "Unisex Caps", 1.0),
    # "Men Sports Shoes", half of it casual shoes: no type leads with half -> the group
    (_set([("Men", 70), ("Women", 30)], [("Black", 45), ("White", 35), ("Grey", 20)],
          [("Casual Shoes", 48), ("Sports Shoes", 45), ("Sandals", 7)]), "Men Black Footwear", 1.0),
    # a 50/50 type tie names neither; a 55/45 gender split names none; nothing leads: mixed
    (_set([("Men", 55), ("Women", 45)], [("Black", 50), ("White", 50)], [("Tshirts", 50), ("Jeans", 50)]),
     "Mixed products", 0.5),
    (_set([("Women", 100)], [("Unknown", 90), ("Red", 10)], [("Heels", 100)]), "Women Heels", 1.0),
])
def test_names_state_only_what_the_shares_support(products, name, purity):
    named = clusters.name_from_shares(products)
    assert (named.name, named.purity) == (name, pytest.approx(purity))
    check_name(named.name, named.purity, products, products)
    assert named.label.startswith(f"{name} · ") and "%" in named.basis


def _shares(values: pd.Series) -> pd.Series:
    shares = values.astype(str).value_counts(normalize=True)
    return shares.iloc[np.lexsort((shares.index.to_numpy(), -shares.to_numpy()))]


def _leader(shares: pd.Series, minimum: float) -> str:
    """The value a name must state: alone in the lead, a real value, at ``minimum`` or more (else "")."""
    if shares.empty or shares.index[0] in ("", "Unknown") or shares.iloc[0] < minimum - 1e-12:
        return ""
    return "" if len(shares) > 1 and np.isclose(shares.iloc[1], shares.iloc[0]) else shares.index[0]


def _groups(products: pd.DataFrame) -> pd.Series:
    from core.data.groups import GROUP_LABELS

    return products["group_label"] if "group_label" in products else products["group"].map(GROUP_LABELS)


def parse_name(name: str, vocabulary: pd.DataFrame) -> tuple[str, str, str]:
    """``"Women Navy Blue Handbags"`` -> ("Women", "Navy Blue", "Handbags") with the catalogue's own words."""
    nouns = {n.lower(): n for n in set(vocabulary["articleType"]) | set(_groups(vocabulary)) | {MIXED}}
    gender = next((g for g in sorted(set(vocabulary["gender"]), key=len, reverse=True) if name.startswith(g + " ")), "")
    rest = name[len(gender) + 1:] if gender else name
    if rest.lower() in nouns:
        return gender, "", nouns[rest.lower()]
    colour = next(c for c in sorted(set(vocabulary["baseColour"]), key=len, reverse=True)
                  if rest.startswith(c + " ") and rest[len(c) + 1:].lower() in nouns)
    return gender, colour, nouns[rest[len(colour) + 1:].lower()]


def check_name(name: str, purity: float, part: pd.DataFrame, vocabulary: pd.DataFrame) -> None:
    """Every word of ``name`` is backed by a share of ``part`` at or above its threshold, every value
    leading ``part`` past its threshold is named, and ``purity`` is the share its noun covers."""
    gender, colour, noun = parse_name(name, vocabulary)
    genders, colours, kinds, groups = (_shares(part["gender"]), _shares(part["baseColour"]),
                                       _shares(part["articleType"]), _shares(_groups(part)))
    where = f"{name!r}: gender {dict(genders.head(2))}, colour {dict(colours.head(2))}, type {dict(kinds.head(2))}"
    if gender:
        assert genders[gender] >= THRESHOLDS["gender"], where
    if colour:
        assert colours[colour] >= THRESHOLDS["colour"], where
    if noun in kinds.index and kinds[noun] >= THRESHOLDS["type"]:
        covered = kinds[noun]
    elif noun != MIXED:
        assert groups[noun] >= THRESHOLDS["group"] and not _leader(kinds, THRESHOLDS["type"]), where
        covered = groups[noun]
    else:
        assert not _leader(kinds, THRESHOLDS["type"]) and not _leader(groups, THRESHOLDS["group"]), where
        covered = kinds.iloc[0]
    assert (gender, colour) == (_leader(genders, THRESHOLDS["gender"]), _leader(colours, THRESHOLDS["colour"])), where
    assert noun == (_leader(kinds, THRESHOLDS["type"]) or _leader(groups, THRESHOLDS["group"]) or MIXED), where
    assert purity == pytest.approx(covered), where


def check_clustering(result, products: pd.DataFrame) -> list[str]:
    """Check every cluster's name against the shares of its own products; returns the names."""
    members = result.labels.merge(products, on="id")
    names = []
    for row in result.summary[result.summary["cluster"] != NOISE].itertuples(index=False):
        part = members[members["cluster"] == row.cluster]
        assert len(part) == row.size
        check_name(row.name, row.purity, part, products)
        assert (part["cluster_name"] == f"{row.cluster} · {row.name}").all()
        names.append(row.name)
    return names


def synthetic_catalogue(seed: int = 0):
    """Twelve blobs whose products mix genders, colours and types at every level of purity."""
    rng = np.random.default_rng(seed)
    kinds = [("Handbags", "Clutches"), ("Shirts", "Tshirts"), ("Caps", "Hat"), ("Sports Shoes", "Casual Shoes"),
             ("Jeans", "Trousers"), ("Watches", "Bracelet")]
    colour_names = ["Black", "Red", "Beige", "Navy Blue", "White", "Green"]
    frames = []
    for blob in range(12):
        n = int(rng.integers(40, 90))
        lead = rng.choice([1.0, 0.7, 0.62, 0.5, 0.45, 0.3])
        a, b = kinds[blob % len(kinds)]
        other = kinds[(blob + 1) % len(kinds)][0]
        kind = rng.choice([a, b, other], size=n, p=[lead, (1 - lead) * 0.6, (1 - lead) * 0.4])
        colour_lead = rng.choice([0.9, 0.42, 0.3, 0.15])
        palette = colour_names[blob % 6:] + colour_names[:blob % 6]
        colours = rng.choice(palette, size=n, p=[colour_lead] + [(1 - colour_lead) / 5] * 5)
        genders = ["Men", "Women", "Unisex"][blob % 3:] + ["Men", "Women", "Unisex"][:blob % 3]
        gender = rng.choice(genders, size=n, p=rng.choice([[1, 0, 0], [0.65, 0.35, 0], [0.5, 0.3, 0.2]]))
        frames.append(pd.DataFrame({"blob": blob, "articleType": kind, "baseColour": colours, "gender": gender}))
    products = pd.concat(frames, ignore_index=True)
    from core.data.groups import group_of

    products["group"] = [group_of(k, "", "") for k in products["articleType"]]
    products["price"] = 500
    vectors = blobs(tuple(products.groupby("blob").size()), dim=16, seed=seed)
    products["id"] = vectors.ids
    return vectors, products


@pytest.mark.parametrize("params", [ClusterParams(k=12), ClusterParams(k=5), ClusterParams(k=2),
                                    ClusterParams(method="hdbscan", min_cluster_size=20)])
def test_every_name_of_a_synthetic_clustering_is_backed_by_its_shares(params):
    vectors, products = synthetic_catalogue()
    names = check_clustering(cluster(vectors, params, products, cache_dir=None), products)
    assert names


def test_the_synthetic_catalogue_exercises_every_kind_of_name():
    vectors, products = synthetic_catalogue()
    names = [n for k in (12, 5, 2) for n in check_clustering(cluster(vectors, ClusterParams(k=k), products, cache_dir=None),
                                                              products)]
    parsed = [parse_name(n, products) for n in names]
    assert any(c for _, c, _ in parsed) and any(not c for _, c, _ in parsed)  # colours named and left out
    assert any(g for g, _, _ in parsed) and any(not g for g, _, _ in parsed)
    assert {"Handbags", "Bags & wallets"} & {noun for _, _, noun in parsed}
    assert any(noun in ("Footwear", "Topwear", "Bags & wallets", MIXED) for _, _, noun in parsed)  # a fallback noun


@pytest.mark.parametrize("kind", ["image", "text"])
@pytest.mark.parametrize("params", [ClusterParams(), ClusterParams(k=4), ClusterParams(k=30),
                                    ClusterParams(method="hdbscan")])
def test_every_name_of_the_demo_clusterings_is_backed_by_its_shares(built_demo_home, kind, params):
    from core.config import Settings
    from core.data.catalog import load_catalog
    from core.explore.vectors import load_vectors
    from core.model.registry import latest_model, version_of

    settings = Settings.from_env(env={}, home=built_demo_home)
    vectors = load_vectors(settings, version_of(latest_model(settings)), kind)
    products = load_catalog(settings)
    assert check_clustering(cluster(vectors, params, products, cache_dir=None), products)
