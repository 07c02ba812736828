"""The ``index``, ``search``, ``backup`` and ``restore`` subcommands of ``python -m core``.

Only argument parsing and printing: the work is in ``core.index.build``, ``core.index.search`` and
``core.index.backup``. ``register`` gives every subcommand ``--home``/``--catalog`` (the ``common``
parent); ``core.cli.main`` turns a ``FashionError`` into one line on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.config import Settings
from core.errors import FashionError
from core.model.load import resolve_embedder  # looked up at call time: tests patch it here

MAX_RESULTS = 100
"""Most results ``search --k`` returns; more is refused, not clamped, so a script never gets fewer
results than it asked for without noticing (and ``--k 500`` took about a minute)."""


# -- commands --------------------------------------------------------------------------------
def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from core.index.build import build_index, parse_shard

    shard = None if args.shard is None else parse_shard(args.shard)
    embedder = resolve_embedder(settings, args.model, feature_cache=True)
    report = build_index(settings, embedder, chunk_size=args.chunk_size, shard=shard)
    print(report.summary())
    return 0


def _filters(args: argparse.Namespace):
    from core.index.filters import Filters

    return Filters(
        gender=tuple(args.gender or ()),
        group=tuple(args.group or ()),
        article_type=tuple(args.article_type or ()),
        colours=tuple(args.colour or ()),
        season=tuple(args.season or ()),
        usage=tuple(args.usage or ()),
        tags=tuple(args.tag or ()),
        min_price=args.min_price,
        max_price=args.max_price,
    )


def _vocabulary(settings: Settings, searcher):
    """The catalogue's vocabulary (with its brands) when the catalogue is prepared, else the index's."""
    from core.index.understand import vocabulary_of
    from core.understanding import Vocabulary

    if settings.catalog_parquet.is_file():
        from core.data.catalog import load_catalog

        return Vocabulary.from_catalog(load_catalog(settings))
    return vocabulary_of(searcher.vocabulary)


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from functools import partial

    from core.curation.store import CurationStore
    from core.index.relax import search_understood
    from core.index.search import SearchQuery, Searcher
    from core.index.understand import Interpretation, interpret

    if args.query is None and args.image is None and args.like is None:
        raise FashionError("nothing to search for: give a QUERY text, --image PATH or --like ID")
    if not 1 <= args.k <= MAX_RESULTS:
        raise FashionError(f"--k must be from 1 to {MAX_RESULTS}, got {args.k}; narrow the search with filters instead")
    query = SearchQuery(
        text=args.query,
        image=Path(args.image) if args.image is not None else None,
        like_id=args.like,
        image_weight=args.weight,
        description_weight=args.description_weight,
        filters=_filters(args),
        k=args.k,
    )
    embedder = resolve_embedder(settings, args.model)
    tags = partial(CurationStore, settings.curation_db)  # opened only when --tag is given
    searcher = Searcher(settings, embedder, tag_source=tags)
    if args.literal or args.query is None or not args.query.strip():
        understood = Interpretation.literal(args.query or "", query.filters)
    else:
        understood = interpret(args.query, _vocabulary(settings, searcher), query.filters, known=searcher.vocabulary)
    found = search_understood(searcher, understood, query)
    result = found.result
    if args.json:
        print(json.dumps(result.to_dicts(), ensure_ascii=False, indent=2))
    else:
        for rank, hit in enumerate(result.hits, 1):
            print(
                f"{rank:>3}  {hit.score:6.3f}  {hit.id:>6}  {hit.name}  "
                f"({hit.gender}, {hit.article_type}, {hit.base_colour}, INR {hit.price})"
            )
    if understood.chips:
        print(f"understood: {understood.summary()}", file=sys.stderr)
    if found.notice:
        print(f"relaxed: {found.notice}" if found.relaxed else f"note: {found.notice}", file=sys.stderr)
    for line in (*understood.overridden, *understood.notices, *searcher.notices):
        print(f"note: {line}", file=sys.stderr)
    if result.reason:
        print(f"no results: {result.reason}", file=sys.stderr)
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from core.index.backup import backup

    report = backup(settings, Path(args.to))
    total = sum(report.counts.values())
    print(
        f"backed up {len(report.counts)} collections ({total} records) from the {report.store} "
        f"to {report.path} in {report.seconds:.1f} s"
    )
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from core.index.backup import restore

    report = restore(settings, Path(args.source))
    total = sum(report.counts.values())
    print(
        f"restored {len(report.counts)} collections ({total} records) into the {report.store}; "
        f"counts match and {report.verified_queries} known queries verified "
        f"({report.seconds:.1f} s)"
    )
    return 0


# -- parsers ---------------------------------------------------------------------------------
def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def register(subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``index``, ``search``, ``backup`` and ``restore`` to ``python -m core``."""
    index = subparsers.add_parser("index", parents=[common], help="embed the catalogue and build the vector index")
    index.add_argument("--model", help="model folder (default: the newest under HOME/models)")
    index.add_argument("--chunk-size", type=int, default=256, help="products per upsert (default 256)")
    index.add_argument("--shard", metavar="I/N",
                       help="index only shard I of N (0-based), e.g. one worker per machine against one Chroma "
                            "server; then run `index` once without --shard to finish")
    index.set_defaults(func=cmd_index)

    search = subparsers.add_parser("search", parents=[common], help="search the index by text, image or product")
    search.add_argument("query", nargs="?", help="what to look for, e.g. 'red t-shirt'")
    search.add_argument("--image", metavar="PATH", help="an image to search with")
    search.add_argument("--like", type=int, metavar="ID", help="products like this product id")
    search.add_argument(
        "--weight", type=_fraction, default=0.5,
        help="share of the image (or --like product) when combined with a text (default 0.5)",
    )  # fmt: skip
    search.add_argument(
        "--description-weight", type=_fraction, default=0.0,
        help="share of the score taken from description vectors (default 0)",
    )  # fmt: skip
    for flag, dest, what in (
        ("--gender", "gender", "Men, Women, ..."),
        ("--group", "group", "topwear, footwear, ..."),
        ("--article-type", "article_type", "Tshirts, Jeans, ..."),
        ("--colour", "colour", "Red, Navy Blue, ... (also --color)"),
        ("--season", "season", "Summer, Winter, ..."),
        ("--usage", "usage", "Casual, Formal, ..."),
        ("--tag", "tag", "a curation tag (python -m core curate tag ...)"),
    ):
        aliases = [flag, "--color"] if dest == "colour" else [flag]
        search.add_argument(
            *aliases, dest=dest, action="append", metavar="VALUE",
            help=f"filter: {what}; repeat or comma-separate for several",
        )  # fmt: skip
    search.add_argument("--min-price", type=int, metavar="INR", help="lowest price")
    search.add_argument("--max-price", type=int, metavar="INR", help="highest price")
    search.add_argument("-k", "--k", type=int, default=10, help=f"number of results, at most {MAX_RESULTS} (default 10)")
    search.add_argument("--json", action="store_true", help="print the results as JSON")
    search.add_argument(
        "--literal", action="store_true",
        help="use QUERY as is: read no filters from its words (gender, colour, type, price)",
    )  # fmt: skip
    search.add_argument("--model", help="model folder (default: the newest under HOME/models)")
    search.set_defaults(func=cmd_search)

    save = subparsers.add_parser("backup", parents=[common], help="copy the vector store and its manifest")
    save.add_argument("--to", required=True, metavar="DIR", help="a new or empty folder")
    save.set_defaults(func=cmd_backup)

    load = subparsers.add_parser("restore", parents=[common], help="restore the vector store from a backup")
    load.add_argument("--from", dest="source", required=True, metavar="DIR", help="a backup folder")
    load.set_defaults(func=cmd_restore)
