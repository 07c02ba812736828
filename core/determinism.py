"""Stable draws and content hashes: the same input gives the same output on every run and machine.

Python's ``hash`` is salted per process and ``random`` depends on call order, so every
"random-looking" choice in prepare (prices, splits, negatives) comes from SHA-256 of its key.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def stable_unit(*key: object) -> float:
    """A float in [0, 1) fixed by ``key``: ``stable_unit("price", 0, 42)`` never changes."""
    digest = hashlib.sha256(":".join(map(str, key)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            sha.update(block)
    return sha.hexdigest()
