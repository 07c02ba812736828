"""How the pipeline's steps grow with the catalogue: prepare, index, UMAP map and a query at N products.

    python -m benchmarks.bench_scale --home /tmp/fh [--catalog DIR] [--products 44000] [--queries 100]

Makes an N-product catalogue from a real one (``benchmarks.bench_evaluate.repeated_catalog`` with
a name per copy: images repeated under new ids, every description distinct), then in a scratch
home that shares ``--home``'s latest model and its tower feature cache (images are content-keyed:
the repeated pictures are cache hits, so image feature extraction is *not* measured here; its
rate comes from ``benchmarks.bench_image_features`` and is linear in N; the distinct descriptions
are encoded), times: ``prepare``; ``index`` (text encoding, attribute scores, Chroma upserts and
HNSW inserts); reading the image vectors back; the default UMAP map (PCA 50, exact neighbours up
to 60k points, JIT cache warm from one small fit first); and ``--queries`` text searches with
attribute re-scoring, p50/p95 (the searcher opened once, as the dashboard holds it). Prints one
JSON line of figures with the load average. Training time is not measured at N (it is linear in
the training pairs per epoch: ``benchmarks.bench_model``). Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import loadavg
from benchmarks.bench_evaluate import DEFAULT_CATALOG, repeated_catalog


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", required=True, help="a built home: its latest model and feature cache")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="the catalogue to repeat")
    parser.add_argument("--products", type=int, default=44_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="build the scratch home here and keep it")
    args = parser.parse_args()

    from core.config import Settings
    from core.data.prepare import prepare
    from core.explore.projection import ProjectionParams, compute_coordinates
    from core.explore.vectors import load_vectors
    from core.index.build import build_index
    from core.index.search import SearchQuery, Searcher
    from core.model.load import load_embedder
    from core.model.registry import latest_model, version_of

    source = Settings.from_env(home=Path(args.home))
    model = latest_model(source)
    if model is None:
        raise SystemExit(f"no model under {source.models_dir}: run `python -m core build` first")
    figures: dict = {"products": args.products, "model": model.name, "load_before": loadavg()}
    scratch = Path(tempfile.mkdtemp(prefix="bench-scale-")) if args.keep is None else args.keep
    try:
        catalog_dir, home = scratch / "catalog", scratch / "home"
        figures["rows"] = repeated_catalog(args.catalog.resolve(), args.products, catalog_dir, distinct_names=True)
        (home / "models").mkdir(parents=True, exist_ok=True)
        shutil.copytree(model, home / "models" / model.name, dirs_exist_ok=True)
        settings = Settings.from_env(home=home, catalog=catalog_dir)

        started = time.perf_counter()
        prepare(settings)
        figures["prepare_s"] = round(time.perf_counter() - started, 1)

        embedder = load_embedder(home / "models" / model.name, cache_dir=source.cache_dir)  # HOME's feature cache
        started = time.perf_counter()
        report = build_index(settings, embedder, show_progress=True)
        figures["index_s"] = round(time.perf_counter() - started, 1)
        figures["index"] = report.summary()

        started = time.perf_counter()
        vectors = load_vectors(settings, version_of(model), "image")  # with metadata: query texts
        figures["read_vectors_s"] = round(time.perf_counter() - started, 2)
        compute_coordinates(vectors.matrix[:300], ProjectionParams(), jit_cache_dir=settings.jit_cache_dir)  # compile
        started = time.perf_counter()
        compute_coordinates(vectors.matrix, ProjectionParams(), jit_cache_dir=settings.jit_cache_dir)
        figures["umap_s"] = round(time.perf_counter() - started, 1)

        searcher = Searcher(settings, embedder)
        names = vectors.metadata["name"].dropna().astype(str).tolist() if "name" in vectors.metadata else []
        rng = np.random.default_rng(0)
        texts = [names[i] for i in rng.choice(len(names), size=min(args.queries, len(names)), replace=False)]
        searcher.search(SearchQuery(text=texts[0]))  # first query: lazy loads
        times = []
        for text in texts:
            started = time.perf_counter()
            searcher.search(SearchQuery(text=text))
            times.append(time.perf_counter() - started)
        ms = np.asarray(times) * 1000
        figures["query_p50_ms"] = round(float(np.percentile(ms, 50)), 1)
        figures["query_p95_ms"] = round(float(np.percentile(ms, 95)), 1)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    figures["load_after"] = loadavg()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
