"""``python -m core <command>``: the pipeline from the shell.

Every command takes ``--home`` / ``--catalog`` (overriding ``FASHION_HOME`` / ``FASHION_CATALOG``),
shows progress on long work, and fails with one line on stderr and a non-zero exit code: 2 for a
problem the user can fix (:class:`FashionError`), 1 for a bug (the traceback with
``FASHION_DEBUG=1``), 130 when interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from core.config import Settings
from core.errors import FashionError

# Modules that add their own subcommands with ``register(subparsers)``.
_COMMAND_MODULES = ("core.cli.model", "core.cli.search", "core.cli.stylist", "core.cli.curation")


def _cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from core.data.demo.generate import generate_demo

    out = Path(args.out) if args.out else settings.demo_dir
    result = generate_demo(out, size=args.size, seed=args.seed)
    print(f"demo catalogue: {result.n_products} products in {result.out_dir}")
    print(f"use it with: FASHION_CATALOG={result.out_dir} python -m core prepare")
    return 0


def _cmd_prepare(args: argparse.Namespace, settings: Settings) -> int:
    from core.data.prepare import prepare

    result = prepare(settings)
    report = result.report
    skipped = ", ".join(f"{n} {reason}" for reason, n in report["skipped"].items()) or "none"
    print(f"catalogue: {report['catalog']} ({report['source']})")
    print(f"rows read {report['rows_read']}, usable products {result.products}, "
          f"recovered lines {len(report['recovered_lines'])}, skipped: {skipped}")
    groups = ", ".join(f"{g} {n}" for g, n in report["distributions"]["group"].items())
    print(f"groups: {groups}")
    splits = ", ".join(f"{s} {n}" for s, n in report["distributions"]["split"].items())
    print(f"splits: {splits}; pairs {report['pairs']['total']}")
    print(f"wrote {result.catalog_path}, {result.pairs_path}, {result.report_path}")
    return 0


def _cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from core.pipeline import build

    report = build(settings, epochs=args.epochs, retrain=args.retrain,
                   on_stage=lambda stage, message: print(f"[{stage}] {message}", flush=True))
    print(f"ready: {report.products} products, model {report.model_dir.name}"
          f"{' (trained now)' if report.trained else ' (reused)'}; {report.index_summary}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="working folder (default: $FASHION_HOME or ./data)")
    common.add_argument("--catalog", help="catalogue folder with styles.csv and images/ (default: $FASHION_CATALOG or the demo)")

    parser = argparse.ArgumentParser(prog="python -m core", description="Fashion retrieval pipeline.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_parser = commands.add_parser

    def add_with_common(name: str, **kwargs) -> argparse.ArgumentParser:
        # Every subcommand, ours or a register()ed one, gets --home/--catalog.
        kwargs["parents"] = [common, *kwargs.get("parents", [])]
        return add_parser(name, **kwargs)

    commands.add_parser = add_with_common  # type: ignore[method-assign]

    demo = commands.add_parser("demo", help="generate the demo catalogue (Kaggle format)")
    demo.add_argument("--out", help="output folder (default: HOME/demo-catalog)")
    demo.add_argument("--size", type=int, default=300, help="number of products (default 300)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(func=_cmd_demo)

    prep = commands.add_parser("prepare", help="clean the catalogue, add groups, prices, splits, pairs")
    prep.set_defaults(func=_cmd_prepare)

    whole = commands.add_parser("build", help="prepare, train and index: everything the dashboard needs")
    whole.add_argument("--epochs", type=int, help="training epochs (default: the training default)")
    whole.add_argument("--retrain", action="store_true", help="train a new version even if the latest fits this catalogue")
    whole.set_defaults(func=_cmd_build)

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(home=args.home, catalog=args.catalog)
        return int(args.func(args, settings) or 0)
    except FashionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the CLI's last line of defence: one line, not a traceback
        if os.environ.get("FASHION_DEBUG"):
            raise
        print(f"error: unexpected {type(error).__name__}: {error} (FASHION_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1
