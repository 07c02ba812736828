"""Adapting the image backbone's top on cached activations: same function split in two, trained in place."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from core.model.adapt import Bottom, adapt, bottom_activations, top_features, weights_tag
from core.model.backbones import pooled_features
from core.model.towers import ImageTower


def _picture(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (60, 80), (255, 255, 255))
    image.paste(tuple(int(v) for v in rng.integers(0, 255, 3)), (8 + seed % 5, 10, 50, 70 - seed % 7))
    return image


@pytest.mark.parametrize("blocks", [1, 2, 4])
def test_bottom_then_top_is_the_pooled_backbone(blocks):
    tower = ImageTower(image_size=64)
    split = len(tower.backbone._blocks) - blocks
    pixels = torch.randn(3, 3, 64, 64)
    with torch.no_grad():
        act, early = Bottom(tower.backbone, tower._pooled_stages, split)(pixels)
        got = top_features(tower.backbone, tower._pooled_stages, split, act, early)
        expected = pooled_features(tower.backbone, pixels, tower._pooled_stages)
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-4)


def test_adapting_trains_the_top_in_place_and_names_the_new_features(tmp_path):
    images = [_picture(i) for i in range(24)]
    tower = ImageTower(image_size=64)
    tower.attach_cache(tmp_path)
    before, _ = tower.features(images)
    split = len(tower.backbone._blocks) - 1
    frozen = {k: v.clone() for k, v in tower.backbone.state_dict().items() if not k.startswith(("_blocks.15", "_conv_head", "_bn1"))}
    untouched_tag = weights_tag(tower.backbone, split)
    labels = np.stack([np.arange(24) % 3, np.where(np.arange(24) % 4 == 0, -1, np.arange(24) % 2)], axis=1)
    report = adapt(tower, images, labels, [3, 2], epochs=3, batch_size=8, cache_dir=tmp_path)
    assert report["images"] == 24 and report["steps"] == 9
    assert tower.tuned == weights_tag(tower.backbone, split) != untouched_tag
    assert f"-tuned{tower.tuned}" in tower.cache_namespace
    assert all(torch.equal(v, tower.backbone.state_dict()[k]) for k, v in frozen.items())  # only the top moved
    assert not any(p.requires_grad for p in tower.backbone.parameters())
    after, _ = tower.features(images)
    assert after.shape == before.shape and not np.allclose(after, before)
    acts, early, failed = bottom_activations(tower, images, split, tmp_path)  # cached: the same activations
    assert failed == [] and acts.dtype == np.float16 and len(acts) == 24
    config = tower.get_config_dict()
    assert config["tuned"] == tower.tuned
