"""The bf16 image backbone (OpenVINO): its own feature version where the CPU computes bf16, plain fp32
features (and the fp32 cache) where it does not, never an fp32 stand-in stored under the bf16 name."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import core.model.onnx_backbone as onnx_backbone
import core.model.openvino_session as openvino_session
from core.model.quantize import cosine
from core.model.towers import ImageTower
from tests.vectors import drawn_product

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def _picture(seed: int) -> Image.Image:
    return drawn_product(seed, patches=2)


def _without_bf16(monkeypatch, reason: str = "this CPU has no bf16 arithmetic") -> None:
    monkeypatch.setattr(openvino_session, "bf16_support", lambda: reason)
    openvino_session._warn_once.cache_clear()


@pytest.mark.skipif(openvino_session.bf16_support() is not None, reason="no bf16 on this machine")
def test_bf16_features_are_close_to_fp32_deterministic_and_a_version_of_their_own(tmp_path):
    images = [_picture(i) for i in range(12)]
    bf16, fp32 = ImageTower(image_size=64, precision="bf16"), ImageTower(image_size=64)
    bf16.attach_cache(tmp_path / "bf16")
    fp32.attach_cache(tmp_path / "fp32")
    fp32.runner.min_images = 1
    got, _ = bf16.features(images)
    expected, _ = fp32.features(images)
    assert isinstance(bf16.runner.session(bf16.backbone, bf16._pooled_stages, 1), openvino_session.OpenVinoSession)
    assert bf16.feature_precision == "bf16" and bf16.cache_namespace == fp32.cache_namespace + "-bf16"
    assert cosine(got, expected).min() > 0.99 and not np.allclose(got, expected, atol=1e-4)  # really bf16
    assert len(bf16.cache) == len(images)
    # the bf16 session reads the fp32 export: one file for both
    assert [p.name for p in (tmp_path / "bf16" / "onnx").glob("*.onnx")] == [p.name for p in (tmp_path / "fp32" / "onnx").glob("*.onnx")]
    # one image alone (a query) gives the bits it got in a batch of twelve
    alone = ImageTower(image_size=64, precision="bf16")
    alone.runner.folder = tmp_path / "bf16" / "onnx"
    np.testing.assert_array_equal(alone.features([images[5]])[0][0], got[5])


def test_without_bf16_arithmetic_a_bf16_tower_computes_and_caches_plain_fp32(tmp_path, monkeypatch):
    _without_bf16(monkeypatch)
    images = [_picture(i) for i in range(3)]
    with pytest.warns(RuntimeWarning, match=r"bf16 image features are not available here \(this CPU has no bf16"):
        tower = ImageTower(image_size=64, precision="bf16")
    fp32 = ImageTower(image_size=64)
    assert tower.precision == "bf16" and tower.feature_precision == "fp32"
    assert tower.cache_namespace == fp32.cache_namespace
    tower.attach_cache(tmp_path)
    got, failed = tower.features(images)
    assert failed == [] and len(tower.cache) == 3
    np.testing.assert_allclose(got, fp32.features(images)[0], rtol=1e-4, atol=1e-4)


def test_a_bf16_export_that_does_not_open_falls_back_to_torch_and_stores_nothing(tmp_path, monkeypatch):
    def broken(model, threads):
        raise openvino_session.Bf16Unavailable("OpenVINO compiled in f32, not bf16")

    monkeypatch.setattr(openvino_session, "bf16_support", lambda: None)
    monkeypatch.setattr(onnx_backbone, "open_bf16", broken)
    tower = ImageTower(image_size=64, precision="bf16")
    tower.attach_cache(tmp_path)
    with pytest.warns(RuntimeWarning, match=r"close to, not equal to, the bf16 features\): OpenVINO unavailable"):
        got, failed = tower.features([_picture(i) for i in range(3)])
    assert failed == [] and np.abs(got).sum() > 0
    assert not tower.runner.active and len(tower.cache) == 0  # an approximation is never stored


def test_a_saved_bf16_tower_keeps_its_precision(tmp_path):
    ImageTower(image_size=64, precision="bf16").save(str(tmp_path))
    assert ImageTower.load(str(tmp_path)).precision == "bf16"
