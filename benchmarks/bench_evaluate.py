"""Evaluation at scale: ``evaluate --split all`` on a large catalogue made by repeating a real one.

    python -m benchmarks.bench_evaluate --home /tmp/fh [--catalog DIR] [--products 35000] [--runs 2]

Writes a catalogue of ``--products`` rows into a temporary folder: the source catalogue's rows
repeated under new ids (copy c of product p gets id ``p + c * 1,000,000``), each image a symlink to
the original file, so every image's features are the ones the home's feature cache already holds
(content-keyed) and names repeat across copies (a query has several relevant products, as in a
real catalogue with variants; ``--distinct-names`` gives each copy its own names instead, so the
queries grow with the catalogue as in the full Kaggle set). Then, in a fresh process per run, the phases of
``python -m core evaluate --catalog DIR --split all`` with the home's latest model: preparing the
catalogue (in a scratch folder), loading the model, embedding (cached tower features → heads and
attribute scores), and the ranking (the protocol: every metric), with the peak resident memory of
the process (``ru_maxrss``). The first run also fills the feature cache with anything missing;
the figures to quote are the last run's. Targets (issue 15): ranking ≤ 60 s, peak ≤ 2 GB.
Nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from benchmarks import loadavg

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CATALOG = ROOT.parent / "shared" / "datasets" / "fashion-product-images-small"
COPY_OFFSET = 1_000_000

RUN = r"""
import json, resource, sys, time
from pathlib import Path
from core.config import Settings
from core.cli.model import _prepared_catalog
from core.model.evaluate import embed_catalog, headline, protocol
from core.model.load import load_embedder
from core.model.registry import resolve_model

out = {}
def peak():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3)
settings = Settings.from_env(catalog=Path(sys.argv[1]))
t = time.perf_counter(); catalog = _prepared_catalog(settings); out["prepare_s"] = time.perf_counter() - t
t = time.perf_counter(); embedder = load_embedder(resolve_model(settings, None), cache_dir=settings.cache_dir)
out["load_model_s"] = time.perf_counter() - t
out["peak_gib_after_load"] = peak()
t = time.perf_counter(); emb = embed_catalog(embedder, catalog); out["embed_s"] = time.perf_counter() - t
out["peak_gib_after_embed"] = peak()
t = time.perf_counter(); result = protocol(emb, catalog, "all"); out["ranking_s"] = time.perf_counter() - t
out["products"], out["queries"] = result["products"], result["queries"]
out["peak_rss_gib"] = peak()
out["headline"] = {k: round(v, 4) for k, v in headline(result).items()}
print(json.dumps(out))
"""


def repeated_catalog(source: Path, products: int, folder: Path, *, distinct_names: bool = False) -> int:
    """``products`` rows of ``source`` repeated under new ids into ``folder``; returns the row count.
    ``distinct_names``: copy c > 0 appends `` (c)`` to each name, so queries grow with the catalogue."""
    from core.data.catalog import read_styles

    styles = read_styles(source / "styles.csv").frame
    styles = styles[[(source / "images" / f"{i}.jpg").is_file() for i in styles["id"]]]
    copies = -(-products // len(styles))
    (folder / "images").mkdir(parents=True, exist_ok=True)
    frames = []
    for copy in range(copies):
        frame = styles.copy()
        frame["id"] = frame["id"].astype("int64") + copy * COPY_OFFSET
        if distinct_names and copy:
            frame["productDisplayName"] = frame["productDisplayName"] + f" ({copy})"
        frames.append(frame)
        for old, new in zip(styles["id"], frame["id"]):
            link = folder / "images" / f"{new}.jpg"
            if not link.exists():
                link.symlink_to(source / "images" / f"{old}.jpg")
    table = pd.concat(frames).head(products)
    table.to_csv(folder / "styles.csv", index=False)
    return len(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", required=True, help="a built home (its latest model and feature cache)")
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG, help="the catalogue to repeat")
    parser.add_argument("--products", type=int, default=35_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--distinct-names", action="store_true",
                        help="a name per product copy (~1 query per product, as in the full Kaggle set) "
                             "instead of names repeated across copies")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="the checkout whose code runs the evaluation (another worktree: a before figure)")
    args = parser.parse_args()
    print(f"load average before: {loadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-evaluate-") as scratch:
        folder = Path(scratch) / "catalog"
        rows = repeated_catalog(args.catalog.resolve(), args.products, folder, distinct_names=args.distinct_names)
        print(f"catalogue: {rows:,} products ({args.catalog} repeated under new ids) in {folder}")
        env = os.environ | {"FASHION_HOME": args.home, "PYTHONPATH": str(args.code.resolve())}
        print(f"code: {args.code.resolve()}")
        for run in range(1, args.runs + 1):
            done = subprocess.run([sys.executable, "-c", RUN, str(folder)], cwd=args.code, env=env, text=True,
                                  capture_output=True)
            if done.returncode:
                raise SystemExit(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"run {run}: " + json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}))
    print(f"load average after: {loadavg()}")


if __name__ == "__main__":
    main()
