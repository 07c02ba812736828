"""A perceptual colour descriptor of a product photo: a soft histogram over fixed CIELab prototypes.

Most rank-1 misses of text→image search are colour (the product is found, in the wrong colour), and
ImageNet features pooled over the picture keep colour poorly. Catalogue photos are shot on white,
so the near-white pixels are the background; the rest (the product) is converted to CIELab, where
distances follow perceived differences, and each pixel is shared among :data:`LAB_PROTOTYPES` by a
Gaussian kernel of width :data:`SIGMA`. The prototypes are a fixed grid, not the catalogue's colour
names: 5 greys on the lightness axis, and 12 hues at 2 chromas and 3 lightnesses (77 in all), so the
descriptor means the same on any catalogue. Square-rooted and L2-normalised like the RGB histogram
of :func:`core.model.features.colour_histogram`, which it complements (that one is 64 coarse RGB bins).
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image

SIGMA = 12.0
"""Kernel width in Lab units (neighbouring prototypes are 13-28 apart)."""
WHITE = 235
"""A pixel whose channels are all at least this is background (as for the RGB histogram)."""
CELL_BITS = 5
CELL_BITS_LEVELS = 1 << CELL_BITS


def _prototypes() -> np.ndarray:
    greys = [(lightness, 0.0, 0.0) for lightness in (10.0, 30.0, 50.0, 70.0, 90.0)]
    hues = np.deg2rad(np.arange(12) * 30.0)
    colours = [(lightness, chroma * np.cos(h), chroma * np.sin(h))
               for lightness in (30.0, 55.0, 80.0) for chroma in (25.0, 55.0) for h in hues]
    return np.asarray(greys + colours, dtype=np.float32)


LAB_PROTOTYPES = _prototypes()
_LINEAR = np.where((c := np.arange(256) / 255.0) <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4).astype(np.float32)
_RGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]], np.float32)
_D65 = np.array([0.95047, 1.0, 1.08883], np.float32)


def srgb_to_lab(pixels: np.ndarray) -> np.ndarray:
    """CIELab (D65) of uint8 sRGB pixels ``(n, 3)``: L in [0, 100], a and b roughly in [-100, 100]."""
    xyz = (_LINEAR[np.asarray(pixels, dtype=np.uint8)] @ _RGB_TO_XYZ.T) / _D65
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16.0 / 116.0)
    return np.stack([116.0 * f[:, 1] - 16.0, 500.0 * (f[:, 0] - f[:, 1]), 200.0 * (f[:, 1] - f[:, 2])], axis=1)


def soft_assignment(lab: np.ndarray) -> np.ndarray:
    """``(n, len(LAB_PROTOTYPES))``: each Lab colour shared among the prototypes (rows sum to 1)."""
    distance = (lab**2).sum(1)[:, None] + (LAB_PROTOTYPES**2).sum(1)[None, :] - 2.0 * lab @ LAB_PROTOTYPES.T
    weights = np.exp(-(distance - distance.min(axis=1, keepdims=True)) / (2.0 * SIGMA**2))
    return (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)


@functools.cache
def _cell_table() -> np.ndarray:
    """The soft assignment of the centre of every 5-bit RGB cell (32³ x 77, 10 MB, made once)."""
    levels = np.arange(CELL_BITS_LEVELS) * (256 // CELL_BITS_LEVELS) + (256 // CELL_BITS_LEVELS) // 2
    grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
    return soft_assignment(srgb_to_lab(grid.astype(np.uint8)))


def lab_histogram(image: Image.Image) -> np.ndarray:
    """``len(LAB_PROTOTYPES)`` soft counts of the product's pixels (the background left out, unless
    nothing else is left: a white product), square-rooted and L2-normalised. Pixels are looked up by
    their 5-bit RGB cell (a colour moves by at most 4 of 255 per channel, about 2 Lab units against
    a kernel of 12; cosine ≥ 0.9995 to the exact histogram on 300 real photos): 0.6 ms for a 60x80
    photo instead of 2 ms."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.uint8).reshape(-1, 3)
    foreground = pixels[(pixels < WHITE).any(axis=1)]
    if len(foreground) < 16:
        foreground = pixels
    cells = (foreground >> (8 - CELL_BITS)).astype(np.int32)
    index = (cells[:, 0] * CELL_BITS_LEVELS + cells[:, 1]) * CELL_BITS_LEVELS + cells[:, 2]
    used, counts = np.unique(index, return_counts=True)
    total = counts.astype(np.float32) @ _cell_table()[used]
    hist = np.sqrt(total / max(float(total.sum()), 1.0)).astype(np.float32)
    return hist / max(float(np.linalg.norm(hist)), 1e-12)
