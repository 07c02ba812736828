"""Ranking a gallery for many queries: the primitives every retrieval figure is computed from.

Owns :func:`rank_queries` (where each query's first relevant item lands in the full ranking,
ties by gallery position), :func:`metrics_from_ranks` (Recall@1/@k, MRR@k), :func:`ranking_metrics`
and :func:`top_k`. Queries are ranked in blocks of rows through buffers allocated once per call
(:data:`BLOCK_BYTES`), so a 35k-product gallery costs a bounded amount of memory and no sort:
a rank is one count of the scores above the relevant item. ``core.model.evaluate`` (the protocol)
and ``core.reports.quality`` (the per-query table) both rank through here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK_BYTES = 96 << 20
"""Memory of one block of query-gallery scores: queries are ranked in blocks of rows that fit it,
written into buffers allocated once per call (a 35k-product gallery: ~680 queries per block)."""


def _block_rows(size: int, itemsize: int = 4, chunk: int | None = None) -> int:
    """Query rows per block: ``chunk`` when given, else as many as fit :data:`BLOCK_BYTES`."""
    return max(1, chunk if chunk is not None else BLOCK_BYTES // max(1, size * itemsize))


def top_k(queries: np.ndarray, gallery: np.ndarray, k: int, chunk: int | None = None) -> np.ndarray:
    """Indices of the k highest-scoring gallery rows for each query (inner products: the cosine on
    normalised rows, the re-scored score on extended ones), best first."""
    size = len(gallery)
    k = min(k, size)
    out = np.empty((len(queries), k), dtype=np.int64)
    if k == 0:
        return out
    step = _block_rows(size, 8, chunk)  # argpartition's index array is int64
    scores = np.empty((min(step, len(queries)), size), dtype=np.result_type(queries, gallery))
    for start in range(0, len(queries), step):
        block = scores[: min(step, len(queries) - start)]
        np.matmul(queries[start : start + len(block)], gallery.T, out=block)
        if k == 1:
            out[start : start + len(block), 0] = block.argmax(axis=1)
            continue
        part = np.argpartition(block, size - k, axis=1)[:, size - k :]
        order = np.take_along_axis(block, part, axis=1).argsort(axis=1)[:, ::-1]
        out[start : start + len(block)] = np.take_along_axis(part, order, axis=1)
    return out


@dataclass(frozen=True)
class QueryRanks:
    """Where each query's relevant items land in the FULL gallery ranking (not cut at k).

    The ranking orders the gallery by score, ties by gallery position (a stable sort), so every
    figure is deterministic. Arrays are aligned with the queries; gallery positions are 0-based.
    """

    rank: np.ndarray  # 1-based rank of the best-ranked relevant item; 0 = no relevant item
    relevant: np.ndarray  # gallery position of that item; -1 = none
    relevant_score: np.ndarray  # its score; nan = none
    top: np.ndarray  # gallery position ranked first; -1 = empty gallery
    top_score: np.ndarray  # its score; nan = empty gallery


def rank_queries(
    queries: np.ndarray, gallery: np.ndarray, relevant: list[set[int]], chunk: int | None = None
) -> QueryRanks:
    """Per query: the rank of the first relevant gallery item and what came first (cosine scores).

    Works in blocks of query rows (``chunk``; default: as many as fit :data:`BLOCK_BYTES`) through
    one score buffer and one mask buffer reused by every block: a relevant item's rank is one
    count of the scores above it (plus the equal ones before it), never a sort.

    >>> rank_queries(np.ones((1, 1)), np.array([[0.2], [0.9]]), [{0}]).rank  # doctest: +SKIP
    array([2])
    """
    n, size = len(queries), len(gallery)
    rank = np.zeros(n, np.int64)
    best_at = np.full(n, -1, np.int64)
    best_score = np.full(n, np.nan, np.float32)
    top = np.full(n, -1, np.int64)
    top_score = np.full(n, np.nan, np.float32)
    if n == 0 or size == 0:
        return QueryRanks(rank, best_at, best_score, top, top_score)
    step = _block_rows(size, chunk=chunk)
    scores = np.empty((min(step, n), size), dtype=np.result_type(queries, gallery))
    mask = np.empty(scores.shape, dtype=bool)
    for start in range(0, n, step):
        m = min(step, n - start)
        block, flags = scores[:m], mask[:m]
        np.matmul(queries[start : start + m], gallery.T, out=block)
        rows = np.arange(m)
        part = slice(start, start + m)
        top[part] = block.argmax(axis=1)  # first maximum = the lowest position among ties
        top_score[part] = block[rows, top[part]]
        sets = relevant[start : start + m]
        counts = np.fromiter((len(rel) for rel in sets), np.int64, m)
        found = np.flatnonzero(counts)
        if not len(found):
            continue
        owner = np.repeat(rows, counts)
        columns = np.fromiter((c for rel in sets for c in rel), np.int64, int(counts.sum()))
        values = block[owner, columns]
        best = np.full(m, -np.inf, dtype=block.dtype)
        np.maximum.at(best, owner, values)
        first = np.full(m, size, np.int64)  # the lowest position among equally scored relevant items
        at_best = values == best[owner]
        np.minimum.at(first, owner[at_best], columns[at_best])
        limit = best[:, None]
        np.greater(block, limit, out=flags)
        above = np.count_nonzero(flags, axis=1)
        np.equal(block, limit, out=flags)
        ties = np.count_nonzero(flags, axis=1)
        for row in found[ties[found] > 1]:  # equal scores: those before the relevant item rank above it
            above[row] += np.count_nonzero(flags[row, : first[row]])
        chosen = start + found
        rank[chosen] = above[found] + 1
        best_at[chosen] = first[found]
        best_score[chosen] = best[found]
    return QueryRanks(rank, best_at, best_score, top, top_score)


def metrics_from_ranks(ranks: np.ndarray, k: int = 10) -> dict[str, float]:
    """Recall@1, Recall@k and MRR@k from 1-based ranks (0 = no relevant item: a miss)."""
    ranks = np.asarray(ranks, dtype=np.int64)
    n = len(ranks)
    if n == 0:
        return {"r1": 0.0, f"r{k}": 0.0, f"mrr{k}": 0.0, "queries": 0}
    hit = (ranks >= 1) & (ranks <= k)
    return {
        "r1": float(np.count_nonzero(ranks == 1) / n),
        f"r{k}": float(np.count_nonzero(hit) / n),
        f"mrr{k}": float(np.sum(1.0 / ranks[hit]) / n),
        "queries": n,
    }


def ranking_metrics(
    queries: np.ndarray, gallery: np.ndarray, relevant: list[set[int]], k: int = 10
) -> dict[str, float]:
    """Recall@1, Recall@k (at least one relevant in the top k) and MRR@k, from :func:`rank_queries`."""
    if len(queries) == 0 or len(gallery) == 0:
        return {"r1": 0.0, f"r{k}": 0.0, f"mrr{k}": 0.0, "queries": 0}
    return metrics_from_ranks(rank_queries(queries, gallery, relevant).rank, k)
