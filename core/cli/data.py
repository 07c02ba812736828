"""The ``demo`` and ``prepare`` subcommands of ``python -m core``: the catalogue from the shell.

Only parsing and printing: the work is in ``core.data.demo.generate`` and ``core.data.prepare``
(imported inside the commands, so ``python -m core --help`` stays light).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.config import Settings


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from core.data.demo.generate import generate_demo

    out = Path(args.out) if args.out else settings.demo_dir
    result = generate_demo(out, size=args.size, seed=args.seed)
    print(f"demo catalogue: {result.n_products} products in {result.out_dir}")
    print(f"use it with: FASHION_CATALOG={result.out_dir} python -m core prepare")
    return 0


def cmd_prepare(args: argparse.Namespace, settings: Settings) -> int:
    from core.data.prepare import prepare

    result = prepare(settings)
    report = result.report
    skipped = ", ".join(f"{n} {reason}" for reason, n in report["skipped"].items()) or "none"
    print(f"catalogue: {report['catalog']} ({report['source']})")
    fallback = len(report.get("encoding_fallback_lines") or [])
    print(f"rows read {report['rows_read']}, usable products {result.products} "
          f"({len(report['recovered_lines'])} of them recovered), skipped: {skipped}"
          + (f", {fallback} line(s) not UTF-8 (decoded one by one; see the report)" if fallback else ""))
    groups = ", ".join(f"{g} {n}" for g, n in report["distributions"]["group"].items())
    print(f"groups: {groups}")
    splits = ", ".join(f"{s} {n}" for s, n in report["distributions"]["split"].items())
    print(f"splits: {splits}; pairs {report['pairs']['total']}")
    print(f"wrote {result.catalog_path}, {result.pairs_path}, {result.report_path}")
    return 0


def register(subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``demo`` and ``prepare`` to ``python -m core``; ``common`` holds ``--home/--catalog``."""
    demo = subparsers.add_parser("demo", parents=[common], help="generate the demo catalogue (Kaggle format)")
    demo.add_argument("--out", help="output folder (default: HOME/demo-catalog)")
    demo.add_argument("--size", type=int, default=300, help="number of products (default 300)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(func=cmd_demo)

    prep = subparsers.add_parser("prepare", parents=[common],
                                 help="clean the catalogue, add groups, prices, splits, pairs")
    prep.set_defaults(func=cmd_prepare)
