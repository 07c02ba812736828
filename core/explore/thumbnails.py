"""Product thumbnails as ``data:`` URIs, for charts whose tooltips show a picture.

Vega-Lite tooltips (through vega-tooltip) render a field named ``image`` as ``<img src=...>``; a
data URI needs no file server, so the picture travels inside the chart spec. Trade-off accepted:
every thumbnail is re-encoded as a small JPEG (about 1.5-3 KB, 60x80 px by default), so a chart
can carry a few hundred of them (the map's close-up caps its points) but never the whole catalogue.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, UnidentifiedImageError

DEFAULT_SIZE = (60, 80)


def thumbnail_data_uri(path: str | Path, *, size: tuple[int, int] = DEFAULT_SIZE, quality: int = 75) -> str:
    """``data:image/jpeg;base64,...`` of the picture fitted into ``size``; ``""`` when unreadable."""
    try:
        with Image.open(path) as image:
            image.draft("RGB", size)  # JPEG: decode at a reduced scale straight away
            picture = image.convert("RGB")
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return ""
    picture.thumbnail(size)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def thumbnail_data_uris(paths: Iterable[str | Path], **options) -> list[str]:
    """:func:`thumbnail_data_uri` of each path, in order."""
    return [thumbnail_data_uri(path, **options) for path in paths]
