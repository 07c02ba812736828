"""The training losses: a symmetric InfoNCE that never treats same-name products as negatives, or the stock one.

:class:`MaskedInfoNCELoss` (the default) is a symmetric InfoNCE between each product image and its
name in which products sharing a name are never each other's in-batch negatives (a mask, so no
batch slot is wasted), plus optional auxiliary attribute heads (articleType, colour, gender, usage)
on the image embedding and, with a scorer, the re-scoring classifiers of :mod:`core.model.attributes`.
``loss="mnrl"`` is sentence-transformers' symmetric ``MultipleNegativesRankingLoss``, which needs the
``NO_DUPLICATES`` batch sampler instead of a mask.

Trade-off accepted: the auxiliary heads live in the loss (the trainer optimises the loss's
parameters) and are thrown away after training; only the scorer's classifiers are saved.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from core.errors import FashionError

LOSSES = ("masked", "mnrl")


class MaskedInfoNCELoss(nn.Module):
    """Symmetric InfoNCE over (image, text) pairs; same-group pairs are masked out as negatives.

    ``labels[:, 0]`` is the group (name) id of each row; ``labels[:, 1:5]`` the attribute class ids
    (-1 = unknown) scored by linear heads on the image embedding with ``attribute_weight``. The
    heads live in the loss (the trainer optimises the loss's parameters) and are not saved.
    With a ``scorer`` (:class:`core.model.attributes.AttributeScorer`), ``labels[:, 5:9]`` are its class
    ids and its classifiers train on frozen features (cross-entropy, weight 1): the image tower's, and
    for the text side ``scorer_text[labels[:, 9]]``, MiniLM's own pooled features of each training
    text (:mod:`core.model.frozen_text`: unchanged when the text tower's top layers train). The
    classifiers are saved with the model.
    """

    def __init__(self, model, scale: float = 20.0, attribute_classes: tuple[int, ...] = (), attribute_weight: float = 0.0,
                 learn_scale: bool = False, scorer=None, scorer_text: torch.Tensor | None = None):
        super().__init__()
        self.model = model
        self.log_scale = nn.Parameter(torch.tensor(math.log(scale)), requires_grad=learn_scale)
        self.attribute_weight = attribute_weight
        dim = model.get_embedding_dimension()
        self.heads = nn.ModuleList(nn.Linear(dim, n) for n in attribute_classes) if attribute_weight else nn.ModuleList()
        self.scorer = scorer
        self.scorer_module = scorer.module if scorer is not None else None  # registered: the trainer optimises it
        if scorer is not None and scorer_text is None:
            raise FashionError("a scorer needs the frozen text features of the training rows (scorer_text)")
        self.scorer_text = scorer_text  # a plain attribute: not a parameter, not saved

    def forward(self, sentence_features, labels: torch.Tensor) -> torch.Tensor:
        # the frozen towers' outputs (from the feature cache) before the heads replace them
        image_tower = sentence_features[0].get("sentence_embedding")
        # normalised here too: a CLIP backend's raw outputs are not
        image = nn.functional.normalize(self.model(sentence_features[0])["sentence_embedding"], dim=-1)
        text = nn.functional.normalize(self.model(sentence_features[1])["sentence_embedding"], dim=-1)
        labels = labels.to(image.device).long().reshape(len(image), -1)
        group = labels[:, 0]
        same = group[:, None] == group[None, :]
        same.fill_diagonal_(False)
        logits = self.log_scale.exp().clamp(max=100.0) * image @ text.T
        logits = logits.masked_fill(same, float("-inf"))
        target = torch.arange(len(image), device=image.device)
        loss = (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.T, target)) / 2
        for column, head in enumerate(self.heads, start=1):
            wanted = labels[:, column]
            if (wanted >= 0).any():
                aux = nn.functional.cross_entropy(head(image), wanted, ignore_index=-1)
                loss = loss + self.attribute_weight * aux / len(self.heads)
        if self.scorer is not None and image_tower is not None:
            self.scorer_module.train(self.model.training)
            loss = loss + self.scorer.loss(image_tower.float(), self.scorer_text[labels[:, 9]], labels[:, 5:9])
        return loss

    def get_config_dict(self) -> dict[str, Any]:
        return {"scale": float(self.log_scale.detach().exp()), "attribute_weight": self.attribute_weight}


def make_loss(name: str, model, *, scale: float, attribute_classes: tuple[int, ...] = (), attribute_weight: float = 0.0,
              learn_scale: bool = False, scorer=None, scorer_text: torch.Tensor | None = None) -> nn.Module:
    """The loss called ``name`` (one of :data:`LOSSES`) over ``model``."""
    match name:
        case "masked":
            return MaskedInfoNCELoss(model, scale, attribute_classes, attribute_weight, learn_scale, scorer, scorer_text)
        case "mnrl":
            from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

            return MultipleNegativesRankingLoss(model, scale=scale, directions=("query_to_doc", "doc_to_query"),
                                                partition_mode="per_direction")
        case _:
            raise FashionError(f"unknown loss {name!r}: choose one of {', '.join(LOSSES)}")
