"""Per-query retrieval table: cold and warm times, the per-group table and the worst queries.

    python -m benchmarks.bench_quality --home /tmp/fh --catalog DIR [--model lit-v1] [--split test]
        [--gallery split|catalogue] [--rounds 5] [--worst 10]

Against an already built home (prepare + train done). "Cold" = the first ``per_query_table`` call
of this process with no cached table: loading the model, embedding the split's images (through the
frozen-feature cache, warm after training) and names, ranking, writing the parquet. Importing torch
and sentence-transformers is timed apart (a dashboard process pays it once; a cache hit not at
all). It writes into a scratch quality folder, so the home's own cache is neither used nor
touched; "warm" = the same call again (a disk-cache hit), median of ``--rounds``.
Also prints the table's aggregate beside the model card's test figures (they must agree), and,
when another version exists, base vs this model per query.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from tqdm.auto import tqdm

from core.reports import breakdowns, quality
from core.data.catalog import load_catalog
from core.config import Settings
from core.model.registry import read_card, resolve_model

ROOT = Path(__file__).resolve().parents[1]


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", required=True)
    parser.add_argument("--catalog", default=None)
    parser.add_argument("--model", default=None, help="model folder or version name (default: the latest)")
    parser.add_argument("--split", default="test", choices=quality.SPLITS)
    parser.add_argument("--gallery", default="split", choices=quality.GALLERIES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--worst", type=int, default=10)
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.max_colwidth", 48)

    settings = Settings.from_env(home=args.home, catalog=args.catalog)
    model_dir = resolve_model(settings, args.model)
    catalog = load_catalog(settings)
    _, import_time = timed(lambda: __import__("core.model.towers"))  # torch + sentence-transformers
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as scratch:
        scratch_settings = SimpleNamespace(quality_dir=Path(scratch), cache_dir=settings.cache_dir)

        def compute(folder=model_dir):
            return quality.per_query_table(scratch_settings, folder, catalog, split=args.split, gallery=args.gallery)

        with tqdm(total=100, desc="cold", unit="%", leave=False) as bar:
            def step(message: str, fraction: float) -> None:
                bar.set_postfix_str(message)
                bar.update(round(100 * fraction) - bar.n)

            table, cold = timed(lambda: quality.per_query_table(scratch_settings, model_dir, catalog, split=args.split,
                                                                gallery=args.gallery, progress=step))
        warm = [timed(compute)[1] for _ in range(args.rounds)]
        print(f"model {model_dir.name}; split {args.split}; gallery {args.gallery}; {len(table):,} queries; "
              f"{len(catalog):,} products in the catalogue")
        print(f"import torch + sentence-transformers: {import_time:.2f} s (once per process; a cache hit needs neither)")
        print(f"per-query table: cold {cold:.2f} s (model load + embed + rank + write), "
              f"warm {statistics.median(warm) * 1000:.1f} ms (median of {args.rounds} disk-cache hits)")

        figures = breakdowns.overall(table)
        print(f"\noverall: R@1 {figures['r1']:.4f}  R@10 {figures['r10']:.4f}  MRR@10 {figures['mrr10']:.4f}  "
              f"median rank {figures['median_rank']:g}")
        card = read_card(model_dir).get("metrics_after") or {}
        prefix = "t2i_full_" if args.gallery == "catalogue" else "t2i_"
        recorded = {k: card[prefix + k] for k in ("r1", "r10", "mrr10") if prefix + k in card}
        if args.split == "test" and recorded:
            print("model card (test, rounded): " + "  ".join(f"{k} {v}" for k, v in recorded.items()))

        print("\nper group:")
        print(breakdowns.breakdown(table, "group").to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        print("\nrank distribution:")
        print(breakdowns.rank_distribution(table).to_string(index=False, float_format=lambda x: f"{x:.3f}"))

        worst = breakdowns.worst_queries(table, args.worst)
        print(f"\n{args.worst} worst queries (relevant = the best-ranked product named exactly as the query):")
        print(worst[["query", "rank", "relevant_id", "relevant_score", "top_id", "top_name", "top_score"]]
              .to_string(index=False, float_format=lambda x: f"{x:.3f}"))

        pair = breakdowns.default_comparison(settings.models_dir, model_dir)
        if pair is not None:
            base_table, base_time = timed(lambda: compute(pair[0]))
            summary = breakdowns.comparison_summary(breakdowns.compare(base_table, table))
            print(f"\nbase {pair[0].name} vs {model_dir.name} (base table cold {base_time:.2f} s): "
                  f"better {summary['better']}, worse {summary['worse']}, same {summary['same']}; "
                  f"R@1 {summary['r1_a']:.4f} -> {summary['r1_b']:.4f}, MRR@10 {summary['mrr10_a']:.4f} -> {summary['mrr10_b']:.4f}")


if __name__ == "__main__":
    main()
