"""The query/index-side contract every encoder backend satisfies.

Index, search, projection and the stylist only need this: encode texts and images into one
L2-normalised space, and say which model version produced the vectors (the version keys caches and
collection names). ``core.model.towers`` provides the real implementations; tests may pass fakes.
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
