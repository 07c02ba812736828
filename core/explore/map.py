"""The Embedding map screen's data: one frame of mapped products, and the one call that builds it.

Owns what the map can be coloured by (:data:`COLOUR_FIELDS`; the price bands are
``core.data.enrich``'s, the same as the Dataset screen's), the frame the screen draws
(:func:`map_frame`: coordinates + cluster + catalogue attributes + price band + curation labels)
and :func:`build_map`, which projects (``core.explore.projection``) and clusters
(``core.explore.clusters``), both cached on disk, and joins the result into an
:class:`EmbeddingMap`. Trade-off accepted: a product's attributes come from the prepared catalogue
when it still has the product, else from the index metadata, so a map of an older index still
shows every point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from core.data.enrich import price_band
from core.data.groups import GROUP_LABELS
from core.explore.clusters import SUMMARY_COLUMNS, Clustering, ClusterParams, cluster
from core.explore.projection import Projection, ProjectionParams, project
from core.explore.vectors import ProgressFn, Vectors, no_progress

COLOUR_FIELDS: dict[str, str] = {
    "Cluster": "cluster_name",
    "Group": "group_label",
    "Article type": "articleType",
    "Colour": "baseColour",
    "Gender": "gender",
    "Season": "season",
    "Usage": "usage",
    "Price band": "price_band",
    "Price": "price",
    "Curation tag": "tags",
    "Curation flag": "flags",
    "Split": "split",
}
"""What the map can be coloured by: label -> column of :func:`map_frame`. ``price`` is continuous."""

CONTINUOUS_FIELDS = ("price",)
PRODUCT_COLUMNS = ("productDisplayName", "gender", "masterCategory", "subCategory", "articleType", "baseColour",
                   "season", "usage", "group", "price", "image", "split", "year")


def map_frame(projection: Projection, vectors: Vectors, catalog: pd.DataFrame | None = None,
              clusters: pd.DataFrame | None = None, labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per mapped product: id, x, y, the product's attributes, cluster and curation labels.

    Attributes come from the prepared ``catalog`` (fresher, and the only source of ``split``), then
    the index metadata for products the catalogue no longer has. ``clusters`` has columns id,
    cluster, cluster_name; ``labels`` is :meth:`core.curation.store.CurationStore.labels`.
    """
    frame = projection.coords.copy()
    meta = vectors.metadata.rename(columns={"name": "productDisplayName"})
    meta = meta[[c for c in ("id", *PRODUCT_COLUMNS) if c in meta.columns]]
    if catalog is not None and len(catalog):
        known = catalog[[c for c in ("id", *PRODUCT_COLUMNS) if c in catalog.columns]]
        meta = pd.concat([known[known["id"].isin(frame["id"])], meta[~meta["id"].isin(known["id"])]])
    frame = frame.merge(meta, on="id", how="left")
    for column in PRODUCT_COLUMNS:
        if column not in frame.columns:
            frame[column] = 0 if column in ("price", "year") else ""
    text_columns = [c for c in PRODUCT_COLUMNS if c not in ("price", "year")]
    frame[text_columns] = frame[text_columns].fillna("").astype(str)
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce").fillna(0).astype(np.int64)
    frame.loc[frame["productDisplayName"] == "", "productDisplayName"] = "Product " + frame["id"].astype(str)
    frame["group_label"] = frame["group"].map(GROUP_LABELS).fillna(frame["group"])
    frame["price_band"] = price_band(frame["price"]).astype(str)
    if clusters is not None:
        frame = frame.merge(clusters[["id", "cluster", "cluster_name"]], on="id", how="left")
        frame["cluster"] = frame["cluster"].fillna(-1).astype(np.int64)
        frame["cluster_name"] = frame["cluster_name"].fillna("unclustered")
    else:
        frame["cluster"], frame["cluster_name"] = -1, "unclustered"
    frame["tags"], frame["flags"], frame["notes"] = "", "", 0
    if labels is not None and len(labels):
        found = frame[["id"]].merge(labels[["id", "tags", "flags", "notes"]], on="id", how="left")
        frame["tags"] = found["tags"].fillna("").to_numpy()
        frame["flags"] = found["flags"].fillna("").to_numpy()
        frame["notes"] = found["notes"].fillna(0).astype(np.int64).to_numpy()
    return frame


@dataclass(frozen=True, eq=False)
class EmbeddingMap:
    """The drawn frame (:func:`map_frame` columns) with the projection and clustering behind it."""

    frame: pd.DataFrame
    projection: Projection
    clustering: Clustering | None

    @property
    def clusters(self) -> pd.DataFrame:
        return self.clustering.summary if self.clustering is not None else pd.DataFrame(columns=SUMMARY_COLUMNS)

    def selection(self, ids) -> pd.DataFrame:
        """The frame's rows of the products ``ids`` (in map order; ids not on the map are ignored)."""
        return self.frame[self.frame["id"].isin(list(ids))]


def build_map(vectors: Vectors, params: ProjectionParams, cluster_params: ClusterParams | None = None, *,
              cache_dir: Path, catalog: pd.DataFrame | None = None, labels: pd.DataFrame | None = None,
              encode_texts: Callable[[list[str]], np.ndarray] | None = None,
              progress: ProgressFn | None = None, jit_cache_dir: Path | None = None) -> EmbeddingMap:
    """Project (cached), cluster (cached) and assemble the frame: what the Embedding map screen draws.

    ``progress`` is called only for work actually done (a fully cached map reports nothing);
    ``jit_cache_dir`` keeps numba's compiled UMAP between processes (``settings.jit_cache_dir``).
    """
    progress = progress or no_progress
    projection = project(vectors, params, cache_dir=cache_dir, progress=lambda s, f: progress(s, 0.85 * f),
                         jit_cache_dir=jit_cache_dir)
    frame = map_frame(projection, vectors, catalog, labels=labels)
    clustering = None
    if cluster_params is not None:
        clustering = cluster(vectors, cluster_params, frame, cache_dir=cache_dir, encode_texts=encode_texts,
                             progress=lambda s, f: progress(s, 0.85 + 0.15 * f))
        frame = frame.drop(columns=["cluster", "cluster_name"]).merge(clustering.labels, on="id", how="left")
    return EmbeddingMap(frame, projection, clustering)
