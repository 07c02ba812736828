"""The query/index-side contract every encoder backend satisfies.

Index, search, projection and the stylist only need this: encode texts and images into one
L2-normalised space, and say which model version produced the vectors (the version keys caches and
collection names). ``core.model.load`` provides the real implementations; tests may pass fakes.
:func:`normalise` is the one L2 row normalisation every stage uses.
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

import numpy as np
from PIL import Image


@runtime_checkable
class Embedder(Protocol):
    version: str
    """Stable identifier of the weights, e.g. ``lit-v3``; names collections and caches."""

    dim: int
    """Embedding width."""

    def encode_texts(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """float32 array (len(texts), dim), rows L2-normalised."""
        ...

    def encode_images(self, images: Sequence[Image.Image], *, batch_size: int = 64) -> np.ndarray:
        """float32 array (len(images), dim), rows L2-normalised; images are RGB PIL images."""
        ...


def normalise(matrix: np.ndarray, dtype: np.dtype | type | None = np.float32) -> np.ndarray:
    """Rows scaled to unit L2 norm (all-zero rows stay zero), as ``dtype`` (None keeps the input's)."""
    matrix = np.asarray(matrix, dtype=dtype)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
