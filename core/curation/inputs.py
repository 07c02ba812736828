"""What the curation rules read and their thresholds: :class:`CurationInputs` and :class:`Rules`.

Shared by ``core.curation.rules`` (near-duplicates, outliers, the suggestions) and
``core.curation.findings`` (the label-error findings), which each explain the thresholds they use.
``Rules.key()`` names a set of thresholds and the rules' :data:`FORMAT` in the suggestions cache.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

FORMAT = 2
"""Bump when the rules' code changes in a way that should invalidate cached suggestions."""


@dataclass(frozen=True)
class Rules:
    """Thresholds of the rules (defaults tuned on the real catalogue: see ``core.curation.rules`` and ``core.curation.findings``)."""

    neighbours: int = 10
    duplicate_cosine: float = 0.975
    duplicate_name_similarity: float = 0.90
    type_margin: float = 0.10
    type_name_margin: float = 0.10
    type_neighbour_share: float = 0.7
    own_neighbour_share_max: float = 0.2
    group_neighbour_share: float = 0.5
    group_margin: float = 0.05
    word_min_count: int = 5
    word_purity: float = 0.9
    classifier_share: float = 0.5
    classifier_own_max: float = 0.05
    colour_margin: float = 0.10
    colour_neighbour_share: float = 0.5
    colour_classifier_own_max: float = 0.10
    gender_neighbour_share: float = 0.5
    outlier_min_type_size: int = 30
    outlier_max_cosine: float = 0.50
    outlier_max_rank: float = 0.01
    type_phrase: str = "a photo of a {noun}"
    colour_phrase: str = "a photo of something {colour}"

    def key(self) -> str:
        return hashlib.sha1(json.dumps({**asdict(self), "format": FORMAT}, sort_keys=True).encode()).hexdigest()[:12]


DEFAULT_RULES = Rules()
"""The tuned thresholds, shared as every function's default (a frozen dataclass: safe to share)."""


@dataclass
class CurationInputs:
    """What the rules read: one row per product, in the same order everywhere.

    ``meta`` has at least ``id``, ``name``, ``articleType``, ``baseColour``, ``gender`` and
    ``image_sha1`` (``subCategory``/``masterCategory`` place unknown types in a group); ``images``
    and ``names`` are L2-normalised (n, d) arrays; ``type_texts`` and ``colour_texts`` map each
    label to the embedding of its phrase. ``image_classes``, when the model has an image
    classifier: attribute -> (its classes, (n, classes) probabilities, NaN rows where unknown).
    """

    meta: pd.DataFrame
    images: np.ndarray
    names: np.ndarray
    type_texts: dict[str, np.ndarray]
    colour_texts: dict[str, np.ndarray]
    image_classes: dict[str, tuple[tuple[str, ...], np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.meta = self.meta.reset_index(drop=True)
        n = len(self.meta)
        if self.images.shape[0] != n or self.names.shape[0] != n:
            raise ValueError(f"{n} products but {self.images.shape[0]} image and {self.names.shape[0]} name vectors")
        for attribute, (classes, probabilities) in self.image_classes.items():
            if probabilities.shape != (n, len(classes)):
                raise ValueError(f"{attribute}: {probabilities.shape} classifier scores for {n} products, {len(classes)} classes")
