"""The int8 image backbone: its own feature version, close to fp32, cached once, never mixed with fp32."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from PIL import Image

import core.model.onnx_backbone as onnx_backbone
import core.model.openvino_session as openvino_session
import core.model.quantize as quantize
from core.model.quantize import CALIBRATION_VERSION, cosine, drawn_pixels
from core.errors import FashionError
from core.model.towers import ImageTower
from tests.vectors import drawn_product

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def _picture(seed: int) -> Image.Image:
    return drawn_product(seed, patches=1)


needs_int8 = pytest.mark.skipif(quantize.int8_support() is not None, reason="int8 saturates on this CPU (no VNNI)")


def _int8_support(monkeypatch, reason: str | None) -> None:
    monkeypatch.setattr(quantize, "int8_support", lambda: reason)
    openvino_session._warn_once.cache_clear()


@pytest.fixture(scope="module")
def int8_cache(tmp_path_factory):
    """A cache folder with the 64 px int8 export, made once for the module."""
    cache = tmp_path_factory.mktemp("int8")
    tower = ImageTower(image_size=64, precision="int8")
    tower.attach_cache(cache)
    tower.features([_picture(0)])
    assert tower.runner.active, tower.runner.failed
    return cache


@needs_int8
def test_int8_features_are_close_to_fp32_but_a_version_of_their_own(int8_cache, tmp_path):
    images = [_picture(i) for i in range(1, 9)]
    int8 = ImageTower(image_size=64, precision="int8")
    int8.attach_cache(int8_cache)
    fp32 = ImageTower(image_size=64)
    fp32.attach_cache(tmp_path)
    fp32.runner.min_images = 1
    got, _ = int8.features(images)
    expected, _ = fp32.features(images)
    assert int8.runner.active and fp32.runner.active
    assert np.median(cosine(got, expected)) > 0.97
    assert not np.allclose(got, expected, atol=1e-4)  # really quantised
    assert int8.cache_namespace == fp32.cache_namespace + f"-int8-{CALIBRATION_VERSION}"
    names = sorted(p.name for p in (int8_cache / "onnx").glob("*.onnx"))
    assert len(names) == 1 and names[0].endswith(f"-int8-{CALIBRATION_VERSION}.onnx")


@needs_int8
def test_one_image_runs_the_int8_export_and_reopening_never_quantises_again(int8_cache, monkeypatch):
    def no_quantise(*args, **kwargs):
        raise AssertionError("quantised again")

    monkeypatch.setattr(onnx_backbone, "quantize", no_quantise)
    onnx_backbone._MADE.clear()
    tower = ImageTower(image_size=64, precision="int8")
    tower.attach_cache(int8_cache)
    tower.cache = None
    tower.features([_picture(20)])  # one image: no min_images threshold for int8
    assert tower.runner.active and tower.runner.failed is None


def test_the_calibration_is_fixed_and_independent_of_the_catalogue():
    first, again = drawn_pixels(64, 8), drawn_pixels(64, 8)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (8, 3, 64, 64) and first.std() > 0.1


def test_without_the_int8_export_features_fall_back_to_fp32_and_are_not_cached(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'onnxruntime.quantization'")

    _int8_support(monkeypatch, None)
    monkeypatch.setattr(onnx_backbone, "quantize", broken)
    onnx_backbone._MADE.clear()
    tower = ImageTower(image_size=64, precision="int8")
    tower.attach_cache(tmp_path)
    with pytest.warns(RuntimeWarning, match=r"close to, not equal to, the int8 features"):
        got, failed = tower.features([_picture(i) for i in range(3)])
    assert failed == [] and got.shape[0] == 3 and np.abs(got).sum() > 0
    assert not tower.runner.active and len(tower.cache) == 0  # an approximation is never stored
    reference = ImageTower(image_size=64)
    reference.runner.enabled = False
    np.testing.assert_allclose(got, reference.features([_picture(i) for i in range(3)])[0], rtol=1e-5, atol=1e-5)


def test_without_vnni_an_int8_tower_computes_and_caches_plain_fp32(tmp_path, monkeypatch):
    _int8_support(monkeypatch, "this CPU has no VNNI, without which ONNX Runtime's int8 convolutions saturate")

    def no_quantise(*args, **kwargs):
        raise AssertionError("an int8 export was made where it saturates")

    monkeypatch.setattr(onnx_backbone, "quantize", no_quantise)
    with pytest.warns(RuntimeWarning, match=r"int8 image features are not available here \(this CPU has no VNNI"):
        tower = ImageTower(image_size=64, precision="int8")
    fp32 = ImageTower(image_size=64)
    assert tower.precision == "int8" and tower.feature_precision == "fp32"
    assert tower.cache_namespace == fp32.cache_namespace
    tower.attach_cache(tmp_path)
    tower.runner.min_images = 1
    got, failed = tower.features([_picture(i) for i in range(3)])
    assert failed == [] and tower.runner.active and len(tower.cache) == 3  # the fp32 export, cached as fp32


def test_the_cpu_flags_decide_int8(monkeypatch):
    quantize.int8_support.cache_clear()
    monkeypatch.setattr(quantize.platform, "machine", lambda: "x86_64")
    try:
        monkeypatch.setattr(quantize, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
        assert "no VNNI" in quantize.int8_support()
        quantize.int8_support.cache_clear()
        monkeypatch.setattr(quantize, "cpu_flags", lambda: frozenset({"avx2", "avx512_vnni"}))
        assert quantize.int8_support() is None
        quantize.int8_support.cache_clear()
        monkeypatch.setattr(quantize, "cpu_flags", lambda: None)  # unreadable: the probe check decides
        assert quantize.int8_support() is None
        quantize.int8_support.cache_clear()
        monkeypatch.setattr(quantize.platform, "machine", lambda: "arm64")
        monkeypatch.setattr(quantize, "cpu_flags", lambda: frozenset())
        assert quantize.int8_support() is None
    finally:
        quantize.int8_support.cache_clear()


def test_a_saved_tower_keeps_its_precision_and_an_old_one_loads_as_fp32(tmp_path):
    for folder in ("new", "old"):
        (tmp_path / folder).mkdir()
    ImageTower(image_size=64, precision="int8").save(str(tmp_path / "new"))
    assert ImageTower.load(str(tmp_path / "new")).precision == "int8"
    ImageTower(image_size=64).save(str(tmp_path / "old"))
    config = tmp_path / "old" / ImageTower.config_file_name
    settings = json.loads(config.read_text())
    settings.pop("precision")
    config.write_text(json.dumps(settings))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ImageTower.load(str(tmp_path / "old")).precision == "fp32"
    with pytest.raises(ValueError, match="unknown backbone precision"):
        ImageTower(image_size=64, precision="int4")


def test_a_tower_saved_with_removed_lever_keys_loads_when_they_were_off(tmp_path):
    ImageTower(image_size=64).save(str(tmp_path))
    config = tmp_path / ImageTower.config_file_name
    saved = json.loads(config.read_text())
    config.write_text(json.dumps({**saved, "colour_lab": False, "tuned": ""}))  # as saved on 2026-12-01
    assert ImageTower.load(str(tmp_path)).colour_levels == 4
    for key, value, message in (("colour_lab", True, "Lab colour histogram, removed"), ("tuned", "ab12", "adapted backbone")):
        config.write_text(json.dumps({**saved, key: value}))
        with pytest.raises(FashionError, match=message):
            ImageTower.load(str(tmp_path))
    config.write_text(json.dumps({**saved, "sharpen": 2}))
    with pytest.raises(TypeError, match="unexpected image tower settings: sharpen"):
        ImageTower.load(str(tmp_path))
