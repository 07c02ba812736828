"""Small helpers shared by the tests that build synthetic embeddings and pictures."""

from __future__ import annotations

import numpy as np


def unit(i: int, dim: int) -> np.ndarray:
    """The ``i``-th basis vector of ``dim`` dimensions, float32."""
    v = np.zeros(dim, np.float32)
    v[i] = 1.0
    return v


def normalised(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to length 1, float32."""
    return (v / np.linalg.norm(v)).astype(np.float32)


def drawn_product(seed: int, patches: int = 1):
    """A 60x80 white photo with ``patches`` nested rectangles of random colours (the backbone tests' input)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (60, 80), (255, 255, 255))
    for box in [(10, 15, 50, 70), (20, 30, 40, 50)][:patches]:
        image.paste(tuple(int(v) for v in rng.integers(0, 255, 3)), box)
    return image
