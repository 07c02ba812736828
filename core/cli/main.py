"""``python -m core <command>``: the parser and the error policy of the pipeline's command line.

Every command takes ``--home`` / ``--catalog`` (overriding ``FASHION_HOME`` / ``FASHION_CATALOG``),
shows progress on long work, and fails with one line on stderr and a non-zero exit code: 2 for a
problem the user can fix (:class:`FashionError`, a bad environment variable included), 1 for a bug
(the traceback with ``FASHION_DEBUG=1``), 130 when interrupted.

The commands live one group per module, each with ``register(subparsers, common)``; they are listed
in :data:`COMMAND_MODULES` by import, not by name, so a renamed module fails at once instead of
quietly losing its commands. The modules import heavy libraries inside their commands only.
"""

from __future__ import annotations

import argparse
import sys

from core.cli import curation, data, model, pipeline, search, stylist
from core.config import Settings
from core.errors import FashionError

COMMAND_MODULES = (data, pipeline, model, search, stylist, curation)
"""Every command group, in the order ``python -m core --help`` lists them."""


def common_options() -> argparse.ArgumentParser:
    """The parent parser of every subcommand: ``--home`` and ``--catalog``."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="working folder (default: $FASHION_HOME or ./data)")
    common.add_argument("--catalog", help="catalogue folder with styles.csv and images/ (default: $FASHION_CATALOG or the demo)")
    return common


def build_parser() -> argparse.ArgumentParser:
    variables = "\n".join(f"  {name:<22} {help}" for name, _, help in Settings.describe())
    parser = argparse.ArgumentParser(
        prog="python -m core", description="Fashion retrieval pipeline.",
        epilog=f"environment variables (all read by core/config.py):\n{variables}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = common_options()
    for module in COMMAND_MODULES:
        module.register(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings: Settings | None = None
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
        if _debug(settings):
            raise
        print(f"error: unexpected {type(error).__name__}: {error} (FASHION_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


def _debug(settings: Settings | None) -> bool:
    """``FASHION_DEBUG``, also when the settings themselves failed to build.

    A bad value is a :class:`FashionError` (handled before this is asked); what else can fail is
    resolving a path (``~nobody/data``), so the flag is read again with the paths pinned.
    """
    if settings is not None:
        return settings.debug
    try:
        return Settings.from_env(home=".", catalog=".", feature_cache=".").debug
    except Exception:  # noqa: BLE001 - no flag to be read: keep the one-line message
        return False
