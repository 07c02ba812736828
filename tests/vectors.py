"""Small vector helpers shared by the tests that build synthetic embeddings."""

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
