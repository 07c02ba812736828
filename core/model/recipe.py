"""A training run's recipe: :class:`TrainConfig`, every field saved in the model card.

Kept apart from :mod:`core.model.train` (which re-exports it) so the recipe reads on one screen.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import FashionError
from core.model.lit import BACKENDS, LitConfig
from core.model.loss import LOSSES


@dataclass(kw_only=True)
class TrainConfig:
    """One training run; every field is saved in the model card."""

    name: str = field(default="lit", metadata={"help": "registry name: models are <name>-v<N>"})
    backend: str = field(default="lit", metadata={"help": "lit (packaged towers) or clip"})
    base_model: str | None = field(default=None, metadata={"help": "clip: a local CLIP folder"})
    lit: LitConfig = field(default_factory=LitConfig)
    epochs: int = field(default=20, metadata={"help": "passes over the training split"})
    batch_size: int = field(default=256, metadata={"help": "in-batch negatives per step"})
    learning_rate: float = field(default=1e-3, metadata={"help": "AdamW peak learning rate"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    warmup: float = field(default=0.05, metadata={"help": "warm-up, fraction of the steps"})
    scale: float = field(default=20.0, metadata={"help": "logit scale (1 / temperature), initial if learned"})
    learn_scale: bool = field(default=True, metadata={"help": "learn the logit scale (CLIP-style, capped at 100)"})
    loss: str = field(default="masked", metadata={"help": "masked (same-name masked InfoNCE) or mnrl"})
    attribute_weight: float = field(default=0.2, metadata={"help": "weight of the attribute heads (0 = off)"})
    rescoring: bool = field(default=True, metadata={
        "help": "lit: train brand/colour/type/gender classifiers that re-score text→image matches (core.model.attributes)"})
    rescoring_weights: tuple[float, ...] = field(default=(0.0, 0.01, 0.02, 0.03, 0.05, 0.08), metadata={
        "help": "re-scoring weights tried on the valid split after training (the best MRR@10 is kept only "
                "when its gain over the cosine alone beats the bootstrap noise of the valid queries)"})
    rescoring_weight: float | None = field(default=None, metadata={
        "help": "a fixed re-scoring weight instead of one chosen on valid (a model trained on every labelled product)"})
    final_on_all: bool = field(default=False, metadata={
        "help": "then train the shipped model on every labelled product with the best epoch count and weight "
                "found on the splits; its card carries the split model's figures (core.model.final)"})
    compact_bag: bool = field(default=True, metadata={
        "help": "train the token bag on the rows of the word pieces the training texts use (127 s against 141 s "
                "on the shared catalogue; a word piece no training text has adds nothing): core.model.token_bag"})
    text_field: str = field(default="productDisplayName", metadata={"help": "catalogue column used as text"})
    seed: int = field(default=0, metadata={"help": "seed of the heads and the batch order"})
    max_train: int | None = field(default=None, metadata={"help": "cap on training products (tests)"})

    def __post_init__(self):
        if isinstance(self.lit, dict):
            self.lit = LitConfig(**self.lit)
        if self.backend not in BACKENDS:
            raise FashionError(f"unknown backend {self.backend!r}: choose one of {', '.join(BACKENDS)}")
        if self.loss not in LOSSES:
            raise FashionError(f"unknown loss {self.loss!r}: choose one of {', '.join(LOSSES)}")
        if self.backend == "clip" and self.name == "lit":
            self.name = "clip"
        if self.backend == "clip" and not self.base_model:
            raise FashionError("the clip backend needs --base-model (a local CLIP sentence-transformers folder)")

    @classmethod
    def from_file(cls, path: str | os.PathLike, **overrides) -> "TrainConfig":
        """A config from a JSON file (keys as the fields, ``lit`` a nested object)."""
        try:
            values = json.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise FashionError(f"cannot read training config {path}: {error}") from error
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except TypeError as error:
            raise FashionError(f"bad training config {path}: {error}") from error
