"""Clusters of the embeddings, what each one holds, and a name for it.

Owns clustering the (PCA-reduced) vectors with k-means (the user picks k) or HDBSCAN (finds its
own number and leaves outliers as noise, label -1), caching the labels on disk beside the maps
(``projections_dir/clusters/<key>.parquet``, keyed like a map), and summarising a cluster or any
set of products (:func:`composition`): size, top article types and colours with shares, dominant
group and gender, price median and range. The selection panel of the map uses the same summary.

A cluster is named after the category description nearest to its centroid: the phrases
``"<gender> <colour> <articleType>"`` of the mapped products, encoded once per model version with
its text tower (cached on disk by text hash) and compared by cosine with the cluster's mean
vector. Trade-off accepted: only phrases that occur among the cluster's own products may name it,
so a weakly aligned model cannot call a cluster of shoes "Women Red Handbags"; the name is then the
most *central* of the cluster's own categories, not necessarily its most frequent. Without an
encoder (and no cached phrases) the most frequent phrase names it, and ``name_source`` says so.
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


def name_clusters(products: pd.DataFrame, labels: np.ndarray, matrix: np.ndarray,
                  vectors: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per cluster: ``name`` (the candidate phrase nearest to the centroid), ``nearest`` (top 3 with
    cosines) and ``name_source`` ("nearest description", or "most frequent" without phrase vectors)."""
    rows = []
    candidates_of = _candidates_by_label(products, labels)
    for label, centre in centroids(matrix, labels).items():
        candidates = [p for p in candidates_of.get(label, []) if p in vectors]
        if candidates:
            scores = np.stack([vectors[p] for p in candidates]) @ centre
            order = np.argsort(-scores, kind="stable")
            nearest = [(candidates[i], float(scores[i])) for i in order[:3]]
            rows.append({"cluster": label, "name": nearest[0][0], "name_source": "nearest description",
                         "nearest": "; ".join(f"{p} ({s:.2f})" for p, s in nearest)})
        else:
            frequent = product_phrases(products[labels == label]).value_counts()
            rows.append({"cluster": label, "name": str(frequent.index[0]), "name_source": "most frequent", "nearest": ""})
    return pd.DataFrame(rows, columns=["cluster", "name", "name_source", "nearest"])


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


SUMMARY_COLUMNS = ["cluster", "name", "size", "share", "article types", "colours", "group", "gender",
                   "median price", "nearest descriptions", "name_source"]


def clustering_key(vectors: Vectors, params: ClusterParams) -> str:
    payload = {"format": FORMAT, "what": "clusters", "version": vectors.version, "kind": vectors.kind,
               "params": params.key_fields(), "content": vectors.content_hash}
    return hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def summarise_clusters(products: pd.DataFrame, labels: np.ndarray, names: pd.DataFrame) -> pd.DataFrame:
    """One row per cluster (noise last, as ``unclustered``) with :data:`SUMMARY_COLUMNS`."""
    rows = []
    named = names.set_index("cluster") if len(names) else pd.DataFrame()
    for label in sorted(set(labels.tolist()), key=lambda v: (v == NOISE, v)):
        part = products[labels == label]
        facts = composition(part)
        known = label in named.index
        rows.append({
            "cluster": label,
            "name": named.loc[label, "name"] if known else "unclustered",
            "size": facts["size"], "share": facts["size"] / max(len(products), 1),
            "article types": describe_shares(facts["article_types"]),
            "colours": describe_shares(facts["colours"]),
            "group": f"{facts['group']} {facts['group_share']:.0%}",
            "gender": f"{facts['gender']} {facts['gender_share']:.0%}",
            "median price": facts["price_median"],
            "nearest descriptions": named.loc[label, "nearest"] if known else "",
            "name_source": named.loc[label, "name_source"] if known else "noise",
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
    names = name_clusters(products, labels, vectors.matrix, vectors_of)
    summary = summarise_clusters(products, labels, names)
    by_label = dict(zip(summary["cluster"], summary["name"]))
    frame = pd.DataFrame({"id": vectors.ids, "cluster": labels})
    frame["cluster_name"] = [display_name(v, by_label.get(v, "")) for v in labels]
    return Clustering(key, frame, summary, params, seconds, cached)
