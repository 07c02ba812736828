"""The ``curate`` subcommand of ``python -m core``: suggestions, tags and export from the shell.

    python -m core curate suggestions [--kind near-duplicate] [--status pending] [--json]
    python -m core curate tag 15970 39386 --tag summer-edit [--author asha] [--remove]
    python -m core curate export --out curated.parquet [--all]

Only parsing and printing: the work is in ``core.curation.store`` and ``core.curation.suggestions``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.config import Settings
from core.errors import FashionError


def _suggestions(args: argparse.Namespace, settings: Settings) -> int:
    from core.curation.store import CurationStore
    from core.curation.suggestions import compute_suggestions, review_frame
    from core.model.load import resolve_embedder

    embedder = resolve_embedder(settings, args.model, feature_cache=True)

    def progress(stage: str, fraction: float) -> None:
        print(f"[{fraction:4.0%}] {stage}", file=sys.stderr, flush=True)

    result = compute_suggestions(settings, embedder, refresh=args.refresh, progress=progress)
    frame = review_frame(result.suggestions, CurationStore(settings.curation_db))
    if args.kind:
        frame = frame[frame["kind"] == args.kind]
    if args.status:
        frame = frame[frame["status"] == args.status]
    if args.json:
        print(json.dumps(frame.to_dict("records"), indent=2))
        return 0
    counts = ", ".join(f"{n} {kind}" for kind, n in result.counts().items())
    source = "cache" if result.from_cache else "computed"
    print(f"{result.products:,} products, model {result.version}: {counts} ({source} in {result.seconds:.1f} s)")
    for row in frame.itertuples():
        print(f"{row.status:9s} {row.kind:14s} {row.ids:>13s}  {row.evidence}")
    return 0


def _tag(args: argparse.Namespace, settings: Settings) -> int:
    from core.curation.schema import check_known_ids, check_product_ids, check_tag
    from core.curation.store import CurationStore
    from core.data.catalog import load_catalog

    check_tag(args.tag)
    ids = check_product_ids(args.ids)
    store = CurationStore(settings.curation_db)
    known = set(load_catalog(settings)["id"].tolist())
    if args.remove:  # a product gone from the catalogue may still lose the labels it carries
        known |= set(store.labels()["id"].tolist())
    check_known_ids(ids, known, where=str(settings.catalog_parquet))
    if args.remove:
        n = store.remove_tag(args.ids, args.tag, author=args.author)
        print(f"removed {args.tag!r} from {n} of {len(set(args.ids))} products")
    else:
        n = store.add_tag(args.ids, args.tag, author=args.author, note=args.note or "")
        print(f"tagged {n} new of {len(set(args.ids))} products {args.tag!r}")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from core.curation.export import export_frame, to_csv_bytes, to_parquet_bytes
    from core.curation.store import CurationStore
    from core.data.catalog import load_catalog

    out = Path(args.out).expanduser()
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise FashionError(f"--out must end in .csv or .parquet, got {out.name}")
    store = CurationStore(settings.curation_db)
    products = load_catalog(settings)
    if not args.all:
        products = products[products["id"].isin(store.labels()["id"])]
    frame = export_frame(products, store)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(to_parquet_bytes(frame) if out.suffix.lower() == ".parquet" else to_csv_bytes(frame))
    print(f"wrote {len(frame):,} products with their tags, flags and notes to {out}")
    return 0


def register(subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``curate`` to ``python -m core``."""
    curate = subparsers.add_parser("curate", parents=[common], help="curation: suggestions, tags, export")
    actions = curate.add_subparsers(dest="action", required=True, metavar="ACTION")
    # ``curate`` gets --home/--catalog from ``common``; the actions accept them too (after the action),
    # with SUPPRESS so an absent one does not overwrite a value given before the action.
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--home", default=argparse.SUPPRESS, help="working folder (default: $FASHION_HOME or ./data)")
    where.add_argument("--catalog", default=argparse.SUPPRESS, help="catalogue folder (default: $FASHION_CATALOG or the demo)")
    suggestions = actions.add_parser("suggestions", parents=[where], help="near-duplicates, label errors and outliers")
    suggestions.add_argument("--kind", choices=("near-duplicate", "label-error", "outlier"))
    suggestions.add_argument("--status", choices=("pending", "accepted", "dismissed"))
    suggestions.add_argument("--refresh", action="store_true", help="recompute instead of reading the cache")
    suggestions.add_argument("--model", help="model folder (default: the newest under HOME/models)")
    suggestions.add_argument("--json", action="store_true", help="print the suggestions as JSON")
    suggestions.set_defaults(func=_suggestions)

    tag = actions.add_parser("tag", parents=[where], help="add (or --remove) a tag on products")
    tag.add_argument("ids", nargs="+", type=int, metavar="ID")
    tag.add_argument("--tag", required=True)
    tag.add_argument("--author", default="cli")
    tag.add_argument("--note")
    tag.add_argument("--remove", action="store_true")
    tag.set_defaults(func=_tag)

    export = actions.add_parser("export", parents=[where], help="write the curated products with their tags (CSV or Parquet)")
    export.add_argument("--out", required=True, help="FILE.csv or FILE.parquet")
    export.add_argument("--all", action="store_true", help="every product, not only the curated ones")
    export.set_defaults(func=_export)
