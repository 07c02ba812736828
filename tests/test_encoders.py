"""The lit dual encoder, the feature cache, the registry, and the CLIP backend with a tiny random CLIP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core.config import Settings
from core.errors import FashionError
from core.model.backbones import efficientnet_weights
from core.model.embedder import Embedder
from core.model.features import FeatureCache, colour_histogram, file_sha1, load_rgb
from core.model.lit import LitConfig, build_lit, freeze_clip
from core.model.load import load_embedder, load_model, resolve_embedder
from core.model.registry import latest_model, register, resolve_model, version_of, versions
from core.model.towers import ImageTower, TextTower

SMALL = LitConfig(image_size=64, image_hidden=32, dim=16)


def _images() -> list[Image.Image]:
    red = Image.new("RGB", (60, 80), (255, 255, 255))
    red.paste((200, 20, 20), (15, 20, 45, 60))
    grey = Image.new("L", (53, 80), 90)  # grayscale and not 60 wide, as in the real catalogue
    return [red, grey, Image.new("RGB", (60, 76), (20, 40, 200))]


@pytest.fixture(scope="module")
def lit_model():
    torch.manual_seed(0)
    return build_lit(SMALL)


def test_lit_encodes_images_and_texts_into_one_normalised_space(lit_model):
    images = lit_model.encode(_images())
    texts = lit_model.encode(["Red T-shirt", "grey melange jeans", "ünïcödé sandals"])
    assert images.shape == (3, 16) and texts.shape == (3, 16)
    assert images.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(images, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)


def test_save_and_reload_offline_give_identical_embeddings(lit_model, tmp_path):
    from sentence_transformers import SentenceTransformer

    lit_model.save(str(tmp_path / "m"))
    reloaded = SentenceTransformer(str(tmp_path / "m"), trust_remote_code=True, local_files_only=True, device="cpu")
    for inputs in (_images(), ["Red T-shirt", "navy blue kurta"]):
        np.testing.assert_array_equal(lit_model.encode(inputs), reloaded.encode(inputs))


def test_towers_stay_frozen_after_reload(tmp_path):
    model = build_lit(LitConfig(image_size=64, image_hidden=0, dim=8, text_trainable_layers=1))
    model.save(str(tmp_path / "m"))
    reloaded = load_model(tmp_path / "m")
    image = next(m for m in reloaded.modules() if isinstance(m, ImageTower))
    text = next(m for m in reloaded.modules() if isinstance(m, TextTower))
    assert not any(p.requires_grad for p in image.parameters())
    trainable = {n.split(".")[2] for n, p in text.auto_model.named_parameters() if p.requires_grad}
    assert trainable == {"5"}  # only the top MiniLM layer (encoder.layer.5)
    reloaded.train()
    assert not image.backbone.training  # BatchNorm statistics cannot drift
    assert not text.auto_model.encoder.layer[0].training and text.auto_model.encoder.layer[5].training


def test_image_tower_loads_the_packaged_imagenet_weights():
    tower = ImageTower(image_size=64, colour_levels=0, stage_pool=False)
    packaged = torch.load(efficientnet_weights("efficientnet-lite0"), map_location="cpu", weights_only=True)
    for name, value in tower.backbone.state_dict().items():
        torch.testing.assert_close(value, packaged[name])
    assert tower.dim == 1280


def test_feature_cache_is_hit_by_content_not_by_path(tmp_path):
    first = tmp_path / "a.jpg"
    _images()[0].save(first)
    tower = ImageTower(image_size=64)
    tower.attach_cache(tmp_path / "cache")
    once, failed = tower.features([str(first)])
    assert failed == [] and tower.cache.misses == 1
    renamed = tmp_path / "renamed.jpg"
    shutil.copy(first, renamed)
    again = ImageTower(image_size=64)  # a new process: only the disk cache is shared
    again.attach_cache(tmp_path / "cache")
    again._compute = None  # any recomputation would fail loudly
    twice, _ = again.features([str(renamed)])
    np.testing.assert_array_equal(once, twice)
    assert again.cache.hits == 1 and again.cache.misses == 0
    other_size = ImageTower(image_size=96)  # another preprocessing: another namespace
    other_size.attach_cache(tmp_path / "cache")
    assert other_size.cache.path != again.cache.path


def test_cache_round_trips_vectors(tmp_path):
    cache = FeatureCache(tmp_path, "ns/with odd:chars")
    cache.put({"k1": np.arange(4, dtype=np.float32)})
    fresh = FeatureCache(tmp_path, "ns/with odd:chars")
    assert list(fresh.get(["k1", "k2"])) == ["k1"] and len(fresh) == 1
    assert fresh.hits == 1 and fresh.misses == 1


@pytest.mark.parametrize("payload", [b"", b"not an image", b"\xff\xd8\xff\xe0 truncated jpeg"])
def test_corrupt_image_is_reported_not_fatal(tmp_path, payload):
    good, bad = tmp_path / "good.jpg", tmp_path / "bad.jpg"
    _images()[0].save(good)
    bad.write_bytes(payload)
    tower = ImageTower(image_size=64)
    matrix, failed = tower.features([str(good), str(bad), str(tmp_path / "missing.jpg")])
    assert failed == [1, 2]
    assert np.abs(matrix[0]).sum() > 0 and not matrix[1].any()
    assert {Path(item).name for item, _ in tower.failures} == {"bad.jpg", "missing.jpg"}
    with pytest.raises(FashionError, match=r"could not be read: .*bad\.jpg: "):  # the file is named
        tower.preprocess([str(bad)])


def test_colour_histogram_ignores_the_white_background():
    image = Image.new("RGB", (60, 80), (255, 255, 255))
    image.paste((220, 10, 10), (20, 20, 40, 60))
    hist = colour_histogram(image, levels=4)
    assert hist.shape == (64,) and np.argmax(hist) == (3 * 4 + 0) * 4 + 0  # the red bin
    np.testing.assert_allclose(np.linalg.norm(hist), 1.0, rtol=1e-6)
    white = colour_histogram(Image.new("RGB", (60, 80), (255, 255, 255)))  # white on white
    assert np.argmax(white) == 63


def test_load_rgb_converts_modes():
    for mode in ("L", "RGBA", "P", "CMYK"):
        assert load_rgb(Image.new(mode, (5, 7))).mode == "RGB"


def test_load_embedder_satisfies_the_embedder_contract(lit_model, tmp_path):
    folder = register(tmp_path / "models", "lit", lambda d: lit_model.save(str(d)), {"backend": "lit"})
    embedder = load_embedder(folder, cache_dir=tmp_path / "cache")
    assert isinstance(embedder, Embedder)
    assert embedder.version == "lit-v1" and embedder.dim == 16
    vectors = embedder.encode_images(_images())
    assert vectors.dtype == np.float32 and vectors.shape == (3, 16)
    assert embedder.encode_texts([]).shape == (0, 16)


def test_models_saved_under_the_old_module_path_are_migrated_on_load(tmp_path):
    model = build_lit(LitConfig(image_size=64, image_hidden=0, dim=8))
    model.save(str(tmp_path / "m"))
    router = tmp_path / "m" / "router_config.json"
    assert "core.model.towers.ImageTower" in router.read_text()
    for path in (tmp_path / "m").glob("*.json"):  # as saved before core/ was split into packages
        path.write_text(path.read_text().replace("core.model.towers.", "core.encoders."))
    assert "core.encoders.TokenBagHead" in router.read_text()
    reloaded = load_model(tmp_path / "m", cache_dir=tmp_path / "cache")
    assert "core.encoders" not in router.read_text() and "core.model.towers.TokenBagHead" in router.read_text()
    assert not list((tmp_path / "m").glob(".*.tmp"))  # rewritten atomically
    texts = ["Roadster Men Navy Blue Jeans"]
    np.testing.assert_array_equal(model.encode(texts), reloaded.encode(texts))
    assert all(m.cache is not None for m in reloaded.modules() if isinstance(m, (ImageTower, TextTower)))


def test_a_loaded_model_has_no_feature_cache_unless_given_one(lit_model, tmp_path, monkeypatch):
    monkeypatch.setenv("FASHION_FEATURE_CACHE", str(tmp_path / "env-cache"))  # never read by core.model
    lit_model.save(str(tmp_path / "m"))
    towers = [m for m in load_model(tmp_path / "m").modules() if isinstance(m, (ImageTower, TextTower))]
    assert len(towers) == 2 and all(t.cache is None for t in towers)


def test_resolve_embedder_uses_the_settings_feature_cache_for_queries(lit_model, tmp_path):
    folder = register(tmp_path / "home" / "models", "lit", lambda d: lit_model.save(str(d)), {"backend": "lit"})
    settings = Settings.from_env(env={}, home=tmp_path / "home", feature_cache=tmp_path / "queries")

    def cache_roots(embedder) -> set:
        return {m.cache.root.parent for m in embedder.model.modules() if isinstance(m, ImageTower) and m.cache is not None}

    assert cache_roots(resolve_embedder(settings, None)) == {tmp_path / "queries"}
    assert cache_roots(resolve_embedder(settings, "lit-v1", feature_cache=True)) == {settings.cache_dir}
    plain = resolve_embedder(settings.with_(feature_cache=None), str(folder))
    assert plain.version == "lit-v1" and cache_roots(plain) == set()
    with pytest.raises(FashionError, match="no model folder"):
        resolve_embedder(settings, str(tmp_path / "nowhere"))


@pytest.mark.parametrize(
    "card, expected",
    [({"version": "lit-v3"}, "lit-v3"), ({"name": "lit"}, "folder"), ({"version": ""}, "folder"),
     (None, "folder"), ("not json", "folder"), ([1, 2], "folder")],
)
def test_version_of_reads_the_card_else_the_folder_name(tmp_path, card, expected):
    folder = tmp_path / "folder"
    folder.mkdir()
    if card is not None:
        (folder / "fashion_model.json").write_text(card if isinstance(card, str) else json.dumps(card))
    assert version_of(folder) == expected


def test_file_sha1_is_the_plain_sha1_of_the_bytes(tmp_path):
    import hashlib

    (tmp_path / "x.bin").write_bytes(b"\x00\xffabc" * 1000)
    assert file_sha1(tmp_path / "x.bin") == hashlib.sha1(b"\x00\xffabc" * 1000).hexdigest()


def test_registry_versions_are_never_overwritten(tmp_path):
    class FakeSettings:
        models_dir = tmp_path / "models"

    assert latest_model(FakeSettings) is None
    with pytest.raises(FashionError, match="python -m core train"):
        resolve_model(FakeSettings, None)

    def writer(text):
        return lambda folder: (folder / "weights.txt").write_text(text)

    first = register(FakeSettings.models_dir, "lit", writer("one"), {"metrics_after": {"t2i_r1": 0.5}})
    second = register(FakeSettings.models_dir, "lit", writer("two"), {})
    assert (first.name, second.name) == ("lit-v1", "lit-v2")
    assert (first / "weights.txt").read_text() == "one"
    assert latest_model(FakeSettings) == second
    assert json.loads((second / "fashion_model.json").read_text())["version"] == "lit-v2"
    assert "t2i_r1" in (first / "MODEL_CARD.md").read_text()
    with pytest.raises(RuntimeError):
        register(FakeSettings.models_dir, "lit", lambda folder: (_ for _ in ()).throw(RuntimeError("x")), {})
    assert [p.name for p in versions(FakeSettings.models_dir)] == ["lit-v1", "lit-v2"]
    assert not [p for p in FakeSettings.models_dir.iterdir() if p.name.startswith(".lit")]
    (FakeSettings.models_dir / "latest").write_text("lit-v1\n")
    assert latest_model(FakeSettings) == first


# -- the CLIP backend, with a tiny random CLIP built here (no download) -----------------------
def make_tiny_clip(folder: Path) -> Path:
    """A randomly initialised CLIP with a character-level tokenizer, saved as a transformers folder."""
    from transformers import CLIPConfig, CLIPModel, CLIPProcessor, CLIPTokenizer

    try:
        from transformers import CLIPImageProcessorPil as ImageProcessor
    except ImportError:  # pragma: no cover - older transformers
        from transformers import CLIPImageProcessor as ImageProcessor

    folder.mkdir(parents=True, exist_ok=True)
    letters = "abcdefghijklmnopqrstuvwxyz"
    tokens = ["<|startoftext|>", "<|endoftext|>", *letters, *(c + "</w>" for c in letters)]
    (folder / "vocab.json").write_text(json.dumps({t: i for i, t in enumerate(tokens)}))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokens), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77, bos_token_id=0, eos_token_id=1,
                         pad_token_id=1),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8),
        projection_dim=16,
    )
    torch.manual_seed(0)
    out = folder / "clip"
    CLIPModel(config).save_pretrained(out)
    image_processor = ImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(out)
    return out


def test_clip_backend_loads_a_local_folder_and_freezes_all_but_projections(tmp_path):
    folder = make_tiny_clip(tmp_path)
    embedder = load_embedder(folder)
    assert embedder.dim == 16
    np.testing.assert_allclose(np.linalg.norm(embedder.encode_images(_images()), axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(embedder.encode_texts(["red shirt"]), axis=1), 1.0, atol=1e-5)
    trainable = freeze_clip(embedder.model)
    assert sorted(n.rsplit(".", 2)[-2] for n in trainable) == ["text_projection", "visual_projection"]


def test_load_model_rejects_a_folder_without_a_model(tmp_path):
    with pytest.raises(FashionError, match="no model"):
        load_embedder(tmp_path)


def test_trainable_text_layers_run_on_cached_frozen_states(tmp_path):
    tower = TextTower(trainable_layers=2)
    tower.attach_cache(tmp_path)
    texts = ["Puma Men Black T-shirt", "Nike Women Pink Running Shoes", "ä"]
    features = tower.preprocess(texts)
    assert tower.cache.misses == 3 and tower.preprocess(texts) and tower.cache.hits == 3
    tower.eval()
    with torch.no_grad():
        split = tower.forward(dict(features))["sentence_embedding"]
        full = tower._pool(tower._tokenize(texts))
    torch.testing.assert_close(split, full, atol=2e-3, rtol=0)  # float16 cache
    tower.train()
    tower.forward(dict(features))["sentence_embedding"].sum().backward()
    grads = {n.split(".")[2] for n, p in tower.auto_model.named_parameters() if p.grad is not None}
    assert grads == {"4", "5"}


def test_token_bag_head_round_trips(tmp_path):
    model = build_lit(LitConfig(image_size=64, image_hidden=0, dim=8, token_bag=True))
    model.save(str(tmp_path / "m"))
    texts = ["Roadster Men Navy Blue Jeans", "x"]
    np.testing.assert_array_equal(model.encode(texts), load_model(tmp_path / "m").encode(texts))


def test_loading_a_text_tower_prints_no_weight_loading_bar_and_restores_the_setting(capfd):
    from transformers.utils import logging

    was = logging.is_progress_bar_enabled()
    logging.enable_progress_bar()
    try:
        TextTower()
        assert "Loading weights" not in capfd.readouterr().err
        assert logging.is_progress_bar_enabled()  # other bars (training) still show
    finally:
        if not was:
            logging.disable_progress_bar()
