"""The ``build`` subcommand of ``python -m core``: prepare, train and index in one go.

Only parsing and printing: the work is in ``core.pipeline.build`` (imported inside the command, so
``python -m core --help`` stays light); each stage's progress is printed as ``[stage] message``.
"""

from __future__ import annotations

import argparse

from core.config import Settings


def cmd_build(args: argparse.Namespace, settings: Settings) -> int:
    from core.pipeline import build

    report = build(settings, epochs=args.epochs, retrain=args.retrain, final_on_all=args.final_on_all, text_layers=args.text_layers,
                   on_stage=lambda stage, message: print(f"[{stage}] {message}", flush=True))
    print(f"ready: {report.products} products, model {report.model_dir.name}"
          f"{' (trained now)' if report.trained else ' (reused)'}; {report.index_summary}")
    print(f"stage times: {report.timings()}")
    return 0


def register(subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``build`` to ``python -m core``; ``common`` holds ``--home/--catalog``."""
    whole = subparsers.add_parser("build", parents=[common],
                                  help="prepare, train and index: everything the dashboard needs")
    whole.add_argument("--epochs", type=int, help="training epochs (default: the training default)")
    whole.add_argument("--retrain", action="store_true",
                       help="train a new version even if the latest fits this catalogue")
    whole.add_argument("--final-on-all", action="store_true",
                       help="when training: then train the shipped model on every labelled product (about twice the "
                            "training time; its card keeps the split model's figures, see `train --final-on-all`)")
    whole.add_argument("--text-layers", type=int, choices=range(7), metavar="N",
                       help="when training: train MiniLM's top N layers too (default 0; 1 gave whole-catalogue R@1 "
                            "0.162 against 0.137 over three seeds, for about 2.5x the training time: docs/experiments.md)")
    whole.set_defaults(func=cmd_build)
