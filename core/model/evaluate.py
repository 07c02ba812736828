"""Retrieval evaluation with the published fashion protocol (Marqo's KAGL benchmark).

- text→image: queries = the split's unique product names, gallery = the split's images, relevant =
  every gallery product with exactly that name; Recall@1, Recall@10 (hit rate), MRR@10;
- image→text Recall@1 over the split's unique names;
- category→product P@1 / P@10: the bare articleType as query, each product represented by
  normalise(0.9 × image + 0.1 × name embedding);
- text→image again with the whole catalogue as gallery (train images become distractors), and
  text→image per product group.

Pure numpy over embeddings: the model is only asked for vectors (images by file path, so the lit
towers hit the feature cache). Every text→image figure comes from :func:`rank_queries`, the rank of
each query's first relevant product in the full gallery ranking (ties broken by gallery position),
so the per-query tables of ``core.reports.quality`` and these aggregates cannot disagree (the
ranking primitives are in ``core.model.ranking``).
:class:`RetrievalEvaluator` wraps the same code as a sentence-transformers evaluator for the
trainer's per-epoch validation; it is defined on first use, so importing the protocol (as the
dashboard's Retrieval quality screen does) does not import sentence-transformers and torch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.errors import FashionError
from core.model.embedder import normalise
from core.model.features import load_rgb
from core.model.load import SentenceTransformerEmbedder
from core.model.intervals import bootstrap_interval, outward, rank_intervals
from core.model.ranking import metrics_from_ranks, rank_queries, ranking_metrics, top_k

NAME = "productDisplayName"


@dataclass
class Embeddings:
    """What the protocol needs from a model, for one catalogue."""

    images: np.ndarray  # (products, d), catalogue order
    names: dict[str, np.ndarray]  # unique name -> (d,)
    types: dict[str, np.ndarray]  # unique articleType -> (d,)
    # with an attribute scorer (core.model.attributes): extended vectors whose inner products are the
    # re-scored text→image scores; None = plain cosine
    images_ext: np.ndarray | None = None
    names_ext: dict[str, np.ndarray] | None = None

    def gallery(self, rows: np.ndarray) -> np.ndarray:
        """Image vectors that text queries are ranked against (extended when re-scoring); every row
        in order is the array itself, not a copy."""
        vectors = self.images if self.images_ext is None else self.images_ext
        rows = np.asarray(rows)
        if len(rows) == len(vectors) and np.array_equal(rows, np.arange(len(vectors))):
            return vectors
        return vectors[rows]

    def query(self, name: str) -> np.ndarray:
        return (self.names if self.names_ext is None else self.names_ext)[name]

    def with_weight(self, scorer, weight: float, blocks: np.ndarray, dists: dict[str, np.ndarray]) -> "Embeddings":
        """The same embeddings re-scored with ``weight`` (0 = plain cosine)."""
        images_ext = scorer.extend(self.images, blocks, weight)
        names = sorted(self.names)
        extended = scorer.extend(np.stack([self.names[n] for n in names]), np.stack([dists[n] for n in names]), weight)
        return Embeddings(self.images, self.names, self.types, images_ext, dict(zip(names, extended)))


def embed_catalog(embedder, catalog: pd.DataFrame, *, batch_size: int = 128,
                  progress: Callable[[int, int], None] | None = None) -> Embeddings:
    """Embed every image (by path) and every unique name and articleType of ``catalog``.

    ``progress(done, total)`` (optional) is called as the images are embedded, in chunks of
    ``8 × batch_size`` (a row's vector does not depend on the other rows of its batch).
    """
    paths = catalog["image"].tolist()
    encode_files = getattr(embedder, "encode_image_files", None)
    if encode_files is None:
        def encode_files(items, batch_size):
            return embedder.encode_images([load_rgb(p) for p in items], batch_size=batch_size)

    progress = progress or (lambda done, total: None)
    step, parts = 8 * batch_size, []  # in parts: the tower features of one part at a time in memory
    progress(0, len(paths))
    for start in range(0, len(paths), step):
        parts.append(np.asarray(encode_files(paths[start : start + step], batch_size=batch_size), np.float32))
        progress(min(start + step, len(paths)), len(paths))
    images = np.concatenate(parts) if parts else np.zeros((0, getattr(embedder, "dim", 0)), np.float32)
    names = sorted(set(catalog[NAME]))
    types = sorted(set(catalog["articleType"]))
    texts = embedder.encode_texts(names + types, batch_size=batch_size)
    emb = Embeddings(
        images=np.asarray(images, np.float32),
        names=dict(zip(names, texts[: len(names)])),
        types=dict(zip(types, texts[len(names) :])),
    )
    scorer = getattr(embedder, "scorer", None)
    if scorer is None or scorer.weight <= 0:
        return emb
    blocks, dists = attribute_inputs(embedder, catalog)
    return emb.with_weight(scorer, scorer.weight, blocks, dists)


def attribute_inputs(embedder, catalog: pd.DataFrame, *, step: int = 4096) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The scorer's image blocks (catalogue order) and query distributions (per unique name),
    ``step`` inputs at a time (tower features are ~2k floats per image: 35k at once took 0.5 GB)."""
    names = sorted(set(catalog[NAME]))
    paths = catalog["image"].tolist()
    blocks = [embedder.image_attributes(paths[start : start + step]) for start in range(0, max(len(paths), 1), step)]
    dists = {}
    for start in range(0, len(names), step):
        dists.update(zip(names[start : start + step], embedder.text_attributes(names[start : start + step])))
    return np.concatenate(blocks), dists


def text_to_image_queries(
    emb: Embeddings, catalog: pd.DataFrame, query_rows: np.ndarray, gallery_rows: np.ndarray
) -> tuple[list[str], np.ndarray, list[set[int]]]:
    """The protocol's queries: (unique names of ``query_rows``, their vectors, relevant gallery
    positions = every ``gallery_rows`` product with exactly that name)."""
    gallery_names = catalog[NAME].to_numpy()[gallery_rows]
    by_name: dict[str, set[int]] = defaultdict(set)
    for position, name in enumerate(gallery_names):
        by_name[name].add(position)
    names = sorted(set(catalog[NAME].to_numpy()[query_rows]))
    queries = np.stack([emb.query(n) for n in names]) if names else np.zeros((0, emb.gallery(gallery_rows).shape[1]))
    return names, queries, [by_name.get(n, set()) for n in names]


def text_to_image(
    emb: Embeddings, catalog: pd.DataFrame, query_rows: np.ndarray, gallery_rows: np.ndarray
) -> dict[str, float]:
    """Queries = unique names of ``query_rows``; gallery = ``gallery_rows``; relevant = same name."""
    _, queries, relevant = text_to_image_queries(emb, catalog, query_rows, gallery_rows)
    return ranking_metrics(queries, emb.gallery(gallery_rows), relevant)


def image_to_text_hits(emb: Embeddings, catalog: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Per image of ``rows``: whether its own name ranks first among the unique names of ``rows``."""
    names = sorted(set(catalog[NAME].to_numpy()[rows]))
    if not names:
        return np.zeros(0, bool)
    index = {n: i for i, n in enumerate(names)}
    text = np.stack([emb.query(n) for n in names])
    top = top_k(emb.gallery(rows), text, 1)[:, 0]
    return top == np.array([index[n] for n in catalog[NAME].to_numpy()[rows]])


def image_to_text(emb: Embeddings, catalog: pd.DataFrame, rows: np.ndarray) -> dict[str, float]:
    """Each image ranks the unique names of ``rows``: Recall@1 = its own name first."""
    hits = image_to_text_hits(emb, catalog, rows)
    return {"r1": float(hits.mean()) if len(hits) else 0.0}


def text_to_image_ranks(
    emb: Embeddings, catalog: pd.DataFrame, query_rows: np.ndarray, gallery_rows: np.ndarray
) -> np.ndarray:
    """Each query's rank (as :func:`text_to_image` counts it; 0 = no relevant product), query order sorted by name."""
    _, queries, relevant = text_to_image_queries(emb, catalog, query_rows, gallery_rows)
    return rank_queries(queries, emb.gallery(gallery_rows), relevant).rank


def category_to_product(emb: Embeddings, catalog: pd.DataFrame, rows: np.ndarray) -> dict[str, float]:
    """The bare articleType as query; product = normalise(0.9 image + 0.1 name); P@1 and P@10."""
    names = catalog[NAME].to_numpy()[rows]
    types = catalog["articleType"].to_numpy()[rows]
    products = normalise(0.9 * emb.images[rows] + 0.1 * np.stack([emb.names[n] for n in names]), dtype=None)
    queries = sorted(set(types))
    if not queries:
        return {"p1": 0.0, "p10": 0.0}
    top = top_k(np.stack([emb.types[t] for t in queries]), products, 10)
    p1 = np.mean([types[row[0]] == t for row, t in zip(top, queries)])
    p10 = np.mean([np.mean(types[row] == t) for row, t in zip(top, queries)])
    return {"p1": float(p1), "p10": float(p10), "queries": len(queries)}


def protocol(emb: Embeddings, catalog: pd.DataFrame, split: str = "test") -> dict[str, Any]:
    """Every figure of the protocol for ``split`` ("all" = the whole catalogue)."""
    everything = np.arange(len(catalog))
    rows = everything if split == "all" else np.flatnonzero(catalog["split"].to_numpy() == split)
    if len(rows) == 0:
        raise FashionError(f"the catalogue has no products in split {split!r}")
    names, queries, relevant = text_to_image_queries(emb, catalog, rows, rows)
    ranks = rank_queries(queries, emb.gallery(rows), relevant).rank  # ranked once: the groups reuse them
    hits = image_to_text_hits(emb, catalog, rows)
    result: dict[str, Any] = {
        "split": split,
        "products": int(len(rows)),
        "queries": int(catalog[NAME].iloc[rows].nunique()),
        "text_to_image": metrics_from_ranks(ranks),
        "image_to_text": {"r1": float(hits.mean()) if len(hits) else 0.0},
        "category_to_product": category_to_product(emb, catalog, rows),
    }
    # 95% bootstrap intervals over queries (core.model.intervals), beside the figures they qualify
    intervals: dict[str, Any] = {"text_to_image": rank_intervals(ranks),
                                 "image_to_text": {"r1": outward(bootstrap_interval(hits))}}
    if split != "all":
        full = text_to_image_ranks(emb, catalog, rows, everything)
        result["full_gallery"] = int(len(everything))
        result["text_to_image_full_gallery"] = metrics_from_ranks(full)
        intervals["text_to_image_full_gallery"] = rank_intervals(full)
    if "group" in catalog.columns:
        # a group's queries are the names of its products, against the same gallery: a subset of
        # the queries above with the same ranks (what text_to_image(emb, catalog, group_rows, rows) gives)
        groups, all_names = catalog["group"].to_numpy(), catalog[NAME].to_numpy()
        position = {name: i for i, name in enumerate(names)}
        by_group = {group: ranks[[position[n] for n in sorted(set(all_names[rows[groups[rows] == group]]))]]
                    for group in sorted(set(groups[rows]))}
        result["text_to_image_by_group"] = {group: metrics_from_ranks(r) for group, r in by_group.items()}
        intervals["text_to_image_by_group"] = {group: rank_intervals(r) for group, r in by_group.items()}
    result["intervals"] = intervals
    return result


def evaluate(embedder, catalog: pd.DataFrame, split: str = "test") -> dict[str, Any]:
    """Embed ``catalog`` with ``embedder`` and run :func:`protocol` on ``split``."""
    if split not in ("train", "valid", "test", "all"):
        raise FashionError(f"unknown split {split!r}: choose test, valid, train or all")
    if split != "all" and "split" not in catalog.columns:
        raise FashionError("this catalogue has no split column: use --split all")
    return protocol(embed_catalog(embedder, catalog), catalog, split)


def headline(result: dict[str, Any]) -> dict[str, float]:
    """The flat figures a model card and the log keep."""
    t2i = result["text_to_image"]
    flat = {
        "t2i_r1": t2i["r1"],
        "t2i_r10": t2i["r10"],
        "t2i_mrr10": t2i["mrr10"],
        "i2t_r1": result["image_to_text"]["r1"],
        "cat_p1": result["category_to_product"]["p1"],
        "cat_p10": result["category_to_product"]["p10"],
    }
    if "text_to_image_full_gallery" in result:
        flat["t2i_full_r1"] = result["text_to_image_full_gallery"]["r1"]
        flat["t2i_full_r10"] = result["text_to_image_full_gallery"]["r10"]
    return {key: round(float(value), 4) for key, value in flat.items()}


def t2i_summary(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """Text→image of a :func:`protocol` result as a model card keeps it: figures, queries, gallery
    size and 95% intervals (the shape of :func:`core.model.intervals.summary`); None for none."""
    if not result:
        return None
    return {"split": result["split"], **result["text_to_image"], "gallery": result["products"],
            "intervals": (result.get("intervals") or {}).get("text_to_image", {})}


def split_sizes(catalog: pd.DataFrame) -> dict[str, int]:
    """``{"<split>_queries": unique names, "<split>_images": products}`` of valid and test, for the card."""
    sizes = {}
    for split in ("valid", "test"):
        part = catalog[catalog["split"] == split] if "split" in catalog.columns else catalog.iloc[:0]
        sizes[f"{split}_queries"], sizes[f"{split}_images"] = int(part[NAME].nunique()), int(len(part))
    return sizes


def format_report(result: dict[str, Any]) -> str:
    """A human-readable table of :func:`protocol`'s result (95% intervals in brackets)."""
    t2i, full = result["text_to_image"], result.get("text_to_image_full_gallery")
    intervals = result.get("intervals") or {}

    def recall(figures: dict[str, float], key: str) -> str:
        ci = (intervals.get(key) or {})
        return "  ".join(f"{label} {figures[m]:.3f}" + (f" [{ci[m][0]:.3f}, {ci[m][1]:.3f}]" if m in ci else "")
                         for m, label in (("r1", "R@1"), ("r10", "R@10"), ("mrr10", "MRR@10")))

    lines = [
        f"split {result['split']}: {result['products']} products, {result['queries']} unique names",
        f"text→image      {recall(t2i, 'text_to_image')}",
    ]
    if full:
        lines.append(f"  whole gallery ({result.get('full_gallery', '?')} images) {recall(full, 'text_to_image_full_gallery')}")
    lines.append(f"image→text      R@1 {result['image_to_text']['r1']:.3f}")
    cat = result["category_to_product"]
    lines.append(f"category→product P@1 {cat['p1']:.3f}  P@10 {cat['p10']:.3f}")
    for group, metrics in result.get("text_to_image_by_group", {}).items():
        lines.append(
            f"  {group:<14} {metrics['queries']:>5} queries  R@1 {metrics['r1']:.3f}  R@10 {metrics['r10']:.3f}"
        )
    return "\n".join(lines)


# -- the trainer's evaluator ----------------------------------------------------------------
def _define_retrieval_evaluator():
    from sentence_transformers.base.evaluation.evaluator import BaseEvaluator

    class RetrievalEvaluator(BaseEvaluator):
        """Text→image (and image→text) retrieval on one split, for ``SentenceTransformerTrainer``.

        Primary metric: MRR@10 (smoother than R@1 for choosing the best epoch).
        """

        def __init__(self, catalog: pd.DataFrame, split: str = "valid", name: str = "valid", batch_size: int = 256):
            super().__init__()
            self.catalog = catalog[catalog["split"] == split].reset_index(drop=True) if split != "all" else catalog
            self.split = split
            self.name = name
            self.batch_size = batch_size
            self.primary_metric = "t2i_mrr10"

        def __call__(self, model, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> dict[str, float]:
            embedder = SentenceTransformerEmbedder(model, version="training")
            was_training = model.training
            model.eval()
            try:
                emb = embed_catalog(embedder, self.catalog, batch_size=self.batch_size)
            finally:
                model.train(was_training)
            rows = np.arange(len(self.catalog))
            t2i = text_to_image(emb, self.catalog, rows, rows)
            metrics = {
                "t2i_r1": t2i["r1"],
                "t2i_r10": t2i["r10"],
                "t2i_mrr10": t2i["mrr10"],
                "i2t_r1": image_to_text(emb, self.catalog, rows)["r1"],
            }
            metrics = self.prefix_name_to_metrics(metrics, self.name)
            self.store_metrics_in_model_card_data(model, metrics, epoch, steps)
            return metrics

    RetrievalEvaluator.__qualname__ = "RetrievalEvaluator"  # picklable by name, via __getattr__
    return RetrievalEvaluator


def __getattr__(name: str):
    if name == "RetrievalEvaluator":  # built on first use: see the module docstring
        globals()[name] = _define_retrieval_evaluator()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
