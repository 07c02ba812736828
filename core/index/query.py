"""What a search asks for, and reading it safely: ``SearchQuery``, its checks, query images.

``SearchQuery`` is the plain value the CLI, the dashboard and the stylist hand to
``core.index.search.Searcher``. Bad input never crashes: empty text, a file that is not an image,
a decompression bomb or an empty upload each raise a ``FashionError`` that says what to do; the
pixel count of an image is checked from its header, before any pixel is decoded.

A query is encoded with one intra-op torch thread (when torch is loaded): a batch of one gains
nothing from parallelism on our 2 shared cores and loses badly when they are busy (measured under
load: text encoding p50 22 ms with one thread, 115-195 ms with two). The switch is process-global,
so it is taken under a lock and the previous value restored.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from core.errors import FashionError
from core.index.filters import Filters

MAX_QUERY_PIXELS = 40_000_000  # ~6300 x 6300: far above any photo we need, far below a bomb
MAX_QUERY_BYTES = 25 * 1024 * 1024
MAX_K = 500

ImageSource = Image.Image | bytes | bytearray | str | Path


@dataclass(frozen=True)
class SearchQuery:
    """One search. Give ``text``, a picture (``image`` or ``like_id``), or a text and a picture.

    Example: ``SearchQuery(text="red t-shirt", filters=Filters(gender="Men"), k=5)``.
    """

    text: str | None = None
    image: ImageSource | None = None
    like_id: int | None = None
    image_weight: float = 0.5
    description_weight: float = 0.0
    filters: Filters = field(default_factory=Filters)
    k: int = 10


def check_query(query: SearchQuery) -> None:
    """FashionError when ``query`` asks for nothing, for two pictures, or has an out-of-range knob."""
    if query.text is not None and not str(query.text).strip():
        raise FashionError("the query text is empty")
    if query.image is not None and query.like_id is not None:
        raise FashionError("give an image or a product to match (--like), not both")
    if query.text is None and query.image is None and query.like_id is None:
        raise FashionError("nothing to search for: give a text, an image or --like ID")
    if isinstance(query.k, bool) or not isinstance(query.k, int) or not 1 <= query.k <= MAX_K:
        raise FashionError(f"k must be a whole number from 1 to {MAX_K}, got {query.k!r}")
    for name in ("image_weight", "description_weight"):
        value = getattr(query, name)
        if not 0.0 <= float(value) <= 1.0:
            raise FashionError(f"{name.replace('_', ' ')} must be between 0 and 1, got {value}")


def load_query_image(source: ImageSource, *, max_pixels: int = MAX_QUERY_PIXELS) -> Image.Image:
    """An RGB image from a PIL image, raw bytes (an upload) or a path; FashionError if unsafe.

    The pixel count is checked from the header, before any pixel is decoded.
    """
    if isinstance(source, Image.Image):
        _check_pixels(source.size, "the image", max_pixels)
        return source.convert("RGB")
    if isinstance(source, (bytes, bytearray, memoryview)):
        label = "the uploaded file"
        if len(source) == 0:
            raise FashionError("the uploaded file is empty")
        if len(source) > MAX_QUERY_BYTES:
            raise FashionError(f"{label} is larger than {MAX_QUERY_BYTES // 2**20} MB")
        stream = io.BytesIO(bytes(source))
    elif isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        label = str(path)
        if not path.is_file():
            raise FashionError(f"no image file at {path}")
        if path.stat().st_size > MAX_QUERY_BYTES:
            raise FashionError(f"{label} is larger than {MAX_QUERY_BYTES // 2**20} MB")
        stream = io.BytesIO(path.read_bytes())
    else:
        raise FashionError(f"cannot read an image from a {type(source).__name__}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(stream) as img:
                _check_pixels(img.size, label, max_pixels)
                img.load()
                return img.convert("RGB")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FashionError(
                f"{label} is too large to decode safely (possible decompression bomb)"
            ) from None
        except UnidentifiedImageError:
            raise FashionError(f"{label} is not an image PIL can read (JPEG, PNG, WebP...)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise FashionError(f"{label} is a damaged or truncated image ({exc})") from None


def _check_pixels(size: tuple[int, int], label: str, max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise FashionError(
            f"{label} is {width}x{height} pixels, too large to decode safely "
            f"(limit {max_pixels:,} pixels)"
        )
    if width == 0 or height == 0:
        raise FashionError(f"{label} has no pixels")


def unit_vector(vector: np.ndarray) -> np.ndarray:
    """``vector`` as a unit float32 vector; FashionError when it has no direction."""
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(norm) or norm == 0.0:
        raise FashionError("the query has no usable content (its embedding is zero)")
    return vector / norm
