"""Files and stable draws: content hashes, atomic writes, and seeds that never change.

Python's ``hash`` is salted per process and ``random`` depends on call order, so every
"random-looking" choice in prepare (prices, splits, negatives) comes from SHA-256 of its key.
Every file the pipeline writes for another stage to read is written under a temporary name in the
same folder and moved into place with ``os.replace``: a reader sees the old file or the new one,
never half of one, and an interrupted run leaves at most a ``.tmp`` file behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any


def stable_unit(*key: object) -> float:
    """A float in [0, 1) fixed by ``key``: ``stable_unit("price", 0, 42)`` never changes."""
    digest = hashlib.sha256(":".join(map(str, key)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def file_digest(path: str | os.PathLike, algorithm: str = "sha256", chunk: int = 1 << 20) -> str:
    """Hex digest of a file's bytes, read in chunks: ``file_digest(p)`` or ``file_digest(p, "sha1")``."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    return file_digest(path, "sha256")


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it over ``path``.

    ``write`` gets a path, so any writer works (``frame.to_parquet``, ``image.save``):
    ``atomic_write(out, lambda tmp: frame.to_parquet(tmp, index=False))``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique name, created by ``write`` itself so the file gets the usual permissions.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_json_atomic(path: str | os.PathLike, data: Any, **dumps: Any) -> Path:
    """``data`` as JSON (``indent=2`` unless given), written atomically."""
    dumps.setdefault("indent", 2)
    return write_text_atomic(path, json.dumps(data, **dumps))
