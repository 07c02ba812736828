"""Settings of removed levers that saved image towers may still carry.

A lever measured and dropped (``docs/experiments.md``) leaves its config key in the towers saved
while it was in the product. Loading such a tower must keep working when the lever was off, and
say clearly why not when it was on, instead of failing on an unexpected keyword argument.
"""

from __future__ import annotations

from typing import Any

from core.errors import FashionError

RETIRED = {"colour_lab": "the Lab colour histogram", "tuned": "an adapted backbone top"}
"""Removed key -> what it turned on (present in towers saved on 2026-12-01, commits 1c78bc0-bba358a)."""


def check_retired(settings: dict[str, Any]) -> None:
    """Accept retired keys whose lever was off; refuse an unknown key or a lever that was on."""
    unknown = sorted(set(settings) - set(RETIRED))
    if unknown:
        raise TypeError(f"unexpected image tower settings: {', '.join(unknown)}")
    used = [RETIRED[key] for key, value in settings.items() if value]
    if used:
        raise FashionError(f"this model uses {used[0]}, removed from the product: train a new version")
