"""Clusters of the embeddings, what each one holds, and a name for it.

Owns clustering the (PCA-reduced) vectors with k-means (the user picks k) or HDBSCAN (finds its
own number and leaves outliers as noise, label -1), caching the labels on disk beside the maps
(``projections_dir/clusters/<key>.parquet``, keyed like a map), and summarising a cluster or any
set of products (:func:`composition`): size, top article types and colours with shares, dominant
group and gender, price median and range. The selection panel of the map uses the same summary.

A cluster is named by what it holds (:func:`name_from_shares`): ``[gender] [colour] <noun>``, where
each word appears only when its value leads the cluster with at least its share threshold (gender
60%, colour 40%, article type 50%, else the product group at 50%, else "mixed products"), and the
name comes with its ``purity`` (the share the noun describes) and the shares it rests on
(``basis``). Trade-off accepted: names get vaguer ("Women Handbags", "Men Footwear") where a
cluster is mixed, rather than naming a colour or type that a minority holds.

Beside the name, the model's own view: the cluster's category phrases (``"<gender> <colour>
<articleType>"`` held by at least 2% of it) nearest to its centroid, encoded once per model version
with its text tower (cached on disk by text hash); empty without an encoder or cached phrases.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from core.data.groups import GROUP_LABELS
from core.errors import FashionError
from core.explore.projection import FORMAT, ProjectionCache, reduce_dims
from core.explore.vectors import ProgressFn, Vectors, no_progress
from core.index.embedding_cache import EmbeddingCache
from core.model.embedder import normalise
from core.model.features import text_sha1

CLUSTER_METHODS = ("kmeans", "hdbscan")
NOISE = -1
EncodeTexts = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True, kw_only=True)
class ClusterParams:
    """``kmeans`` with ``k`` clusters, or ``hdbscan`` with ``min_cluster_size`` (0 = 1% of the points, at least 5)."""

    method: str = "kmeans"
    k: int = 12
    min_cluster_size: int = 0
    pca_dims: int = 50
    random_state: int = 42

    def __post_init__(self) -> None:
        if self.method not in CLUSTER_METHODS:
            raise FashionError(f"cluster method must be one of {', '.join(CLUSTER_METHODS)}; got {self.method!r}")
        if self.method == "kmeans" and not 1 <= self.k <= 100:
            raise FashionError(f"k must be between 1 and 100, got {self.k}")
        if self.min_cluster_size < 0 or self.min_cluster_size == 1:
            raise FashionError(f"min_cluster_size must be 0 (automatic) or at least 2, got {self.min_cluster_size}")

    def key_fields(self) -> dict:
        fields = asdict(self)
        fields.pop("min_cluster_size" if self.method == "kmeans" else "k")
        return fields


def cluster_labels(matrix: np.ndarray, params: ClusterParams) -> np.ndarray:
    """int64 label per row: 0..k-1 for k-means; HDBSCAN's labels with -1 for noise."""
    matrix = np.asarray(matrix, np.float32)
    n = len(matrix)
    if n <= 1:
        return np.zeros(n, np.int64)
    reduced = reduce_dims(normalise(matrix), params.pca_dims, random_state=params.random_state)
    if params.method == "kmeans":
        from sklearn.cluster import KMeans

        k = min(params.k, n)
        if k == 1:
            return np.zeros(n, np.int64)
        model = KMeans(n_clusters=k, n_init=4, random_state=params.random_state)
        labels = model.fit_predict(reduced)
    else:
        from sklearn.cluster import HDBSCAN

        size = params.min_cluster_size or max(5, n // 100)
        if n < size:
            return np.full(n, NOISE, np.int64)
        labels = HDBSCAN(min_cluster_size=size, copy=True).fit_predict(reduced)
    return _renumber_by_size(np.asarray(labels, np.int64))


def _renumber_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 0 is the largest, then 1...; noise stays -1 (stable names for equal inputs)."""
    values, counts = np.unique(labels[labels != NOISE], return_counts=True)
    order = values[np.lexsort((values, -counts))]
    mapping = {int(old): new for new, old in enumerate(order)}
    return np.array([mapping.get(int(v), NOISE) for v in labels], dtype=np.int64)


def centroids(matrix: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean vector of each cluster (noise excluded)."""
    out = {}
    for label in sorted(set(labels.tolist()) - {NOISE}):
        out[label] = normalise(matrix[labels == label].mean(axis=0, keepdims=True))[0]
    return out


# -- what a set of products holds ---------------------------------------------------------------
def top_shares(values: pd.Series, top: int = 3) -> list[tuple[str, float]]:
    """The ``top`` most frequent values with their shares, e.g. ``[("Tshirts", 0.5), ("Jeans", 0.25)]``."""
    if len(values) == 0:
        return []
    counts = values.astype(str).value_counts()
    counts = counts.iloc[np.lexsort((counts.index.to_numpy(), -counts.to_numpy()))]  # ties: alphabetical
    return [(str(name), float(count / len(values))) for name, count in counts.head(top).items()]


def describe_shares(shares: Sequence[tuple[str, float]]) -> str:
    """``[("Tshirts", 0.5), ("Jeans", 0.25)]`` -> ``"Tshirts 50%, Jeans 25%"``."""
    return ", ".join(f"{name} {share:.0%}" for name, share in shares)


def composition(products: pd.DataFrame, *, top: int = 3) -> dict:
    """What ``products`` hold: size, top article types/colours (shares), dominant group and gender, prices.

    ``products`` needs articleType, baseColour, gender, price and group (or group_label) columns.
    """
    if products.empty:
        return {"size": 0, "article_types": [], "colours": [], "group": "", "gender": "",
                "price_median": 0, "price_min": 0, "price_max": 0}
    group_column = "group_label" if "group_label" in products else "group"
    prices = pd.to_numeric(products["price"], errors="coerce").dropna()
    gender = top_shares(products["gender"], 1)[0]
    group = top_shares(products[group_column], 1)[0]
    return {
        "size": int(len(products)),
        "article_types": top_shares(products["articleType"], top),
        "colours": top_shares(products["baseColour"], top),
        "group": group[0], "group_share": group[1],
        "gender": gender[0], "gender_share": gender[1],
        "price_median": int(prices.median()) if len(prices) else 0,
        "price_min": int(prices.min()) if len(prices) else 0,
        "price_max": int(prices.max()) if len(prices) else 0,
    }


# -- names --------------------------------------------------------------------------------------
GENDER_MIN = 0.6
"""A gender word claims who the cluster is for: only when one gender holds at least 60% of it, so
a near-even men/women cluster is called neither."""
COLOUR_MIN = 0.4
"""Colours are many and spread thinly: a colour word needs one colour at 40% or more."""
TYPE_MIN = 0.5
"""The noun is the article type when one type holds at least half the cluster..."""
GROUP_MIN = 0.5
"""...else the product group (e.g. "Footwear") when one group holds at least half, else :data:`MIXED`."""
MIXED = "mixed products"
NO_VALUE = ("", "Unknown", "nan")


@dataclass(frozen=True)
class ClusterName:
    """A cluster's name, each word backed by a share of the cluster at or above its threshold.

    ``purity`` is the share of the cluster that the noun describes (its article type, or its group
    when the name gives a group), or for a mixed cluster the share of its largest article type.
    ``basis`` says what the name rests on: ``"Handbags 62% · colours mixed (Red 30%) · Women 95%"``.
    """

    name: str
    purity: float
    basis: str
    gender: str = ""
    colour: str = ""
    noun: str = MIXED
    noun_kind: str = "mixed"  # "type", "group" or "mixed"

    @property
    def label(self) -> str:
        """``"Women Handbags · Handbags 62% · colours mixed (Red 30%) · Women 95%"``."""
        return f"{self.name} · {self.basis}"


def _leader(values: pd.Series, minimum: float) -> tuple[str, float, bool]:
    """(top value, its share, whether it may be named: a real value, not tied, share >= ``minimum``)."""
    shares = top_shares(values, 2)
    if not shares:
        return "", 0.0, False
    (value, share), runner_up = shares[0], (shares[1][1] if len(shares) > 1 else 0.0)
    return value, share, value not in NO_VALUE and share >= minimum and share > runner_up


def name_from_shares(products: pd.DataFrame) -> ClusterName:
    """Name a set of products by what it holds: ``[gender] [colour] <article type | group | mixed products>``.

    Each word is there only when its value leads the set with at least its threshold
    (:data:`GENDER_MIN`, :data:`COLOUR_MIN`, :data:`TYPE_MIN`, :data:`GROUP_MIN`) and no tie;
    ``products`` needs gender, baseColour, articleType and group_label (or group) columns.
    """
    if products.empty:
        return ClusterName("Empty", 0.0, "no products")
    groups = products["group_label"] if "group_label" in products else products["group"].map(GROUP_LABELS).fillna(products["group"])
    gender, gender_share, gender_named = _leader(products["gender"], GENDER_MIN)
    colour, colour_share, colour_named = _leader(products["baseColour"], COLOUR_MIN)
    kind, kind_share, kind_named = _leader(products["articleType"], TYPE_MIN)
    group, group_share, group_named = _leader(groups, GROUP_MIN)
    if kind_named:
        noun, noun_kind, purity, noun_basis = kind, "type", kind_share, f"{kind} {kind_share:.0%}"
    elif group_named:
        noun, noun_kind, purity = group, "group", group_share
        noun_basis = f"{group} {group_share:.0%} (largest type {kind} {kind_share:.0%})"
    else:
        noun, noun_kind, purity = MIXED, "mixed", kind_share
        noun_basis = f"types mixed (largest {kind} {kind_share:.0%})"
    colour_basis = f"{colour} {colour_share:.0%}" if colour_named else f"colours mixed ({colour} {colour_share:.0%})"
    gender_basis = f"{gender} {gender_share:.0%}" if gender_named else f"genders mixed ({gender} {gender_share:.0%})"
    words = [w for w, named in ((gender, gender_named), (colour, colour_named)) if named] + [noun]
    name = " ".join(words)
    return ClusterName(name[0].upper() + name[1:], purity, " · ".join([noun_basis, colour_basis, gender_basis]),
                       gender=gender if gender_named else "", colour=colour if colour_named else "",
                       noun=noun, noun_kind=noun_kind)


# -- the model's view: the category descriptions nearest to a cluster's centroid -------------------
def category_phrase(gender: str, colour: str, article_type: str) -> str:
    """``"Women Black Handbags"``; Unknown or empty parts are left out."""
    parts = [str(p).strip() for p in (gender, colour, article_type)]
    return " ".join(p for p in parts if p and p != "Unknown") or "Unknown"


def product_phrases(products: pd.DataFrame, *, colour: bool = True) -> pd.Series:
    """The category phrase of each product (same index); ``colour=False`` gives "<gender> <articleType>"."""
    columns = ["gender", "baseColour", "articleType"] if colour else ["gender", "articleType"]
    parts = products[columns].astype(str).apply(lambda c: c.str.strip()).replace("Unknown", "")
    joined = parts.iloc[:, 0].str.cat([parts[c] for c in columns[1:]], sep=" ")
    phrases = joined.str.replace(r"\s+", " ", regex=True).str.strip().replace("", "Unknown")
    return phrases.astype(object)


def candidate_phrases(products: pd.DataFrame, *, min_share: float = 0.02) -> list[str]:
    """The phrases that may name a set of products: its own "<gender> <colour> <type>" and
    "<gender> <type>" phrases held by at least ``min_share`` of it (at least one product).

    The colour-free form lets a cluster of many colours be named by what it is, and the share floor
    keeps a rare colour (whose phrase may sit near any centroid) from naming a whole cluster.
    """
    labels = np.zeros(len(products), np.int64)
    return _candidates_by_label(products, labels, min_share=min_share).get(0, [])


def _candidates_by_label(products: pd.DataFrame, labels: np.ndarray, *, min_share: float = 0.02) -> dict[int, list[str]]:
    sizes = pd.Series(labels).value_counts()
    found: dict[int, set[str]] = {int(label): set() for label in sizes.index}
    for colour in (True, False):
        counts = pd.DataFrame({"label": labels, "phrase": product_phrases(products, colour=colour).to_numpy()}) \
            .value_counts().reset_index(name="n")
        floor = np.maximum(1, np.ceil(min_share * sizes.loc[counts["label"]].to_numpy()))
        for label, phrase in counts.loc[counts["n"].to_numpy() >= floor, ["label", "phrase"]].itertuples(index=False):
            found[int(label)].add(phrase)
    return {label: sorted(phrases) for label, phrases in found.items()}


def phrase_vectors(phrases: Sequence[str], encode_texts: EncodeTexts | None, *, version: str,
                   cache_dir: Path | None, progress: ProgressFn | None = None) -> dict[str, np.ndarray]:
    """Unit vectors of ``phrases``: from the on-disk cache, the rest encoded (none when no encoder)."""
    cache = EmbeddingCache(cache_dir, version, "text") if cache_dir is not None else None
    keys = {p: text_sha1(p) for p in phrases}
    found = cache.get_many(keys.values()) if cache is not None else {}
    vectors = {p: found[k] for p, k in keys.items() if k in found}
    missing = [p for p in phrases if p not in vectors]
    if missing and encode_texts is not None:
        (progress or no_progress)(f"Encoding {len(missing):,} category descriptions to name the clusters", 0.6)
        encoded = normalise(np.asarray(encode_texts(missing), np.float32))
        if cache is not None:
            cache.put([keys[p] for p in missing], encoded)
        vectors.update(zip(missing, encoded))
    return vectors


def nearest_descriptions(products: pd.DataFrame, labels: np.ndarray, matrix: np.ndarray,
                         vectors: dict[str, np.ndarray]) -> dict[int, str]:
    """Per cluster, the model's view: its own category phrases nearest to its centroid, top 3 with
    cosines (``"Men Tshirts (0.99); Men Black Tshirts (0.96)"``); empty without phrase vectors."""
    out = {}
    candidates_of = _candidates_by_label(products, labels)
    for label, centre in centroids(matrix, labels).items():
        candidates = [p for p in candidates_of.get(label, []) if p in vectors]
        if not candidates:
            out[label] = ""
            continue
        scores = np.stack([vectors[p] for p in candidates]) @ centre
        order = np.argsort(-scores, kind="stable")[:3]
        out[label] = "; ".join(f"{candidates[i]} ({scores[i]:.2f})" for i in order)
    return out


# -- the clustering of a map -------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Clustering:
    """Labels (id, cluster, cluster_name) and the per-cluster summary table."""

    key: str
    labels: pd.DataFrame
    summary: pd.DataFrame
    params: ClusterParams
    seconds: float
    cached: bool
    info: dict = field(default_factory=dict)


SUMMARY_COLUMNS = ["cluster", "name", "purity", "size", "share", "basis", "article types", "colours", "group",
                   "gender", "median price", "nearest descriptions"]


def clustering_key(vectors: Vectors, params: ClusterParams) -> str:
    payload = {"format": FORMAT, "what": "clusters", "version": vectors.version, "kind": vectors.kind,
               "params": params.key_fields(), "content": vectors.content_hash}
    return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def summarise_clusters(products: pd.DataFrame, labels: np.ndarray, nearest: dict[int, str] | None = None) -> pd.DataFrame:
    """One row per cluster (noise last, as ``unclustered``) with :data:`SUMMARY_COLUMNS`: the name
    from :func:`name_from_shares`, its ``purity`` and ``basis``, and what the cluster holds."""
    rows = []
    for label in sorted(set(labels.tolist()), key=lambda v: (v == NOISE, v)):
        part = products[labels == label]
        facts, named = composition(part), name_from_shares(part)
        rows.append({
            "cluster": label,
            "name": named.name if label != NOISE else "unclustered",
            "purity": named.purity, "size": facts["size"], "share": facts["size"] / max(len(products), 1),
            "basis": named.basis,
            "article types": describe_shares(facts["article_types"]),
            "colours": describe_shares(facts["colours"]),
            "group": f"{facts['group']} {facts['group_share']:.0%}",
            "gender": f"{facts['gender']} {facts['gender_share']:.0%}",
            "median price": facts["price_median"],
            "nearest descriptions": (nearest or {}).get(label, ""),
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def display_name(label: int, name: str) -> str:
    """``"3 · Men Black Tshirts"``: unique even when two clusters share a description."""
    return "unclustered" if label == NOISE else f"{label} · {name}"


def cluster(vectors: Vectors, params: ClusterParams, products: pd.DataFrame, *, cache_dir: Path | None,
            encode_texts: EncodeTexts | None = None, progress: ProgressFn | None = None) -> Clustering:
    """Cluster ``vectors`` (labels cached in ``cache_dir/clusters``), then summarise and name each cluster.

    ``products`` has one row per id of ``vectors`` (any order) with articleType, baseColour, gender,
    group and price; ``encode_texts`` is the model's text encoder, only called for phrases not cached yet.
    """
    progress = progress or no_progress
    products = products.set_index("id").loc[vectors.ids].reset_index()
    key = clustering_key(vectors, params)
    store = ProjectionCache(Path(cache_dir) / "clusters") if cache_dir is not None else None
    found = store.load(key) if store is not None else None
    if found is not None and np.array_equal(found[0]["id"].to_numpy(), vectors.ids):
        labels, seconds, cached = found[0]["cluster"].to_numpy(np.int64), float(found[1].get("seconds", 0)), True
    else:
        progress(f"Clustering ({params.method})", 0.0)
        started = time.perf_counter()
        labels = cluster_labels(vectors.matrix, params)
        seconds, cached = time.perf_counter() - started, False
        if store is not None:
            with store.lock(key):
                store.save(key, pd.DataFrame({"id": vectors.ids, "cluster": labels}),
                           {"key": key, "version": vectors.version, "kind": vectors.kind,
                            "params": asdict(params), "seconds": round(seconds, 3)})
    own = sorted({p for label, found in _candidates_by_label(products, labels).items() if label != NOISE for p in found})
    vectors_of = phrase_vectors(own, encode_texts, version=vectors.version, cache_dir=cache_dir, progress=progress)
    summary = summarise_clusters(products, labels, nearest_descriptions(products, labels, vectors.matrix, vectors_of))
    by_label = dict(zip(summary["cluster"], summary["name"]))
    frame = pd.DataFrame({"id": vectors.ids, "cluster": labels})
    frame["cluster_name"] = [display_name(v, by_label.get(v, "")) for v in labels]
    return Clustering(key, frame, summary, params, seconds, cached)
