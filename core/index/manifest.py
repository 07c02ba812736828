"""The index manifest: what an index holds and whether it is complete, kept in Chroma itself.

The manifest (format, model version, dimension, catalogue hash, counts, status, filter
vocabulary) is JSON in the image collection's own metadata under :data:`MANIFEST_KEY` rather than
in a file beside it: it is then always in step with the vectors, in embedded and server mode
alike, and travels with any copy of the store (``core.index.backup`` exports it as is). Build
writes ``status: building`` first and ``complete`` last, so a reader can tell an interrupted run.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

MANIFEST_KEY = "manifest"
MANIFEST_FORMAT = 1


def read_manifest(collection: "Collection | None") -> dict | None:
    """The manifest of ``collection``; None when it has none (or not readable JSON) or is None."""
    if collection is None:
        return None
    raw = (collection.metadata or {}).get(MANIFEST_KEY)
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return None


def write_manifest(collection: "Collection", manifest: dict) -> None:
    """Store ``manifest`` in ``collection``'s metadata, keeping its other keys."""
    metadata = dict(collection.metadata or {})
    metadata[MANIFEST_KEY] = json.dumps(manifest, sort_keys=True)
    collection.modify(metadata=metadata)


def now() -> str:
    """The local time as the manifest writes it: ``2026-11-30T14:05:09+0100``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
