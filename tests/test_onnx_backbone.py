"""The image backbone in ONNX Runtime: same features as torch, one cached export, torch as fallback."""

from __future__ import annotations

import copy
import pickle
import shutil
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import core.model.onnx_backbone as onnx_backbone
from core.data.demo.generate import generate_demo
from core.model.backbones import pooled_features
from core.model.features import (decode_images, image_to_array, input_shape, load_rgb, pad_to_aspect, prefetched,
                                 resized_pixels, size_label)
from core.model.onnx_backbone import export_name, weights_sha256
from core.model.towers import ImageTower

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def demo_images(tmp_path_factory) -> list[str]:
    result = generate_demo(tmp_path_factory.mktemp("demo") / "catalog", size=12, seed=3)
    return sorted(str(p) for p in (result.out_dir / "images").glob("*.jpg"))


@pytest.fixture(scope="module")
def small_export(tmp_path_factory) -> Path:
    """A cache folder holding the 64 px export (made once for the module)."""
    cache = tmp_path_factory.mktemp("cache")
    tower = ImageTower(image_size=64)
    tower.attach_cache(cache)
    tower.runner.min_images = 1
    tower.features([_picture(0)])
    assert tower.runner.active, tower.runner.failed
    return cache


def _picture(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", (60, 80), (255, 255, 255))
    image.paste(tuple(int(v) for v in rng.integers(0, 255, 3)), (10, 15, 50, 70))
    return image


def _tower(size: int, cache: Path | None = None, *, onnx: bool = True) -> ImageTower:
    tower = ImageTower(image_size=size)
    tower.attach_cache(cache)
    tower.runner.enabled = onnx
    tower.runner.min_images = 1
    return tower


def test_onnx_and_torch_give_the_same_features_at_224_px(demo_images, tmp_path):
    onnx = _tower(224, tmp_path / "a")
    torch_only = _tower(224, tmp_path / "b", onnx=False)
    got, failed = onnx.features(demo_images)
    expected, _ = torch_only.features(demo_images)
    assert onnx.runner.active and not torch_only.runner.active and failed == []
    # equal far within float16 (the cache may hold rows from either path under one namespace)
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-3)
    assert np.abs(got - expected).max() < 1e-4
    assert onnx.cache_namespace == torch_only.cache_namespace
    assert len(list((tmp_path / "a" / "onnx").glob("*.onnx"))) == 1
    assert not onnx.backbone.training  # exporting leaves BatchNorm in eval mode


def test_the_export_is_cached_and_keyed_by_weights_and_size(small_export, monkeypatch):
    def no_export(*args, **kwargs):
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_backbone, "export_backbone", no_export)
    tower = _tower(64, small_export)
    tower.features([_picture(1)])
    assert tower.runner.active and tower.runner.failed is None
    [path] = (small_export / "onnx").glob("*.onnx")
    assert path.name == export_name("efficientnet-lite0", 64, tower._pooled_stages, weights_sha256(tower.backbone))
    assert path.name.startswith("efficientnet-lite0@64-")
    other = ImageTower(image_size=64, load_pretrained=False)
    assert weights_sha256(other.backbone) != weights_sha256(tower.backbone)
    assert export_name("efficientnet-lite0", 96, [1], "ab") != export_name("efficientnet-lite0", 64, [1], "ab")


@pytest.mark.parametrize("payload", [b"", b"not a model", b"\x08\x07\x12\x04trun"])
def test_a_corrupt_or_partial_export_is_rebuilt(small_export, tmp_path, payload):
    [good] = (small_export / "onnx").glob("*.onnx")
    (tmp_path / "onnx").mkdir()
    broken = tmp_path / "onnx" / good.name
    broken.write_bytes(payload)
    tower = _tower(64, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a rebuild is silent
        tower.features([_picture(2)])
    assert tower.runner.active and broken.stat().st_size > 1_000_000


def test_an_unwritable_cache_folder_keeps_the_export_in_memory(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    tower = _tower(64)
    tower.runner.folder = tmp_path / "a-file" / "onnx"  # mkdir fails: NotADirectoryError
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tower.features([_picture(2)])
    assert tower.runner.active and tower.runner.failed is None


def test_export_failure_falls_back_to_torch_with_one_warning(tmp_path, monkeypatch):
    def missing(*args, **kwargs):
        raise ModuleNotFoundError("Module onnx is not installed!\nsecond line")

    monkeypatch.setattr(onnx_backbone, "export_backbone", missing)
    monkeypatch.setattr(onnx_backbone, "_MADE", {})  # no export made earlier in this process
    tower = _tower(64, tmp_path)
    with pytest.warns(RuntimeWarning, match=r"run in torch: ONNX Runtime unavailable \(ModuleNotFoundError: Module onnx") as caught:
        got, _ = tower.features([_picture(3), _picture(4)])
    assert len(caught) == 1 and "\n" not in str(caught[0].message)
    assert not tower.runner.active and "onnx is not installed" in tower.runner.failed
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once per tower, not per batch
        again, _ = tower.features([_picture(5)])
    expected, _ = _tower(64, onnx=False).features([_picture(3), _picture(4)])
    np.testing.assert_array_equal(got, expected)


def test_small_jobs_stay_in_torch_until_a_session_is_open(small_export):
    tower = ImageTower(image_size=64)
    tower.attach_cache(small_export)
    tower.runner.min_images = 4
    tower.features([_picture(6)])
    assert not tower.runner.active
    tower.features([_picture(i) for i in range(10, 14)])
    assert tower.runner.active
    tower.cache = None
    tower.features([_picture(7)])  # a session is open: one image uses it too
    assert tower.runner.active


def test_a_tower_with_an_open_session_copies_and_pickles(small_export):
    tower = _tower(64, small_export)
    before, _ = tower.features([_picture(8)])
    assert tower.runner.active
    for clone in (copy.deepcopy(tower), pickle.loads(pickle.dumps(tower))):
        assert not clone.runner.active  # sessions do not travel: reopened from the cached file
        clone.cache = None
        after, _ = clone.features([_picture(8)])
        assert clone.runner.active
        np.testing.assert_allclose(after, before, atol=1e-4)


def test_new_weights_open_a_new_export(small_export, tmp_path):
    [good] = (small_export / "onnx").glob("*.onnx")
    (tmp_path / "onnx").mkdir()
    shutil.copy(good, tmp_path / "onnx" / good.name)
    tower = _tower(64, tmp_path)
    tower.features([_picture(9)])
    first = tower.runner._session
    with torch.no_grad():
        tower.backbone._conv_head.weight.mul_(0.5)  # in place: the version counter moves
    tower.cache = None
    got, _ = tower.features([_picture(9)])
    assert tower.runner._session is not first
    assert len(list((tmp_path / "onnx").glob("*.onnx"))) == 2
    pixels = torch.from_numpy(image_to_array(_picture(9), 64)[None])
    expected = pooled_features(tower.backbone, pixels, tower._pooled_stages)[0].numpy()
    np.testing.assert_allclose(got[0, : len(expected)], expected, atol=1e-4)


def test_the_training_forward_stays_in_torch():
    tower = ImageTower(image_size=64, colour_levels=0)
    tower.runner = None  # any use of the runner would fail loudly
    pixels = torch.from_numpy(image_to_array(_picture(1), 64)[None])
    out = tower.forward({"pixel_values": pixels})["sentence_embedding"]
    assert out.shape == (1, tower.dim)


def test_batch_preprocessing_equals_the_reference_formula(demo_images):
    decoded = decode_images([*demo_images[:3], "missing.jpg"], [0, 1, 2, 3], 224, 4)
    assert decoded.indices == [0, 1, 2] and [Path(f).name for f, _ in decoded.failures] == ["missing.jpg"]
    for row, path in enumerate(demo_images[:3]):
        resized = pad_to_aspect(load_rgb(path), 1, 1).resize((224, 224), Image.BICUBIC)
        reference = (np.asarray(resized, dtype=np.float32) / 127.5 - 1.0).transpose(2, 0, 1)
        np.testing.assert_array_equal(decoded.pixels[row], reference)
    assert decoded.pixels.dtype == np.float32 and decoded.pixels.flags.c_contiguous
    assert decode_images(["missing.jpg"], [0], 64, 0).pixels.shape == (0, 3, 64, 64)


def test_a_portrait_input_keeps_a_portrait_photo_whole_and_pads_others_on_white():
    photo = _picture(4)  # 60 x 80, the catalogue's 3:4
    assert input_shape(224) == (224, 224) and input_shape((224, 168)) == (224, 168)
    assert size_label(224) == "224" and size_label((224, 168)) == "224x168" and size_label((96, 96)) == "96"
    assert pad_to_aspect(photo, 168, 224) is photo  # nothing to pad
    np.testing.assert_array_equal(resized_pixels(photo, (224, 168)), np.asarray(photo.resize((168, 224), Image.BICUBIC)))
    wide = Image.new("RGB", (80, 40), (200, 0, 0))
    padded = pad_to_aspect(wide, 3, 4)
    assert padded.size == (80, 107) and padded.getpixel((0, 0)) == (255, 255, 255) and padded.getpixel((40, 53)) == (200, 0, 0)
    assert resized_pixels(wide, (224, 168)).shape == (224, 168, 3)
    assert pad_to_aspect(photo, 1, 1).size == (80, 80)
    assert decode_images(["missing.jpg"], [0], (64, 48), 0).pixels.shape == (0, 3, 64, 48)


def test_a_portrait_tower_exports_its_own_graph_and_matches_torch(tmp_path):
    tower = ImageTower(image_size=64, image_width=48)
    assert tower.input_size == (64, 48) and "@64x48-" in tower.cache_namespace
    assert ImageTower(image_size=64).cache_namespace.startswith("efficientnet-lite0@64-")  # square: names unchanged
    tower.attach_cache(tmp_path)
    tower.runner.min_images = 1
    got, failed = tower.features([_picture(5), _picture(6)])
    assert tower.runner.active and failed == []
    [path] = (tmp_path / "onnx").glob("*.onnx")
    assert path.name.startswith("efficientnet-lite0@64x48-")
    pixels = torch.from_numpy(np.stack([image_to_array(_picture(s), (64, 48)) for s in (5, 6)]))
    expected = pooled_features(tower.backbone, pixels, tower._pooled_stages).numpy()
    np.testing.assert_allclose(got[:, : expected.shape[1]], expected, atol=1e-4)
    config = {k: v for k, v in tower.get_config_dict().items() if k != "image_width"}  # saved before the key
    assert ImageTower(**config, load_pretrained=False).input_size == (64, 64)


@pytest.mark.parametrize("parts", [[], [1], list(range(7))])
def test_prefetched_keeps_order(parts):
    assert list(prefetched(lambda x: x * 10, parts)) == [x * 10 for x in parts]


def test_prefetched_runs_ahead_in_a_thread_and_raises_in_order():
    main, ahead = threading.get_ident(), threading.Event()

    def work(x):
        assert threading.get_ident() != main
        if x == 2:
            ahead.set()
        if x == 3:
            raise ValueError("bad part")
        return x

    results = prefetched(work, range(6), depth=2)
    assert next(results) == 0
    assert ahead.wait(timeout=30)  # part 2 is decoded before anyone asks for it
    assert [next(results), next(results)] == [1, 2]
    with pytest.raises(ValueError, match="bad part"):
        next(results)
