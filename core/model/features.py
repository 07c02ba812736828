"""Frozen-tower feature cache and the image preprocessing it is keyed by.

A frozen tower is a pure function of its input, so its output is computed once and stored on disk:
one SQLite file per *namespace* (tower + weights + preprocessing, e.g.
``efficientnet-lite0@224-pad-bicubic-half``) under ``settings.cache_dir/features``, rows keyed by
the content hash of the input (sha1 of the image file's bytes, of a PIL image's pixels, or of a
text). Epochs, re-runs, evaluation and indexing then read vectors instead of recomputing them.
Trade-off accepted: the key is the content, not the path, so a renamed file is still a hit, but
every lookup of a file reads and hashes its bytes (about 10 µs per 12 KB thumbnail).

The image preprocessing (pad on white to the input's aspect, a square or e.g. 224x168, bicubic resize, scale to [-1, 1]) lives here too,
written with PIL and numpy only (no torchvision), because it is part of the cache key, with the
batch helpers a tower computes through (keys of many inputs, decoding with failures reported and
prefetched in a thread while the previous batch runs, computing in parts stored as they finish).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple, TypeVar

import numpy as np
from PIL import Image

from core.files import file_digest

ImageLike = Image.Image | str | os.PathLike
PartsDone = Callable[[int, int], None]
"""``(done, total)`` items computed so far: how a long feature computation reports to a progress bar."""
T, R = TypeVar("T"), TypeVar("R")

PREPROCESSING_VERSION = "pad-white-bicubic-half-v1"
"""Bump when :func:`image_to_array` or :func:`colour_histogram` change: it is part of every key."""


# -- content keys ---------------------------------------------------------------------------
def file_sha1(path: str | os.PathLike) -> str:
    """sha1 of a file's bytes (the cache key of an image file)."""
    return file_digest(path, "sha1")


def pil_sha1(image: Image.Image) -> str:
    """sha1 of a PIL image's mode, size and pixels (the key of an in-memory image)."""
    digest = hashlib.sha1(f"{image.mode}:{image.size}:".encode())
    digest.update(image.tobytes())
    return "pil-" + digest.hexdigest()


def text_sha1(text: str) -> str:
    return "txt-" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def content_key(item: ImageLike) -> str:
    """Cache key of an image given as a path or a PIL image."""
    if isinstance(item, Image.Image):
        return pil_sha1(item)
    return file_sha1(item)


def content_keys(items: Sequence[ImageLike]) -> tuple[list[str], list[tuple[int, str]]]:
    """Cache keys of images; a file that cannot be read gets the key ``missing-<index>`` and is
    listed in the second value as ``(index, reason)``."""
    keys, unreadable = [], []
    for index, item in enumerate(items):
        try:
            keys.append(content_key(item))
        except OSError as error:
            keys.append(f"missing-{index}")
            unreadable.append((index, f"{type(error).__name__}: {error}"))
    return keys, unreadable


# -- image preprocessing --------------------------------------------------------------------
def load_rgb(item: ImageLike) -> Image.Image:
    """An RGB PIL image from a path or an image; raises on a file that does not decode."""
    if isinstance(item, Image.Image):
        image = item
    else:
        with Image.open(item) as opened:
            opened.load()  # a truncated file fails here, not later
            image = opened.copy()
    if image.mode != "RGB":
        if image.mode in ("RGBA", "LA", "P"):
            rgba = image.convert("RGBA")
            background = Image.new("RGB", rgba.size, (255, 255, 255))
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        else:
            image = image.convert("RGB")
    return image


def input_shape(size: int | Sequence[int]) -> tuple[int, int]:
    """``(height, width)`` of a backbone input: an int is a square."""
    if isinstance(size, (int, np.integer)):
        return int(size), int(size)
    height, width = size
    return int(height), int(width)


def size_label(size: int | Sequence[int]) -> str:
    """``224`` for a square input, ``224x168`` for 224 high and 168 wide (cache and export names)."""
    height, width = input_shape(size)
    return f"{height}" if height == width else f"{height}x{width}"


def pad_to_aspect(image: Image.Image, width: int, height: int, fill=(255, 255, 255)) -> Image.Image:
    """Pad (centred, white: catalogue photos are shot on white) to the aspect ``width:height``."""
    have_w, have_h = image.size
    if have_w * height == have_h * width:
        return image
    if have_w * height > have_h * width:  # too wide: add rows
        canvas_size = (have_w, round(have_w * height / width))
    else:  # too tall: add columns
        canvas_size = (round(have_h * width / height), have_h)
    canvas = Image.new("RGB", canvas_size, fill)
    canvas.paste(image, ((canvas_size[0] - have_w) // 2, (canvas_size[1] - have_h) // 2))
    return canvas


def resized_pixels(image: Image.Image, size: int | Sequence[int]) -> np.ndarray:
    """uint8 HWC pixels of ``image`` padded on white to the aspect of ``size`` (an int: a square;
    ``(height, width)``) and resized (bicubic) to it."""
    height, width = input_shape(size)
    return np.asarray(pad_to_aspect(image, width, height).resize((width, height), Image.BICUBIC), dtype=np.uint8)


def pixels_to_batch(pixels: Sequence[np.ndarray]) -> np.ndarray:
    """float32 NCHW batch in [-1, 1] from uint8 HWC arrays: ``x / 127.5 - 1`` in float32, in place
    (0.23 ms an image at 224 px; a 256-entry look-up table gave the same bits in 0.72 ms)."""
    batch = np.stack(pixels).transpose(0, 3, 1, 2).astype(np.float32, order="C")
    batch /= np.float32(127.5)
    batch -= np.float32(1.0)
    return batch


def image_to_array(image: Image.Image, size: int | Sequence[int]) -> np.ndarray:
    """float32 CHW array in [-1, 1] (EfficientNet-Lite's TF preprocessing: (x - 127.5) / 127.5)."""
    return pixels_to_batch([resized_pixels(image, size)])[0]


class Decoded(NamedTuple):
    """Backbone inputs of the images of a batch that decoded (see :func:`decode_images`)."""

    indices: list[int]
    pixels: np.ndarray  # (len(indices), 3, height, width) float32
    hists: list[np.ndarray]  # colour histograms (empty without colour levels)
    failures: list[tuple[str, str]]  # (input, reason) of the images that did not decode


def decode_images(items: Sequence[ImageLike], indices: Sequence[int], size: int | Sequence[int],
                  colour_levels: int) -> Decoded:
    """Backbone inputs of ``items[indices]`` (and their colour histograms when ``colour_levels``);
    an image that does not decode is left out and reported in ``failures`` as ``(input, reason)``."""
    ok, pixels, hists, failures = [], [], [], []
    for index in indices:
        try:
            image = load_rgb(items[index])
        except Exception as error:  # noqa: BLE001 - any decoder failure: skip and report
            failures.append((str(items[index]), f"{type(error).__name__}: {error}"))
            continue
        pixels.append(resized_pixels(image, size))
        if colour_levels:
            hists.append(colour_histogram(image, colour_levels))
        ok.append(index)
    batch = pixels_to_batch(pixels) if pixels else np.zeros((0, 3, *input_shape(size)), np.float32)
    return Decoded(ok, batch, hists, failures)


def prefetched(function: Callable[[T], R], parts: Iterable[T], depth: int = 2) -> Iterator[R]:
    """``function(part)`` for each part, in order, computed up to ``depth`` parts ahead in a thread.

    Decoding the next batch (PIL and numpy release the GIL) then overlaps inference on this one.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
        pending: deque[Future] = deque()
        try:
            for part in parts:
                pending.append(pool.submit(function, part))
                if len(pending) > depth:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def colour_histogram(image: Image.Image, levels: int = 4, white: int = 235) -> np.ndarray:
    """Square-rooted RGB histogram (levels³ bins) of the non-background pixels, L2-normalised.

    ImageNet features encode colour poorly; this makes the garment's colour explicit. Near-white
    pixels (all channels >= ``white``) are the studio background and are ignored, unless nothing
    else is left (a white garment on white).
    """
    pixels = np.asarray(image, dtype=np.uint8).reshape(-1, 3)
    foreground = pixels[(pixels < white).any(axis=1)]
    if len(foreground) < 16:
        foreground = pixels
    bins = (foreground.astype(np.int32) * levels) // 256
    index = (bins[:, 0] * levels + bins[:, 1]) * levels + bins[:, 2]
    counts = np.bincount(index, minlength=levels**3).astype(np.float32)
    hist = np.sqrt(counts / max(counts.sum(), 1.0))
    return hist / max(float(np.linalg.norm(hist)), 1e-12)


# -- the on-disk cache ----------------------------------------------------------------------
class FeatureCache:
    """Vectors of one namespace, keyed by content hash, in ``root/<namespace>.sqlite``.

    >>> cache = FeatureCache(tmp, "efficientnet-lite0@224")          # doctest: +SKIP
    >>> cache.put({"ab12": np.ones(4, np.float32)}); cache.get(["ab12"])  # doctest: +SKIP
    """

    def __init__(self, root: str | os.PathLike, namespace: str, dtype=np.float32):
        self.root = Path(root)
        self.namespace = namespace
        self.dtype = np.dtype(dtype)
        self.path = self.root / f"{_safe(namespace)}.sqlite"
        self.hits = 0
        self.misses = 0
        self._memory: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.root.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS features (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)"
            )
            self._conn = conn
        return self._conn

    def get(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The cached vectors among ``keys`` (missing keys are absent); counts hits and misses."""
        found: dict[str, np.ndarray] = {}
        wanted = [key for key in dict.fromkeys(keys) if key not in self._memory]
        with self._lock:
            conn = self._connect()
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, vec FROM features WHERE key IN ({marks})", chunk
                ).fetchall()
                for key, blob in rows:
                    self._memory[key] = np.frombuffer(blob, dtype=self.dtype)
        for key in keys:
            vector = self._memory.get(key)
            if vector is None:
                self.misses += 1
            else:
                self.hits += 1
                found[key] = vector
        return found

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = []
        for key, vector in vectors.items():
            vector = np.ascontiguousarray(vector, dtype=self.dtype).reshape(-1)
            self._memory[key] = vector
            rows.append((key, int(vector.shape[0]), vector.tobytes()))
        with self._lock:
            conn = self._connect()
            conn.executemany("INSERT OR REPLACE INTO features VALUES (?, ?, ?)", rows)
            conn.commit()

    def __len__(self) -> int:
        with self._lock:
            return int(self._connect().execute("SELECT COUNT(*) FROM features").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __getstate__(self):  # the trainer may deep-copy or pickle modules holding a cache
        state = self.__dict__.copy()
        state.update(_conn=None, _lock=None, _memory={})
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_.@" else "_" for c in name)


def cached_compute(
    cache: FeatureCache | None,
    keys: Sequence[str],
    compute,
    indices_to_compute: Iterable[int] | None = None,
    store: Callable[[], bool] | None = None,
) -> tuple[list[np.ndarray | None], list[int]]:
    """Vectors for ``keys``: from the cache where present, else ``compute(missing_indices)``.

    ``compute`` returns a dict index -> vector (an index it leaves out failed and stays None).
    Returns the vectors (None where failed) and the indices that were computed. ``store()`` False:
    the computed vectors are not written to the cache.
    """
    found = cache.get(keys) if cache is not None else {}
    vectors: list[np.ndarray | None] = [found.get(key) for key in keys]
    missing = [i for i, vector in enumerate(vectors) if vector is None]
    if indices_to_compute is not None:
        allowed = set(indices_to_compute)
        missing = [i for i in missing if i in allowed]
    if not missing:
        return vectors, []
    computed = compute(missing)
    new: dict[str, np.ndarray] = {}
    for index, vector in computed.items():
        vectors[index] = vector
        new[keys[index]] = vector
    if cache is not None and (store is None or store()):
        cache.put(new)
    return vectors, missing


def compute_in_parts(compute, indices: Sequence[int], step: int, *, cache: FeatureCache | None = None,
                     keys: Sequence[str] = (), desc: str = "", progress: bool | PartsDone = False) -> dict[int, np.ndarray]:
    """``compute(part)`` over ``indices`` in parts of ``step``, each part stored in ``cache`` (under
    ``keys[index]``) as soon as it is done, quiet or not: an interrupted run keeps its work.

    ``progress``: True draws a tqdm bar on stderr; a callable is told ``(done, total)`` images
    instead, at the start and after every part (a dashboard's bar)."""
    from tqdm.auto import tqdm

    report = progress if callable(progress) else None
    out: dict[int, np.ndarray] = {}
    with tqdm(total=len(indices), desc=desc, unit="img", disable=report is not None or not progress) as bar:
        if report is not None:
            report(0, len(indices))
        for start in range(0, len(indices), step):
            part = indices[start : start + step]
            out.update(compute(part))
            if cache is not None:
                cache.put({keys[i]: out[i] for i in part if i in out})
            bar.update(len(part))
            if report is not None:
                report(start + len(part), len(indices))
    return out
