"""Fine-tuning recipe: model, data, loss, evaluator, arguments, trainer, train, evaluate, save.

:func:`train` reads as the numbered recipe; each step is a small function below it. Uses
sentence-transformers' ``SentenceTransformerTrainer`` with frozen towers whose outputs come from
the feature cache, so an epoch only runs the projection heads. The loss (:mod:`core.model.loss`) is a
symmetric InfoNCE with same-name products masked out as negatives, plus optional auxiliary attribute
heads; ``loss="mnrl"`` uses the stock symmetric ``MultipleNegativesRankingLoss`` with the
``NO_DUPLICATES`` batch sampler.

Every run evaluates the test split before and after training, validates every epoch and keeps the
best epoch's heads, logs JSON lines (loss per step, metrics per epoch, wall time; see
:mod:`core.model.callbacks`) for the dashboard, and registers the model as a new version with a card
(see :mod:`core.model.registry`).
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from core.data.catalog import load_catalog
from core.errors import FashionError
from core.files import file_sha256
from core.model.attributes import AttributeScorer, Vocabulary
from core.model.recipe import TrainConfig  # noqa: F401 - re-exported: callers import it from here
from core.model.callbacks import Report, RunLog, callbacks, counting, epoch_progress
from core.model.evaluate import (RetrievalEvaluator, attribute_inputs, embed_catalog, headline, protocol,
                                 split_sizes, t2i_summary, text_to_image_ranks)
from core.model.intervals import decide_weight, summary
from core.model.features import PartsDone, load_rgb
from core.model.frozen_text import frozen_text_features
from core.model.lit import towers
from core.model.load import SentenceTransformerEmbedder, build_model
from core.model.loss import make_loss
from core.model.registry import register
from core.model.token_bag import compact_token_bags
from core.model.towers import ImageTower, TextTower

ATTRIBUTES = ("articleType", "baseColour", "gender", "usage")


@dataclass
class TrainResult:
    model_dir: Path
    metrics_before: dict[str, Any]
    metrics_after: dict[str, Any]
    log_path: Path
    wall_time_s: float
    skipped_images: list[dict[str, str]]


# -- the recipe -----------------------------------------------------------------------------
def train(settings, config: TrainConfig | None = None, *, progress: bool = True, push_to_hub: str | None = None,
          hub_token: str | None = None, report: Report | None = None, catalog: pd.DataFrame | None = None,
          card_extra: dict[str, Any] | None = None) -> TrainResult:
    """Train, evaluate and register a new model version; see the module docstring. ``report(done,
    total, unit)`` hears of the image features computed and the epochs trained (a progress bar)."""
    config = config or TrainConfig()
    if push_to_hub and not hub_token:
        raise FashionError("--push-to-hub needs a token: set HF_TOKEN")
    started = time.time()
    torch.manual_seed(config.seed)
    catalog = load_prepared(settings) if catalog is None else catalog  # given: core.model.final's every product
    log = start_log(settings, config, started)

    # 1. model
    model = build_model(config.backend, lit=config.lit, base_model=config.base_model, cache_dir=settings.cache_dir)

    # 2. data: fill the feature caches (the only expensive step), drop images that do not decode
    skipped, bad = warm_features(model, catalog, config.text_field, progress=counting(report, "images") if report else progress)
    if bad:
        catalog = catalog.drop(index=catalog.index[sorted(bad)]).reset_index(drop=True)
    feature_time = log.elapsed()
    scorer = new_scorer(model, catalog, config)
    table, classes = training_table(catalog, config, scorer)
    dataset = to_dataset(table, labels=config.loss == "masked")
    if config.compact_bag:
        compact_token_bags(model, table["text"])

    # 3. loss (the scorer's query side learns from MiniLM's own features of the training texts)
    scorer_text = None if scorer is None else torch.from_numpy(frozen_text_features(text_tower(model), table["text"].tolist()))
    loss = make_loss(config.loss, model, scale=config.scale, attribute_classes=classes,
                     attribute_weight=config.attribute_weight, learn_scale=config.learn_scale, scorer=scorer,
                     scorer_text=scorer_text)

    # 4. evaluator (validation every epoch) and the test split before training
    evaluator = RetrievalEvaluator(catalog, split="valid") if (catalog["split"] == "valid").sum() >= 2 else None
    before, _ = test_metrics(model, catalog)
    log.write({"event": "test_before", **(headline(before) if before else {})})

    # 5. arguments
    workdir = Path(tempfile.mkdtemp(prefix="train-", dir=log.path.parent))
    args = training_arguments(config, workdir, validate=evaluator is not None, rows=len(dataset), progress=progress)

    # 6. trainer
    trainer, best = make_trainer(model, args, dataset, loss, evaluator, log, progress=progress, report=report)

    # 7. train, keep the best validation epoch
    trainer.train()
    best.restore(model)
    model.eval()

    # 8. choose the re-scoring weight on valid (0 unless its gain beats the noise), evaluate both ways
    rescoring = choose_weight(model, scorer, catalog, config) if scorer is not None else None
    after_cosine, rescored = test_metrics(model, catalog, scorer, rescoring["candidate"] if rescoring else 0.0)
    after = rescored if scorer is not None and scorer.weight > 0 and rescored else after_cosine
    wall = log.elapsed()
    log.write({"event": "test_after", "best_epoch": best.best_epoch, **(headline(after) if after else {})})

    # 9. save as a new version with its card and log
    card = {
        "backend": config.backend,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": asdict(config),
        "data": {"catalog": str(settings.catalog_dir), "catalog_sha256": file_sha256(Path(settings.catalog_parquet)),
                 "train_products": int(len(table)), "products": int(len(catalog)), **split_sizes(catalog)},
        "metrics_before": headline(before) if before else {},
        "metrics_after": headline(after) if after else {},
        "test_before": before,
        "test_after": after,
        "best_epoch": best.best_epoch,
        "best_valid_mrr10": None if best.best == -math.inf else best.best,
        "rescoring": None if scorer is None else {
            **rescoring, "eps": scorer.eps, "classes": {a: len(v) for a, v in scorer.vocab.values.items()},
            "test_cosine": t2i_summary(after_cosine), "test_rescored": t2i_summary(rescored),
            "test_after_cosine_only": headline(after_cosine) if after_cosine else {}},
        "skipped_images": skipped,
        "wall_time_s": round(wall, 2),
        "feature_time_s": round(feature_time, 2),
        "image_features": next((t.cache_namespace for t in towers(model) if isinstance(t, ImageTower)), None),
        **(card_extra or {}),  # a final model: the split model's figures (core.model.final)
    }
    model_dir = save(settings, config.name, model, scorer, card, log)
    shutil.rmtree(workdir, ignore_errors=True)
    if push_to_hub:
        model.push_to_hub(push_to_hub, token=hub_token, exist_ok=True, local_model_path=str(model_dir))
    return TrainResult(model_dir, before, after, model_dir / "training_log.jsonl", wall, skipped)


# -- data -----------------------------------------------------------------------------------
def load_prepared(settings) -> pd.DataFrame:
    """The prepared catalogue (see :func:`core.data.catalog.load_catalog`)."""
    return load_catalog(settings)


def start_log(settings, config: TrainConfig, started: float) -> RunLog:
    """A new run log ``HOME/models/.runs/<name>-<time>.jsonl`` holding the ``start`` record."""
    runs = settings.models_dir / ".runs"
    runs.mkdir(parents=True, exist_ok=True)
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    log = RunLog(runs / f"{config.name}-{run_id}.jsonl", started)
    log.path.write_text(json.dumps({"event": "start", "config": asdict(config), "time_s": 0.0}) + "\n")
    return log


def warm_features(model, catalog: pd.DataFrame, text_field: str,
                  progress: bool | PartsDone = True) -> tuple[list[dict[str, str]], set[int]]:
    """Fill the feature caches for every image and text; returns (skipped images, bad rows)."""
    skipped: list[dict[str, str]] = []
    bad: set[int] = set()
    found = towers(model)
    if not found:  # clip: just check that every image decodes
        for row, path in enumerate(catalog["image"]):
            try:
                load_rgb(path)
            except Exception as error:  # noqa: BLE001
                bad.add(row)
                skipped.append({"image": str(path), "reason": f"{type(error).__name__}: {error}"})
        return skipped, bad
    for tower in found:
        if isinstance(tower, ImageTower):
            tower.failures.clear()
            _, failed = tower.features(catalog["image"].tolist(), progress=progress)
            bad.update(failed)
            skipped.extend({"image": item, "reason": reason} for item, reason in tower.failures)
        elif isinstance(tower, TextTower):
            texts = sorted(set(catalog[text_field]) | set(catalog["articleType"]) | set(catalog["productDisplayName"]))
            tower.features(texts)
    return skipped, bad


def new_scorer(model, catalog: pd.DataFrame, config: TrainConfig) -> AttributeScorer | None:
    """A fresh attribute scorer for a lit model (None when it does not apply). It reads frozen
    features only, so it also serves a model whose top MiniLM layers train (:mod:`core.model.frozen_text`)."""
    if not (config.rescoring and config.backend == "lit" and config.loss == "masked"):
        return None
    image = next(t for t in towers(model) if isinstance(t, ImageTower))
    scorer = AttributeScorer(Vocabulary.from_catalog(catalog), image.dim, text_tower(model).dim)
    train_images = catalog.loc[catalog["split"] == "train", "image"].tolist()
    scorer.set_image_stats(image.features(train_images)[0])  # cache hits: warm_features filled it
    return scorer


def text_tower(model) -> TextTower:
    return next(t for t in towers(model) if isinstance(t, TextTower))


def training_table(catalog: pd.DataFrame, config: TrainConfig, scorer=None) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Rows (image, text, label) of the training split; label = [name id, attribute ids...,
    with a scorer: its class ids, the row's index (its frozen text features in the loss)]."""
    train = catalog[catalog["split"] == "train"]
    if config.max_train and len(train) > config.max_train:
        train = train.sample(config.max_train, random_state=config.seed)
    if len(train) < 2:
        raise FashionError("the training split has fewer than 2 usable products: prepare a larger catalogue")
    name_ids = {name: i for i, name in enumerate(sorted(set(train["productDisplayName"])))}
    classes, columns = [], [train["productDisplayName"].map(name_ids).to_numpy()]
    for attribute in ATTRIBUTES:
        values = sorted(v for v in set(catalog[attribute]) if v != "Unknown")
        index = {v: i for i, v in enumerate(values)}
        classes.append(max(len(values), 1))
        columns.append(train[attribute].map(lambda v, index=index: index.get(v, -1)).to_numpy())
    labels = np.stack(columns, axis=1).astype(np.int64)
    if scorer is not None:
        labels = np.concatenate([labels, scorer.vocab.labels(train), np.arange(len(train))[:, None]], axis=1)
    table = pd.DataFrame(
        {"image": train["image"].astype(str).to_numpy(), "text": train[config.text_field].astype(str).to_numpy()}
    )
    table["label"] = list(labels)
    return table, tuple(classes)


def to_dataset(table: pd.DataFrame, *, labels: bool):
    """The training table as a ``datasets.Dataset`` (image paths, texts and, for the masked loss, labels)."""
    from datasets import Dataset

    dataset = Dataset.from_dict({"image": table["image"].tolist(), "text": table["text"].tolist(),
                                 "label": [list(map(int, x)) for x in table["label"]]})
    return dataset if labels else dataset.remove_columns("label")


# -- evaluation -----------------------------------------------------------------------------
def test_metrics(model, catalog: pd.DataFrame, scorer=None, weight: float = 0.0) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The protocol on the test split from one embedding of the catalogue: (the cosine alone,
    re-scored with ``weight`` or None without a scorer or a positive weight)."""
    if not (catalog["split"] == "test").any():
        return {}, None
    model.eval()
    emb = embed_catalog(SentenceTransformerEmbedder(model, "training"), catalog)
    cosine = protocol(emb, catalog, "test")
    if scorer is None or weight <= 0:
        return cosine, None
    blocks, dists = attribute_inputs(SentenceTransformerEmbedder(model, "training", scorer), catalog)
    return cosine, protocol(emb.with_weight(scorer, weight, blocks, dists), catalog, "test")


def choose_weight(model, scorer, catalog: pd.DataFrame, config: TrainConfig) -> dict[str, Any]:
    """Set the scorer's weight to what earns its place on valid (see
    :func:`core.model.intervals.decide_weight`: the best MRR@10 among ``config.rescoring_weights``,
    kept only when its paired-bootstrap gain over the cosine alone is above zero, else 0)."""
    valid = catalog[catalog["split"] == "valid"].reset_index(drop=True)
    if config.rescoring_weight is not None:
        scorer.weight = float(config.rescoring_weight)
        return {"weight": scorer.weight, "candidate": scorer.weight, "valid": {}, "kept": scorer.weight > 0, "gain": None,
                "reason": f"weight {scorer.weight:g} fixed by the recipe", "chosen_by": "fixed by the recipe"}
    if len(valid) < 2:
        scorer.weight = 0.0
        return {"weight": 0.0, "candidate": 0.0, "valid": {}, "kept": False, "gain": None,
                "reason": "no valid split to earn a weight on: weight 0", "chosen_by": "no valid split"}
    plain = embed_catalog(SentenceTransformerEmbedder(model, "training"), valid)
    blocks, dists = attribute_inputs(SentenceTransformerEmbedder(model, "training", scorer), valid)
    rows = np.arange(len(valid))
    ranks = {w: text_to_image_ranks(plain if w <= 0 else plain.with_weight(scorer, w, blocks, dists), valid, rows, rows)
             for w in sorted({0.0, *map(float, config.rescoring_weights)})}
    decision = decide_weight(ranks)
    scorer.weight = decision["weight"]
    figures = {w: summary(r, len(valid), "valid") for w, r in ranks.items()}
    return {**decision, "chosen_by": "valid MRR@10 gain over the cosine alone, beyond the bootstrap noise",
            "valid": {str(w): {k: f[k] for k in ("r1", "r10", "mrr10", "queries")} for w, f in figures.items()},
            "valid_cosine": figures[0.0], "valid_rescored": figures[decision["candidate"]] if decision["candidate"] else None}


# -- the trainer ----------------------------------------------------------------------------
def training_arguments(config: TrainConfig, workdir: Path, *, validate: bool, rows: int, progress: bool):
    """``SentenceTransformerTrainingArguments`` of a run: CPU, cosine schedule, no checkpoints."""
    from sentence_transformers import SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers


    return SentenceTransformerTrainingArguments(
        output_dir=str(workdir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup,
        lr_scheduler_type="cosine",
        eval_strategy="epoch" if validate else "no",
        save_strategy="no",
        logging_strategy="steps",
        logging_steps=1,
        report_to="none",
        use_cpu=True,
        seed=config.seed,
        data_seed=config.seed,
        batch_sampler=BatchSamplers.NO_DUPLICATES if config.loss == "mnrl" else BatchSamplers.BATCH_SAMPLER,
        router_mapping={"image": "image", "text": "text"} if config.backend == "lit" else {},
        disable_tqdm=not progress,
        dataloader_drop_last=rows > config.batch_size,
    )


def make_trainer(model, args, dataset, loss, evaluator, log: RunLog, *, progress: bool, report: Report | None = None):
    """``(trainer, best-epoch keeper)``: the run's log callback in, stdout quiet unless ``progress``."""
    from sentence_transformers import SentenceTransformerTrainer

    log_callback, best = callbacks(log, "valid_t2i_mrr10")
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, loss=loss,
                                         evaluator=evaluator, callbacks=[log_callback, best, *epoch_progress(report)])
    if not progress:  # quiet means quiet: no per-step dicts on stdout either (the JSONL log has them)
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)
    return trainer, best


# -- saving ---------------------------------------------------------------------------------
def save(settings, name: str, model, scorer, card: dict[str, Any], log: RunLog) -> Path:
    """Register ``model`` (and its scorer, and the run log) as the next version of ``name``."""

    def write(folder: Path) -> None:
        model.save(str(folder))  # the cache location is machine-specific: never saved
        if scorer is not None:
            scorer.save(folder)
        (folder / "training_log.jsonl").write_text(log.path.read_text())

    model_dir = register(settings.models_dir, name, write, card)
    log.write({"event": "saved", "model": str(model_dir)})
    (model_dir / "training_log.jsonl").write_text(log.path.read_text())
    return model_dir
