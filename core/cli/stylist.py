"""The ``ask`` subcommand of ``python -m core``: one stylist turn from the shell.

Only argument parsing and printing; the work is in ``core.stylist.service.Stylist``. Without
``--thread`` every call is a fresh conversation; with it, "make it cheaper" refines the previous
answer of that thread (state in ``HOME/stylist/checkpoints.sqlite``).
"""

from __future__ import annotations

import argparse
import json
import sys

from core.config import Settings
from core.errors import FashionError
from core.stylist.facts import COMPATIBLE_GENDERS  # light: no model or graph behind it

GENDERS = tuple(COMPATIBLE_GENDERS)
"""The values ``--gender`` accepts (any case): Men, Women, Boys, Girls, Unisex, as the stylist knows them."""


def _gender(value: str) -> str:
    """``value`` in the catalogue's spelling ("women" -> "Women"); a FashionError listing the valid ones."""
    folded = {g.casefold(): g for g in GENDERS}
    gender = folded.get(value.strip().casefold())
    if gender is None:
        raise FashionError(f"unknown --gender {value!r}; valid: {', '.join(GENDERS)}")
    return gender


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    preferences = {}
    if args.gender is not None:
        preferences["gender"] = _gender(args.gender)
    if args.budget is not None:
        if args.budget <= 0:
            raise FashionError(f"--budget must be a positive amount in INR, got {args.budget}")
        preferences["budget"] = args.budget
    if args.avoid:
        preferences["avoided_colours"] = [c.strip() for c in args.avoid.split(",") if c.strip()]
    if args.favourite:
        preferences["favourite_colours"] = [c.strip() for c in args.favourite.split(",") if c.strip()]
    from core.stylist.service import Stylist  # after the checks: loading it is slow

    with Stylist.open(settings, model_path=args.model, provider=args.provider) as stylist:
        answer = stylist.ask(args.message, thread_id=args.thread, preferences=preferences)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
    else:
        print(answer.answer)
        for notice in answer.notices:  # what the answer does not already say (e.g. text removed from a model's answer)
            if notice not in answer.answer:
                print(f"note: {notice}", file=sys.stderr)
        if args.thread is None:
            print(f"\n(continue this conversation with --thread {answer.thread_id})", file=sys.stderr)
    return 0


def register(subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``ask`` to ``python -m core``."""
    ask = subparsers.add_parser("ask", parents=[common], help="ask the stylist for an outfit from the catalogue")
    ask.add_argument("message", metavar="MESSAGE", help='e.g. "Office outfit for a woman under 3000"')
    ask.add_argument("--thread", metavar="ID", help="conversation id: refine the previous answer of this thread")
    ask.add_argument("--json", action="store_true", help="print answer, products and the analyzed request as JSON")
    ask.add_argument("--model", help="encoder model folder (default: the newest under HOME/models)")
    ask.add_argument(
        "--provider", choices=("offline", "openai", "openai-compatible"),
        help="chat model (default: $STYLIST_PROVIDER or offline)",
    )  # fmt: skip
    ask.add_argument("--gender", help=f"saved preference: one of {', '.join(GENDERS)}")
    ask.add_argument("--budget", type=int, metavar="INR", help="saved preference: outfit budget, a positive amount")
    ask.add_argument("--avoid", metavar="COLOURS", help="saved preference: colours to avoid, comma-separated")
    ask.add_argument("--favourite", metavar="COLOURS", help="saved preference: favourite colours, comma-separated")
    ask.set_defaults(func=cmd_ask)
