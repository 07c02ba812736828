"""Adapt the top of the frozen image backbone to the catalogue without running the backbone each epoch.

ImageNet features pooled over a 60x80 product photo keep colour, gender and brand cues poorly, and
fine-tuning the whole EfficientNet on two CPU cores is out of reach. Before the heads are trained,
:func:`adapt_image_tower` runs the frozen bottom of the backbone once per training image (ONNX
Runtime when it can; cached on disk, float16, ~19 KB an image for Lite0 at 224 px) up to the input
of its last ``blocks`` blocks, then trains only those blocks and the head convolution for a few
epochs on the cached activations, to predict the catalogue's attributes (brand, colour, article
type, gender: the classes of ``core.model.attributes.Vocabulary``) with one linear classifier each
(thrown away afterwards). BatchNorm statistics stay frozen. The tower then computes its features
with the adapted weights, as before (pooled head and stage outputs, colour histograms), under a
feature version named by the weights (:attr:`ImageTower.tuned`), and the model saves them.

Trade-off accepted: the adapted backbone is one more thing a model carries (its weights were
always saved in the model folder), and its features are computed once more for the catalogue.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.model.features import FeatureCache, content_keys, decode_images, prefetched

ADAPT_VERSION = 1
"""Part of the bottom activations' cache name: bump when what is cached changes."""


class Bottom(nn.Module):
    """Pixels → (the activation entering block ``split``, pooled outputs of the stage ends before it)."""

    def __init__(self, backbone: nn.Module, ends: Sequence[int], split: int):
        super().__init__()
        self.backbone, self.split = backbone, split
        self.early = [i for i in ends if i < split - 1]

    def forward(self, pixels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b = self.backbone
        x = b._swish(b._bn0(b._conv_stem(pixels.contiguous(memory_format=torch.channels_last))))
        pooled = []
        for index in range(self.split):
            x = b._blocks[index](x, drop_connect_rate=None)
            if index in self.early:
                pooled.append(x.mean(dim=(2, 3)))
        flat = torch.cat(pooled, dim=1) if pooled else x.new_zeros((len(x), 0))
        return x, flat


def top_features(backbone: nn.Module, ends: Sequence[int], split: int, activation: torch.Tensor,
                 early: torch.Tensor) -> torch.Tensor:
    """``core.model.backbones.pooled_features`` computed from the activation entering block ``split``."""
    x = activation.contiguous(memory_format=torch.channels_last)
    pooled = [early] if early.shape[1] else []
    if split - 1 in ends:
        pooled.append(x.mean(dim=(2, 3)))
    for index in range(split, len(backbone._blocks)):
        x = backbone._blocks[index](x, drop_connect_rate=None)
        if index in ends:
            pooled.append(x.mean(dim=(2, 3)))
    head = backbone._swish(backbone._bn1(backbone._conv_head(x))).mean(dim=(2, 3))
    return torch.cat([head, *pooled], dim=1)


def trainable(backbone: nn.Module, split: int) -> list[nn.Parameter]:
    """The parameters adaptation trains: blocks from ``split`` on and the head convolution."""
    modules = [*backbone._blocks[split:], backbone._conv_head, backbone._bn1]
    return [p for m in modules for p in m.parameters()]


def weights_tag(backbone: nn.Module, split: int) -> str:
    """12 hex digits naming the adapted weights (part of the tower's feature version)."""
    digest = hashlib.sha256()
    for p in trainable(backbone, split):
        digest.update(p.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:12]


def _bottom_runner(bottom: Bottom, input_size: tuple[int, int]):
    """``pixels (n, 3, H, W) float32 -> (activation, early)`` in ONNX Runtime (exported in memory),
    or in torch when that fails."""
    try:
        import io
        import warnings

        from core.model.ort_session import open_session

        buffer = io.BytesIO()
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(bottom, (torch.zeros(2, 3, *input_size),), buffer, dynamo=False, opset_version=17,
                              input_names=["pixels"], output_names=["activation", "early"],
                              dynamic_axes={"pixels": {0: "n"}, "activation": {0: "n"}, "early": {0: "n"}})
        session = open_session(buffer.getvalue())
        return lambda pixels: tuple(session.run(None, {"pixels": pixels}))
    except Exception:  # noqa: BLE001 - no onnx: torch computes the same values, slower
        def run(pixels):
            with torch.no_grad():
                act, early = bottom(torch.from_numpy(pixels))
            return act.numpy(), early.numpy()
        return run


def bottom_activations(tower, images: Sequence, split: int, cache_dir: str | Path | None,
                       progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(activations (n, C, H, W) float16, early pooled (n, E) float32, rows that failed) of ``images``,
    through a float16 cache under ``cache_dir/features``."""
    bottom = Bottom(tower.backbone, tower._pooled_stages, split).eval()
    with torch.no_grad():
        probe_act, probe_early = bottom(torch.zeros(1, 3, *tower.input_size))
    shape, early_width = tuple(probe_act.shape[1:]), int(probe_early.shape[1])
    width = int(np.prod(shape)) + early_width
    namespace = f"{tower.cache_namespace.split('-stages')[0].split('-head')[0]}-bottom{split}-v{ADAPT_VERSION}"
    cache = None if cache_dir is None else FeatureCache(Path(cache_dir) / "features", namespace, dtype=np.float16)
    keys, unreadable = content_keys(images)
    found = cache.get(keys) if cache is not None else {}
    skip = {j for j, _ in unreadable}
    todo = [i for i, key in enumerate(keys) if key not in found and i not in skip]
    if todo:
        run = _bottom_runner(bottom, tower.input_size)
        chunks = [todo[start : start + 64] for start in range(0, len(todo), 64)]
        done = 0
        for decoded in prefetched(lambda rows: decode_images(images, rows, tower.input_size, 0), chunks):
            if decoded.indices:
                act, early = run(decoded.pixels)
                rows = np.concatenate([act.reshape(len(act), -1), early], axis=1).astype(np.float16)
                new = {keys[i]: row for i, row in zip(decoded.indices, rows)}
                found.update(new)
                if cache is not None:
                    cache.put(new)
            done += len(decoded.indices) + len(decoded.failures)
            if progress:
                progress(done, len(todo))
    rows = [i for i, key in enumerate(keys) if key in found]
    failed = sorted(set(range(len(keys))) - set(rows))
    matrix = np.stack([found[keys[i]] for i in rows]) if rows else np.zeros((0, width), np.float16)
    return matrix[:, : width - early_width].reshape(len(rows), *shape), matrix[:, width - early_width :].astype(np.float32), failed


def adapt(tower, images: Sequence, labels: np.ndarray, classes: Sequence[int], *, blocks: int = 1, epochs: int = 4,
          batch_size: int = 128, learning_rate: float = 3e-4, seed: int = 0, cache_dir: str | Path | None = None,
          progress: Callable[[int, int], None] | None = None) -> dict[str, float]:
    """Train the last ``blocks`` blocks and the head convolution of ``tower``'s backbone (in place) to
    predict ``labels`` (n, len(classes)) class ids, -1 = unknown; marks the tower as adapted."""
    backbone = tower.backbone
    split = len(backbone._blocks) - blocks
    acts, early, failed = bottom_activations(tower, images, split, cache_dir)
    keep = np.setdiff1d(np.arange(len(images)), failed)
    labels = torch.as_tensor(np.asarray(labels)[keep], dtype=torch.long)
    generator = torch.Generator().manual_seed(seed)
    params = trainable(backbone, split)
    for p in params:
        p.requires_grad_(True)
    heads = nn.ModuleList(nn.Linear(tower.backbone_dim, max(int(n), 1)) for n in classes)
    optimiser = torch.optim.AdamW([{"params": params, "lr": learning_rate}, {"params": heads.parameters(), "lr": 3e-3}],
                                  weight_decay=0.01)
    steps = epochs * math.ceil(len(keep) / batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=[learning_rate, 3e-3], total_steps=max(steps, 1),
                                                   pct_start=0.1)
    backbone.eval()  # BatchNorm statistics stay as trained on ImageNet
    losses, step = [], 0
    for _ in range(epochs):
        order = torch.randperm(len(keep), generator=generator)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            act = torch.from_numpy(acts[rows.numpy()].astype(np.float32))
            feats = top_features(backbone, tower._pooled_stages, split, act, torch.from_numpy(early[rows.numpy()]))
            loss = sum(nn.functional.cross_entropy(head(feats), labels[rows, k], ignore_index=-1)
                       for k, head in enumerate(heads) if (labels[rows, k] >= 0).any())
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(float(loss.detach()))
            step += 1
            if progress:
                progress(step, steps)
    for p in params:
        p.requires_grad_(False)
    tower.tuned = weights_tag(backbone, split)
    tower.attach_cache(cache_dir)  # the adapted features are another version
    return {"first_loss": losses[0] if losses else float("nan"), "last_loss": float(np.mean(losses[-10:])) if losses else float("nan"),
            "images": int(len(keep)), "steps": step}


def adapt_image_tower(model, catalog, lit, *, cache_dir: str | Path | None, seed: int = 0) -> dict[str, float] | None:
    """:func:`adapt` the lit model's image tower on the training split when ``lit.adapt_epochs`` asks
    for it (brand, colour, article type and gender of ``core.model.attributes.Vocabulary``); None otherwise."""
    from core.model.attributes import Vocabulary
    from core.model.lit import towers
    from core.model.towers import ImageTower

    tower = next((t for t in towers(model) if isinstance(t, ImageTower)), None)
    if tower is None or lit.adapt_epochs <= 0:
        return None
    train = catalog[catalog["split"] == "train"]
    vocab = Vocabulary.from_catalog(catalog)
    return adapt(tower, train["image"].tolist(), vocab.labels(train), vocab.sizes(), blocks=lit.adapt_blocks,
                 epochs=lit.adapt_epochs, seed=seed, cache_dir=cache_dir)
