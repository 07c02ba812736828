"""The analyst's own query on the Retrieval quality screen: rank a gallery for any text and see
where the products the analyst expects land, and what comes first.

Owns the :class:`Gallery` (image vectors of the split or of the whole catalogue, embedded once per
model and scope), choosing the expected products (ids, a name substring, attribute filters), and
the ranking itself, by the protocol's rule (score, then gallery position; attribute re-scoring
when the model has a scorer), so a query typed here ranks as it would in the evaluation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import FashionError
from core.model.evaluate import NAME
from core.reports.quality import ATTRIBUTES, Progress, image_vectors, query_and_gallery_rows

@dataclass(frozen=True)
class Gallery:
    """Image vectors of the products a query is ranked against."""

    scope: str  # "split" or "catalogue"
    split: str
    rows: np.ndarray  # catalogue row of each vector
    vectors: np.ndarray  # (len(rows), dim), L2-normalised
    attributes: np.ndarray | None = None  # the model's attribute blocks (core.model.attributes), if it has a scorer

    @property
    def label(self) -> str:
        return f"the {self.split} split ({len(self.rows):,} products)" if self.scope == "split" \
            else f"the whole catalogue ({len(self.rows):,} products)"


def build_gallery(embedder, catalog: pd.DataFrame, scope: str = "split", split: str = "test", *,
                  progress: Progress | None = None) -> Gallery:
    """Embed the images of ``split`` (scope "split") or of every product (scope "catalogue")."""
    _, rows = query_and_gallery_rows(catalog, split, scope)
    paths = catalog["image"].iloc[rows].tolist()
    vectors = image_vectors(embedder, paths, progress)
    scorer = getattr(embedder, "scorer", None)
    blocks = embedder.image_attributes(paths) if scorer is not None and scorer.weight > 0 else None
    return Gallery(scope, split, rows, vectors, blocks)


def parse_ids(text: str) -> list[int]:
    """Product ids typed as ``"1163, 1164 2201"``; anything else is a clear error."""
    tokens = [t for t in re.split(r"[\s,;]+", text or "") if t]
    bad = [t for t in tokens if not re.fullmatch(r"[0-9]+", t)]
    if bad:
        raise FashionError(f"not a product id: {', '.join(bad[:5])} (type numbers separated by commas)")
    return list(dict.fromkeys(int(t) for t in tokens))


def select_expected(catalog: pd.DataFrame, gallery: Gallery, *, ids: Iterable[int] = (), name_contains: str = "",
                    attributes: Mapping[str, Sequence[str]] | None = None) -> list[int]:
    """Product ids of the gallery the analyst expects: given ids, plus (when a name substring or
    attribute filters are given) every gallery product matching all of them. Errors say what is wrong."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    known = set(catalog["id"].astype(int))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise FashionError(f"unknown product id(s): {', '.join(map(str, unknown[:10]))}")
    in_gallery = set(catalog["id"].iloc[gallery.rows].astype(int))
    outside = [i for i in ids if i not in in_gallery]
    if outside:
        raise FashionError(f"product(s) {', '.join(map(str, outside[:10]))} are not in {gallery.label}: "
                           "search the whole catalogue instead")
    chosen = list(ids)
    filters = {k: list(v) for k, v in (attributes or {}).items() if v}
    if name_contains.strip() or filters:
        part = catalog.iloc[gallery.rows]
        mask = np.ones(len(part), dtype=bool)
        if name_contains.strip():
            mask &= part[NAME].str.contains(name_contains.strip(), case=False, regex=False).to_numpy()
        for column, values in filters.items():
            if column not in catalog.columns:
                raise FashionError(f"unknown attribute {column!r}")
            mask &= part[column].isin(values).to_numpy()
        matched = part["id"].to_numpy()[mask].astype(int).tolist()
        if not matched:
            described = ", ".join([f"name contains {name_contains.strip()!r}"] * bool(name_contains.strip())
                                  + [f"{k} in {v}" for k, v in filters.items()])
            raise FashionError(f"no product of {gallery.label} matches {described}")
        chosen += [i for i in matched if i not in set(chosen)]
    return chosen


@dataclass(frozen=True)
class AnalystResult:
    query: str
    gallery_label: str
    expected: pd.DataFrame  # one row per expected product: rank, score, id, name, attributes, image; best first
    top: pd.DataFrame  # the first results: rank, score, expected flag, id, name, attributes, image


def analyst_query(embedder, catalog: pd.DataFrame, gallery: Gallery, text: str, expected_ids: Iterable[int] = (),
                  *, top: int = 12) -> AnalystResult:
    """Rank ``gallery`` for ``text`` and say where each expected product lands (same ranking
    rule as the protocol: score, then gallery position)."""
    text = (text or "").strip()
    if not text:
        raise FashionError("type a query to rank the products against")
    expected_ids = select_expected(catalog, gallery, ids=expected_ids)
    query = np.asarray(embedder.encode_texts([text]), np.float32)[0]
    scores = gallery.vectors @ query
    if gallery.attributes is not None:  # the same re-scoring as the protocol and search
        scores = scores + embedder.scorer.weight * (gallery.attributes @ embedder.text_attributes([text])[0])
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(order), np.int64)
    ranks[order] = np.arange(1, len(order) + 1)
    products = catalog.iloc[gallery.rows].reset_index(drop=True)
    columns = ["id", NAME, *ATTRIBUTES, "price", "image"]
    products = products[[c for c in columns if c in products.columns]].assign(rank=ranks, score=scores)
    wanted = set(int(i) for i in expected_ids)
    products["expected"] = products["id"].astype(int).isin(wanted)
    leading = ["rank", "score", "expected"]
    view = products[leading + [c for c in products.columns if c not in leading]]
    expected = view[view["expected"]].sort_values("rank").reset_index(drop=True)
    first = view.iloc[order[:top]].reset_index(drop=True)
    return AnalystResult(text, gallery.label, expected, first)
