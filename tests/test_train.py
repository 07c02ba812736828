"""Training on the demo catalogue: it learns, keeps towers frozen, caches features, versions models."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from core.config import Settings
from core.data.demo.generate import generate_demo
from core.model.backbones import efficientnet_weights, minilm_path
from core.model.lit import LitConfig, towers
from core.model.load import load_model
from core.model.towers import ImageTower, TextTower
from core.errors import FashionError
from core.model.registry import latest_model, read_card
from core.data.prepare import prepare
from core.model.train import TrainConfig, train

FAST = dict(epochs=6, batch_size=64, lit=LitConfig(image_size=96))


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory) -> Settings:
    root = tmp_path_factory.mktemp("model-demo")
    generate_demo(root / "catalog", 300, seed=0)
    settings = Settings.from_env(env={}, home=root / "home", catalog=root / "catalog")
    prepare(settings)
    return settings


@pytest.fixture(scope="session")
def first_run(demo_settings):
    return train(demo_settings, TrainConfig(**FAST), progress=False)


@pytest.fixture(scope="session")
def second_run(demo_settings, first_run):
    """A re-run with one training image corrupted since the first: everything else is cached."""
    catalog = pd.read_parquet(demo_settings.catalog_parquet)
    victim = Path(catalog[catalog["split"] == "train"]["image"].iloc[0])
    original = victim.read_bytes()
    computed: list[int] = []
    real_compute = ImageTower._compute

    def counting(self, items, indices):
        computed.extend(indices)
        return real_compute(self, items, indices)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageTower, "_compute", counting)
        victim.write_bytes(b"\xff\xd8\xff\xe0 this is not a jpeg")
        try:
            result = train(demo_settings, TrainConfig(**{**FAST, "epochs": 1}), progress=False)
        finally:
            victim.write_bytes(original)
    return result, victim, computed


def test_training_raises_recall_far_above_the_untrained_heads(first_run):
    before, after = first_run.metrics_before["text_to_image"], first_run.metrics_after["text_to_image"]
    assert after["r1"] >= before["r1"] + 0.3
    assert after["r10"] >= 0.8
    assert first_run.metrics_after["category_to_product"]["p1"] > first_run.metrics_before["category_to_product"]["p1"]


def test_frozen_towers_are_unchanged_after_training(first_run):
    model = load_model(first_run.model_dir)
    image = next(m for m in model.modules() if isinstance(m, ImageTower))
    packaged = torch.load(efficientnet_weights(image.variant), map_location="cpu", weights_only=True)
    for name, value in image.backbone.state_dict().items():  # weights and BatchNorm statistics
        torch.testing.assert_close(value, packaged[name], rtol=0, atol=0)
    from transformers import AutoModel

    text = next(m for m in model.modules() if isinstance(m, TextTower))
    original = AutoModel.from_pretrained(str(minilm_path()), local_files_only=True).state_dict()
    for name, value in text.auto_model.state_dict().items():
        torch.testing.assert_close(value, original[name], rtol=0, atol=0)


def test_the_token_bag_learns_the_training_names_word_pieces_and_leaves_the_others_at_zero(demo_settings, first_run):
    from core.model.towers import TokenBagHead

    model = load_model(first_run.model_dir)
    bag = next(m for m in model.modules() if isinstance(m, TokenBagHead)).bag.weight.detach()
    tokenizer = next(m for m in model.modules() if isinstance(m, TextTower)).tokenizer
    catalog = pd.read_parquet(demo_settings.catalog_parquet)
    names = catalog.loc[catalog["split"] == "train", "productDisplayName"].tolist()
    used = sorted({i for row in tokenizer(names)["input_ids"] for i in row})
    assert bag.shape[0] == tokenizer.vocab_size and bool((bag[used].abs().sum(1) > 0).all())
    others = torch.ones(bag.shape[0], dtype=torch.bool)
    others[used] = False
    assert torch.count_nonzero(bag[others]) == 0  # a word piece no training name has adds nothing to a query


def test_model_card_log_and_latest_pointer(demo_settings, first_run):
    card = read_card(first_run.model_dir)
    assert card["version"] == first_run.model_dir.name and card["backend"] == "lit"
    assert card["config"]["lit"]["image_size"] == 96 and card["config"]["epochs"] == 6
    assert len(card["data"]["catalog_sha256"]) == 64
    assert card["metrics_after"]["t2i_r1"] > card["metrics_before"]["t2i_r1"]
    assert card["wall_time_s"] > 0 and card["best_epoch"] is not None
    image = next(t for t in towers(load_model(first_run.model_dir)) if isinstance(t, ImageTower))
    assert card["config"]["lit"]["precision"] == image.precision == "bf16"  # the default for new models
    assert card["image_features"] == image.cache_namespace  # bf16, or fp32 where the CPU has no bf16
    assert f"- image features: {card['image_features']}" in (first_run.model_dir / "MODEL_CARD.md").read_text()
    events = [json.loads(line) for line in (first_run.model_dir / "training_log.jsonl").read_text().splitlines()]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "start" and "test_before" in kinds and "test_after" in kinds
    steps = [e for e in events if e["event"] == "step"]
    epochs = [e for e in events if e["event"] == "epoch"]
    assert len(epochs) == 6 and all("valid_t2i_r1" in e for e in epochs)
    assert steps and all(np.isfinite(e["loss"]) and e["time_s"] >= 0 for e in steps)
    assert steps[-1]["loss"] < steps[0]["loss"]


def test_rescoring_weight_is_chosen_on_valid_and_saved_with_the_model(demo_settings, first_run):
    from core.model.attributes import ATTRIBUTES
    from core.model.load import load_embedder

    card = read_card(first_run.model_dir)
    rescoring = card["rescoring"]
    tried = {float(w): m for w, m in rescoring["valid"].items()}
    assert set(tried) == set(TrainConfig().rescoring_weights)
    assert tried[rescoring["candidate"]]["mrr10"] == max(m["mrr10"] for m in tried.values())
    # the best weight is kept only when its paired-bootstrap gain on valid is beyond the noise
    assert rescoring["weight"] == (rescoring["candidate"] if rescoring["kept"] else 0.0)
    if rescoring["gain"] is not None:
        assert rescoring["kept"] == (rescoring["gain"]["ci"][0] > 0) and rescoring["gain"]["metric"] == "mrr10"
    assert rescoring["reason"] and rescoring["valid_cosine"]["queries"] == card["data"]["valid_queries"]
    served = rescoring["test_rescored"] if rescoring["kept"] else rescoring["test_cosine"]
    assert card["metrics_after"]["t2i_r1"] == pytest.approx(served["r1"], abs=1e-4)
    assert served["queries"] == card["data"]["test_queries"] and served["gallery"] == card["data"]["test_images"]
    assert served["intervals"]["r1"][0] <= served["r1"] <= served["intervals"]["r1"][1]
    assert rescoring["test_after_cosine_only"]["t2i_r1"] > card["metrics_before"]["t2i_r1"]
    embedder = load_embedder(first_run.model_dir, cache_dir=demo_settings.cache_dir)
    assert embedder.scorer is not None and embedder.scorer.weight == rescoring["weight"]
    # the image classifiers learned the demo's colours and genders (drawn into the pictures): at
    # least 15 points above the majority class after the short test training
    catalog = pd.read_parquet(demo_settings.catalog_parquet)
    test = catalog[catalog["split"] == "test"]
    blocks = embedder.image_attributes(test["image"].tolist())
    labels = embedder.scorer.vocab.labels(test)
    start = 0
    for column, attribute in enumerate(ATTRIBUTES):
        width = len(embedder.scorer.vocab.values[attribute])
        if attribute in ("baseColour", "gender"):
            known = labels[:, column] >= 0
            accuracy = (blocks[known, start : start + width].argmax(1) == labels[known, column]).mean()
            majority = np.bincount(labels[known, column]).max() / known.sum()
            assert accuracy >= majority + 0.15, (attribute, accuracy, majority)
        start += width


def test_rerun_hits_the_feature_cache_and_skips_a_corrupt_image(demo_settings, first_run, second_run):
    result, victim, computed = second_run
    assert len(computed) == 1  # only the changed file: every other image came from the cache
    assert [Path(s["image"]) for s in result.skipped_images] == [victim]
    assert result.metrics_after["products"] == read_card(first_run.model_dir)["test_after"]["products"]


def test_versions_are_never_overwritten(demo_settings, first_run, second_run):
    result = second_run[0]
    assert result.model_dir != first_run.model_dir
    assert latest_model(demo_settings) == result.model_dir
    assert read_card(first_run.model_dir)["config"]["epochs"] == 6  # v1 untouched
    assert read_card(result.model_dir)["skipped_images"]


def test_cli_evaluate_json_on_the_latest_model(demo_settings, first_run, second_run, capsys):
    from core.cli.main import main

    code = main(["evaluate", "--home", str(demo_settings.home), "--catalog", str(demo_settings.catalog_dir),
                 "--model", str(first_run.model_dir), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["text_to_image"]) >= {"r1", "r10", "mrr10"}
    assert set(result["category_to_product"]) >= {"p1", "p10"} and "r1" in result["image_to_text"]
    assert result["text_to_image"]["r1"] == pytest.approx(first_run.metrics_after["text_to_image"]["r1"], abs=1e-6)


def test_cli_evaluates_a_catalogue_it_never_saw(demo_settings, first_run, tmp_path, capsys):
    from core.cli.main import main

    other = generate_demo(tmp_path / "other", 40, seed=7).out_dir
    code = main(["evaluate", "--home", str(demo_settings.home), "--catalog", str(other), "--split", "all",
                 "--model", str(first_run.model_dir), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert result["split"] == "all" and result["products"] == 40
    assert not (demo_settings.home / "processed" / "report.json").read_text().count(str(other))


def test_cli_train_without_prepare_is_a_clear_error(tmp_path, capsys):
    from core.cli.main import main

    code = main(["train", "--home", str(tmp_path / "empty"), "--epochs", "1", "--quiet"])
    assert code == 2
    assert "run `python -m core prepare` first" in capsys.readouterr().err


@pytest.mark.parametrize(
    "overrides, message",
    [({"backend": "openclip"}, "unknown backend"), ({"loss": "triplet"}, "unknown loss"),
     ({"backend": "clip"}, "--base-model")],
)
def test_bad_training_options_are_user_errors(overrides, message):
    with pytest.raises(FashionError, match=message):
        TrainConfig(**overrides)


def test_clip_backend_trains_only_its_projections(demo_settings, first_run, tmp_path):
    from tests.test_encoders import make_tiny_clip

    folder = make_tiny_clip(tmp_path)
    settings = demo_settings.with_(home=tmp_path / "home")
    settings.processed_dir.mkdir(parents=True)
    for name in ("catalog.parquet", "pairs.parquet"):
        (settings.processed_dir / name).write_bytes((demo_settings.processed_dir / name).read_bytes())
    result = train(settings, TrainConfig(backend="clip", base_model=str(folder), epochs=1, batch_size=64),
                   progress=False)
    assert result.model_dir.name == "clip-v1"
    before = load_model(folder).state_dict()
    after = load_model(result.model_dir).state_dict()
    changed = {name.rsplit(".", 2)[-2] for name in before if not torch.equal(before[name], after[name])}
    assert changed == {"text_projection", "visual_projection"}
    assert read_card(result.model_dir)["rescoring"] is None  # the classifiers need the lit towers
    assert not (result.model_dir / "attribute_scorer.json").exists()


def _home_sharing_features(demo_settings, tmp_path) -> Settings:
    """A new home with the demo's prepared catalogue and its warm feature cache: a test there only trains."""
    settings = demo_settings.with_(home=tmp_path / "home")
    settings.processed_dir.mkdir(parents=True)
    (settings.processed_dir / "catalog.parquet").write_bytes(demo_settings.catalog_parquet.read_bytes())
    settings.cache_dir.mkdir(parents=True)
    (settings.cache_dir / "features").symlink_to(demo_settings.cache_dir / "features")
    return settings


def test_stock_mnrl_loss_with_no_duplicates_sampler_runs(demo_settings, first_run, tmp_path):
    settings = _home_sharing_features(demo_settings, tmp_path)
    result = train(settings, TrainConfig(**{**FAST, "epochs": 2, "loss": "mnrl"}), progress=False)
    assert result.metrics_after["text_to_image"]["r1"] > result.metrics_before["text_to_image"]["r1"]


def test_the_final_model_learns_every_labelled_product_and_keeps_the_split_figures(demo_settings, first_run, tmp_path):
    from core.model.final import train_shipped
    from core.reports.figures import served_figures, trained_on_notice

    settings = _home_sharing_features(demo_settings, tmp_path)
    result = train_shipped(settings, TrainConfig(**{**FAST, "epochs": 3, "final_on_all": True}), progress=False)
    split_dir, final_dir = settings.models_dir / "lit-v1", result.model_dir
    assert final_dir.name == "lit-v2" and latest_model(settings) == final_dir
    split_card, final_card = read_card(split_dir), read_card(final_dir)
    products = len(pd.read_parquet(settings.catalog_parquet))
    assert final_card["data"]["train_products"] == products > split_card["data"]["train_products"]
    assert final_card["config"]["epochs"] == max(1, int(np.ceil(split_card["best_epoch"])))
    assert final_card["rescoring"]["weight"] == split_card["rescoring"]["weight"]
    assert final_card["test_after"] == split_card["test_after"] and final_card["figures_from"]["model"] == "lit-v1"
    assert f"{products:,}" in final_card["trained_on"] and not final_card["config"]["final_on_all"]
    assert "lit-v1 (the train split only)" in served_figures(final_card).scoring
    assert "lit-v1" in trained_on_notice(final_card) and trained_on_notice(split_card) is None
    assert result.metrics_after == split_card["test_after"]  # what the command prints: the split model's figures
    from core.reports.training import curves_of, read_log

    steps, epochs, note = curves_of(final_dir, final_card)
    assert not steps.empty and epochs.equals(read_log(split_dir)[1]) and not epochs.empty
    assert note.startswith(f"lit-v2 was trained on every labelled product ({products:,})") and "lit-v1" in note
    assert curves_of(split_dir, split_card)[2] is None
    card_md = (final_dir / "MODEL_CARD.md").read_text()
    assert f"trained on: every labelled product ({products:,})" in card_md and "lit-v1's" in card_md


def test_a_fixed_rescoring_weight_is_used_as_is():
    import pandas as pd

    from core.model.train import TrainConfig, choose_weight

    class Scorer:
        weight = 0.0

    scorer = Scorer()
    decision = choose_weight(None, scorer, pd.DataFrame({"split": ["train", "train"]}), TrainConfig(rescoring_weight=0.05))
    assert scorer.weight == 0.05 and decision["weight"] == 0.05 and decision["chosen_by"] == "fixed by the recipe"


def test_a_model_whose_top_text_layer_trains_keeps_a_scorer_on_frozen_minilm_features(demo_settings, first_run, tmp_path):
    from core.model.frozen_text import frozen_text_features
    from core.model.load import load_embedder

    settings = _home_sharing_features(demo_settings, tmp_path)
    lit = LitConfig(image_size=96, text_trainable_layers=1)
    result = train(settings, TrainConfig(**{**FAST, "epochs": 2, "lit": lit}), progress=False)
    card = read_card(result.model_dir)
    assert card["rescoring"] is not None and card["rescoring"]["valid"]
    embedder = load_embedder(result.model_dir, cache_dir=settings.cache_dir)
    assert embedder.scorer is not None
    tower = next(m for m in embedder.model.modules() if isinstance(m, TextTower))
    original = TextTower()  # the packaged MiniLM, fully frozen, no cache
    names = sorted(set(pd.read_parquet(settings.catalog_parquet)["productDisplayName"]))[:12]
    frozen = frozen_text_features(tower, names)
    np.testing.assert_allclose(frozen, original.features(names), atol=1e-5)
    # the tower's own top layer moved: its pooled output is not what the scorer reads
    trained = tower.forward(tower.preprocess(names))["sentence_embedding"].detach().numpy()
    assert np.abs(trained - frozen).max() > 1e-3
    expected = embedder.scorer.text_distributions(names, frozen)
    np.testing.assert_array_equal(embedder.text_attributes(names), expected)
    # a search's one query (no one-text route for a trained text tower: the whole model answers)
    assert embedder.text_route is None
    np.testing.assert_allclose(embedder.text_attributes(names[:1]), expected[:1], atol=1e-6)  # a batch of one: last bits
    assert embedder.encode_texts(names[:1]).shape == (1, embedder.dim)


def test_a_scorer_without_the_frozen_text_features_of_its_rows_is_refused(first_run):
    from core.model.attributes import AttributeScorer, Vocabulary
    from core.model.loss import make_loss

    model = load_model(first_run.model_dir)
    scorer = AttributeScorer(Vocabulary({a: ["x"] for a in ("brand", "baseColour", "articleType", "gender")}), 8, 8)
    with pytest.raises(FashionError, match="frozen text features"):
        make_loss("masked", model, scale=20.0, scorer=scorer)
