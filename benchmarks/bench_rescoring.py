"""Benchmark of attribute re-scoring in search: latency with and without it, and what it changes.

    python -m benchmarks.bench_rescoring --home /tmp/fh \
        --catalog /work/shared/datasets/fashion-product-images-small [--queries 100]

Needs a trained model with an attribute scorer and its index in HOME. Queries are product names of
the test split with " x" appended (so the text tower computes them, as for a user's query).
Prints ``Searcher.search`` p50/p95 for: re-scored with a cold memo of image blocks, the cosine
alone (weight 0), re-scored again (memo warm), re-scored by a searcher that read every block
first (``Searcher.preload``, as the dashboard does); each run with fresh query texts; and, for the same queries, how often the query's own
product comes first with and without re-scoring (the whole catalogue is the gallery here).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--queries", type=int, default=100)
    args = parser.parse_args(argv)

    from core.data.catalog import load_catalog
    from core.config import Settings
    from core.model.load import load_embedder
    from core.model.registry import latest_model
    from core.index.search import Searcher, SearchQuery

    settings = Settings.from_env(env={}, home=args.home, catalog=args.catalog)
    catalog = load_catalog(settings)
    embedder = load_embedder(latest_model(settings), cache_dir=settings.cache_dir)
    if embedder.scorer is None:
        print("the latest model has no attribute scorer", file=sys.stderr)
        return 2
    searcher = Searcher(settings, embedder)
    test = catalog[catalog["split"] == "test"]
    rng = np.random.default_rng(0)
    names = list(rng.choice(sorted(set(test["productDisplayName"])), min(args.queries, test["productDisplayName"].nunique()),
                            replace=False))
    weight = embedder.scorer.weight
    print(f"model {embedder.version}, weight {weight}, {len(names)} queries")
    preloaded = Searcher(settings, embedder)
    started = time.perf_counter()
    preloaded.preload()
    print(f"preload (as the dashboard does when it opens a searcher): {time.perf_counter() - started:.2f} s")
    # each run appends its own word, so no query text is in the text tower's feature cache yet
    runs = (("re-scored, cold memo", weight, searcher, "x"), ("cosine alone", 0.0, searcher, "y"),
            ("re-scored, warm memo", weight, searcher, "z"), ("re-scored, preloaded", weight, preloaded, "w"))
    for label, w, searcher, word in runs:
        embedder.scorer.weight = w
        times, first = [], 0
        for name in names:
            started = time.perf_counter()
            hits = searcher.search(SearchQuery(text=f"{name} {word}", k=10)).hits
            times.append(time.perf_counter() - started)
            first += bool(hits) and hits[0].name == name
        print(f"{label:<22} p50 {1000 * np.percentile(times, 50):6.1f} ms  p95 {1000 * np.percentile(times, 95):6.1f} ms"
              f"  own name first {first}/{len(names)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
