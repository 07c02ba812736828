"""Fine-tuning recipe: model, data, loss, evaluator, arguments, trainer, train, evaluate, save.

Uses sentence-transformers' ``SentenceTransformerTrainer`` with frozen towers whose outputs come
from the feature cache, so an epoch only runs the projection heads. The loss is a symmetric
InfoNCE between each product image and its name in which products sharing a name are never each
other's in-batch negatives (a mask, so no batch slot is wasted), plus optional auxiliary
attribute heads (articleType, colour, gender, usage) on the image embedding. ``loss="mnrl"`` uses
the stock symmetric ``MultipleNegativesRankingLoss`` with the ``NO_DUPLICATES`` batch sampler.

Every run evaluates the test split before and after training, validates every epoch and keeps the
best epoch's heads, logs JSON lines (loss per step, metrics per epoch, wall time) for the
dashboard, and registers the model as a new version with a card (see :mod:`core.model.registry`).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.model.towers import BACKENDS, LitConfig, build_lit, freeze_clip, load_model, towers
from core.errors import FashionError

ATTRIBUTES = ("articleType", "baseColour", "gender", "usage")


@dataclass(kw_only=True)
class TrainConfig:
    """One training run; every field is saved in the model card."""

    name: str = field(default="lit", metadata={"help": "registry name: models are <name>-v<N>"})
    backend: str = field(default="lit", metadata={"help": "lit (packaged towers) or clip"})
    base_model: str | None = field(default=None, metadata={"help": "clip: a local CLIP folder"})
    lit: LitConfig = field(default_factory=LitConfig)
    epochs: int = field(default=20, metadata={"help": "passes over the training split"})
    batch_size: int = field(default=256, metadata={"help": "in-batch negatives per step"})
    learning_rate: float = field(default=1e-3, metadata={"help": "AdamW peak learning rate"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    warmup: float = field(default=0.05, metadata={"help": "warm-up, fraction of the steps"})
    scale: float = field(default=20.0, metadata={"help": "logit scale (1 / temperature), initial if learned"})
    learn_scale: bool = field(default=True, metadata={"help": "learn the logit scale (CLIP-style, capped at 100)"})
    loss: str = field(default="masked", metadata={"help": "masked (same-name masked InfoNCE) or mnrl"})
    attribute_weight: float = field(default=0.2, metadata={"help": "weight of the attribute heads (0 = off)"})
    rescoring: bool = field(default=True, metadata={
        "help": "lit: train brand/colour/type/gender classifiers that re-score text→image matches (core.model.attributes)"})
    rescoring_weights: tuple[float, ...] = field(default=(0.0, 0.01, 0.02, 0.03, 0.05, 0.08), metadata={
        "help": "re-scoring weights tried on the valid split after training (the best MRR@10 is kept)"})
    text_field: str = field(default="productDisplayName", metadata={"help": "catalogue column used as text"})
    seed: int = field(default=0, metadata={"help": "seed of the heads and the batch order"})
    max_train: int | None = field(default=None, metadata={"help": "cap on training products (tests)"})

    def __post_init__(self):
        if isinstance(self.lit, dict):
            self.lit = LitConfig(**self.lit)
        if self.backend not in BACKENDS:
            raise FashionError(f"unknown backend {self.backend!r}: choose one of {', '.join(BACKENDS)}")
        if self.loss not in ("masked", "mnrl"):
            raise FashionError(f"unknown loss {self.loss!r}: choose masked or mnrl")
        if self.backend == "clip" and self.name == "lit":
            self.name = "clip"
        if self.backend == "clip" and not self.base_model:
            raise FashionError("the clip backend needs --base-model (a local CLIP sentence-transformers folder)")

    @classmethod
    def from_file(cls, path: str | os.PathLike, **overrides) -> "TrainConfig":
        """A config from a JSON file (keys as the fields, ``lit`` a nested object)."""
        try:
            values = json.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise FashionError(f"cannot read training config {path}: {error}") from error
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except TypeError as error:
            raise FashionError(f"bad training config {path}: {error}") from error


@dataclass
class TrainResult:
    model_dir: Path
    metrics_before: dict[str, Any]
    metrics_after: dict[str, Any]
    log_path: Path
    wall_time_s: float
    skipped_images: list[dict[str, str]]


# -- the loss -------------------------------------------------------------------------------
class MaskedInfoNCELoss(nn.Module):
    """Symmetric InfoNCE over (image, text) pairs; same-group pairs are masked out as negatives.

    ``labels[:, 0]`` is the group (name) id of each row; ``labels[:, 1:5]`` the attribute class ids
    (-1 = unknown) scored by linear heads on the image embedding with ``attribute_weight``. The
    heads live in the loss (the trainer optimises the loss's parameters) and are not saved.
    With a ``scorer`` (:class:`core.model.attributes.AttributeScorer`), ``labels[:, 5:9]`` are its class
    ids and its classifiers train on the frozen tower features (cross-entropy, weight 1); they are
    saved with the model.
    """

    def __init__(self, model, scale: float = 20.0, attribute_classes: tuple[int, ...] = (), attribute_weight: float = 0.0,
                 learn_scale: bool = False, scorer=None):
        super().__init__()
        self.model = model
        self.log_scale = nn.Parameter(torch.tensor(math.log(scale)), requires_grad=learn_scale)
        self.attribute_weight = attribute_weight
        dim = model.get_embedding_dimension()
        self.heads = nn.ModuleList(nn.Linear(dim, n) for n in attribute_classes) if attribute_weight else nn.ModuleList()
        self.scorer = scorer
        self.scorer_module = scorer.module if scorer is not None else None  # registered: the trainer optimises it

    def forward(self, sentence_features, labels: torch.Tensor) -> torch.Tensor:
        # the frozen towers' outputs (from the feature cache) before the heads replace them
        image_tower = sentence_features[0].get("sentence_embedding")
        text_tower = sentence_features[1].get("sentence_embedding")
        # normalised here too: a CLIP backend's raw outputs are not
        image = nn.functional.normalize(self.model(sentence_features[0])["sentence_embedding"], dim=-1)
        text = nn.functional.normalize(self.model(sentence_features[1])["sentence_embedding"], dim=-1)
        labels = labels.to(image.device).long().reshape(len(image), -1)
        group = labels[:, 0]
        same = group[:, None] == group[None, :]
        same.fill_diagonal_(False)
        logits = self.log_scale.exp().clamp(max=100.0) * image @ text.T
        logits = logits.masked_fill(same, float("-inf"))
        target = torch.arange(len(image), device=image.device)
        loss = (nn.functional.cross_entropy(logits, target) + nn.functional.cross_entropy(logits.T, target)) / 2
        for column, head in enumerate(self.heads, start=1):
            wanted = labels[:, column]
            if (wanted >= 0).any():
                aux = nn.functional.cross_entropy(head(image), wanted, ignore_index=-1)
                loss = loss + self.attribute_weight * aux / len(self.heads)
        if self.scorer is not None and image_tower is not None:
            self.scorer_module.train(self.model.training)
            loss = loss + self.scorer.loss(image_tower.float(), None if text_tower is None else text_tower.float(),
                                           labels[:, 5:9])
        return loss

    def get_config_dict(self) -> dict[str, Any]:
        return {"scale": float(self.log_scale.detach().exp()), "attribute_weight": self.attribute_weight}


# -- data -----------------------------------------------------------------------------------
def load_prepared(settings) -> pd.DataFrame:
    """The prepared catalogue (see :func:`core.data.catalog.load_catalog`)."""
    from core.data.catalog import load_catalog

    return load_catalog(settings)


def warm_features(model, catalog: pd.DataFrame, text_field: str, progress: bool = True) -> tuple[list[dict[str, str]], set[int]]:
    """Fill the feature caches for every image and text; returns (skipped images, bad rows)."""
    skipped: list[dict[str, str]] = []
    bad: set[int] = set()
    found = towers(model)
    if not found:  # clip: just check that every image decodes
        from core.model.features import load_rgb

        for row, path in enumerate(catalog["image"]):
            try:
                load_rgb(path)
            except Exception as error:  # noqa: BLE001
                bad.add(row)
                skipped.append({"image": str(path), "reason": f"{type(error).__name__}: {error}"})
        return skipped, bad
    from core.model.towers import ImageTower, TextTower

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


def training_table(catalog: pd.DataFrame, config: TrainConfig, scorer=None) -> tuple[pd.DataFrame, tuple[int, ...]]:
    """Rows (image, text, label) of the training split; label = [name id, attribute ids...,
    the scorer's class ids (with a scorer)]."""
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
        columns.append(train[attribute].map(lambda v: index.get(v, -1)).to_numpy())
    labels = np.stack(columns, axis=1).astype(np.int64)
    if scorer is not None:
        labels = np.concatenate([labels, scorer.vocab.labels(train)], axis=1)
    table = pd.DataFrame(
        {"image": train["image"].astype(str).to_numpy(), "text": train[config.text_field].astype(str).to_numpy()}
    )
    table["label"] = list(labels)
    return table, tuple(classes)


# -- callbacks: the JSONL log and the best epoch --------------------------------------------
def _callbacks(log_path: Path, started: float, metric: str):
    from transformers import TrainerCallback

    class JsonlLog(TrainerCallback):
        """Loss per step, metrics per epoch, wall time: the dashboard's Training screen plots it."""

        def _write(self, record: dict[str, Any]) -> None:
            record["time_s"] = round(time.time() - started, 3)
            with log_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, default=float) + "\n")

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self._write({"event": "step", "step": state.global_step, "epoch": state.epoch, "loss": logs["loss"],
                             "learning_rate": logs.get("learning_rate")})

        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            clean = {k.removeprefix("eval_"): v for k, v in (metrics or {}).items() if isinstance(v, (int, float))}
            self._write({"event": "epoch", "step": state.global_step, "epoch": state.epoch, **clean})

    class KeepBest(TrainerCallback):
        """Keep the trainable weights of the best validation epoch in memory; restore at the end."""

        def __init__(self):
            self.best = -math.inf
            self.best_epoch = None
            self.state: dict[str, torch.Tensor] | None = None

        def on_evaluate(self, args, state, control, metrics=None, model=None, **kwargs):
            value = (metrics or {}).get(f"eval_{metric}")
            if value is not None and model is not None and value > self.best:
                self.best, self.best_epoch = value, state.epoch
                self.state = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}

        def restore(self, model) -> None:
            if self.state is not None:
                with torch.no_grad():
                    for name, parameter in model.named_parameters():
                        if name in self.state:
                            parameter.copy_(self.state[name])

    return JsonlLog(), KeepBest()


# -- the recipe -----------------------------------------------------------------------------
def _data_hash(settings) -> str:
    from core.files import file_sha256

    return file_sha256(Path(settings.catalog_parquet))


def train(settings, config: TrainConfig | None = None, *, progress: bool = True, push_to_hub: str | None = None,
          hub_token: str | None = None) -> TrainResult:
    """Train, evaluate and register a new model version; see the module docstring."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.base.sampler import BatchSamplers

    from core.model.evaluate import RetrievalEvaluator, attribute_inputs, embed_catalog, headline, protocol
    from core.model.towers import SentenceTransformerEmbedder
    from core.model.registry import register

    config = config or TrainConfig()
    if push_to_hub and not hub_token:
        raise FashionError("--push-to-hub needs a token: set HF_TOKEN")
    started = time.time()
    torch.manual_seed(config.seed)
    catalog = load_prepared(settings)
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    runs = settings.models_dir / ".runs"
    runs.mkdir(exist_ok=True)
    run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    log_path = runs / f"{config.name}-{run_id}.jsonl"
    log_path.write_text(json.dumps({"event": "start", "config": asdict(config), "time_s": 0.0}) + "\n")

    # 1. model
    if config.backend == "lit":
        model = build_lit(config.lit, cache_dir=settings.cache_dir)
    else:
        model = load_model(config.base_model)
        freeze_clip(model)

    # 2. data: fill the feature caches (the only expensive step), drop images that do not decode
    skipped, bad = warm_features(model, catalog, config.text_field, progress=progress)
    if bad:
        catalog = catalog.drop(index=catalog.index[sorted(bad)]).reset_index(drop=True)
    feature_time = time.time() - started
    scorer = _scorer(model, catalog, config)
    table, classes = training_table(catalog, config, scorer)
    dataset = Dataset.from_dict({"image": table["image"].tolist(), "text": table["text"].tolist(),
                                 "label": [list(map(int, x)) for x in table["label"]]})
    if config.loss == "mnrl":
        dataset = dataset.remove_columns("label")

    # 3. loss
    if config.loss == "masked":
        loss = MaskedInfoNCELoss(model, config.scale, classes, config.attribute_weight, config.learn_scale, scorer)
    else:
        from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

        loss = MultipleNegativesRankingLoss(model, scale=config.scale, directions=("query_to_doc", "doc_to_query"),
                                            partition_mode="per_direction")

    # 4. evaluator (validation every epoch) and the test split before training
    has_valid = (catalog["split"] == "valid").sum() >= 2
    evaluator = RetrievalEvaluator(catalog, split="valid") if has_valid else None

    def test_metrics(with_scorer=None) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The protocol on the test split: (with the scorer's weight, with the cosine alone or None),
        from one embedding of the catalogue."""
        if not (catalog["split"] == "test").any():
            return {}, None
        model.eval()
        emb = embed_catalog(SentenceTransformerEmbedder(model, "training"), catalog)
        if with_scorer is None or with_scorer.weight <= 0:
            cosine = protocol(emb, catalog, "test")
            return cosine, (cosine if with_scorer is not None else None)
        blocks, dists = attribute_inputs(SentenceTransformerEmbedder(model, "training", with_scorer), catalog)
        rescored = emb.with_weight(with_scorer, with_scorer.weight, blocks, dists)
        return protocol(rescored, catalog, "test"), protocol(emb, catalog, "test")

    before, _ = test_metrics()
    _log(log_path, started, {"event": "test_before", **(headline(before) if before else {})})

    # 5. arguments
    workdir = Path(tempfile.mkdtemp(prefix="train-", dir=runs))
    args = SentenceTransformerTrainingArguments(
        output_dir=str(workdir),
        num_train_epochs=config.epochs,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup,
        lr_scheduler_type="cosine",
        eval_strategy="epoch" if evaluator else "no",
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
        dataloader_drop_last=len(dataset) > config.batch_size,
    )

    # 6. trainer
    log_callback, best = _callbacks(log_path, started, "valid_t2i_mrr10")
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, loss=loss,
                                         evaluator=evaluator, callbacks=[log_callback, best])
    if not progress:  # quiet means quiet: no per-step dicts on stdout either (the JSONL log has them)
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)

    # 7. train, keep the best validation epoch
    trainer.train()
    best.restore(model)
    model.eval()

    # 8. choose the re-scoring weight on valid, evaluate
    rescoring = _choose_weight(model, scorer, catalog, config) if scorer is not None else None
    after, after_cosine = test_metrics(scorer)
    wall = time.time() - started
    _log(log_path, started, {"event": "test_after", "best_epoch": best.best_epoch, **(headline(after) if after else {})})

    # 9. save as a new version with its card and log
    card = {
        "backend": config.backend,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": asdict(config),
        "data": {"catalog": str(settings.catalog_dir), "catalog_sha256": _data_hash(settings),
                 "train_products": int(len(table)), "products": int(len(catalog))},
        "metrics_before": headline(before) if before else {},
        "metrics_after": headline(after) if after else {},
        "test_before": before,
        "test_after": after,
        "best_epoch": best.best_epoch,
        "best_valid_mrr10": None if best.best == -math.inf else best.best,
        "rescoring": None if scorer is None else {
            **rescoring, "eps": scorer.eps, "classes": {a: len(v) for a, v in scorer.vocab.values.items()},
            "test_after_cosine_only": headline(after_cosine) if after_cosine else {}},
        "skipped_images": skipped,
        "wall_time_s": round(wall, 2),
        "feature_time_s": round(feature_time, 2),
    }

    def write(folder: Path) -> None:
        model.save(str(folder))  # the cache location is machine-specific: never saved
        if scorer is not None:
            scorer.save(folder)
        log_copy = folder / "training_log.jsonl"
        log_copy.write_text(log_path.read_text())

    model_dir = register(settings.models_dir, config.name, write, card)
    _log(log_path, started, {"event": "saved", "model": str(model_dir)})
    (model_dir / "training_log.jsonl").write_text(log_path.read_text())
    _cleanup(workdir)
    if push_to_hub:
        model.push_to_hub(push_to_hub, token=hub_token, exist_ok=True, local_model_path=str(model_dir))
    return TrainResult(model_dir, before, after, model_dir / "training_log.jsonl", wall, skipped)


def _scorer(model, catalog: pd.DataFrame, config: TrainConfig):
    """A fresh attribute scorer for a lit model with frozen towers (None when it does not apply)."""
    if not (config.rescoring and config.backend == "lit" and config.loss == "masked"
            and config.lit.text_trainable_layers == 0):
        return None
    from core.model.attributes import AttributeScorer, Vocabulary
    from core.model.towers import ImageTower, TextTower

    image = next(t for t in towers(model) if isinstance(t, ImageTower))
    text = next(t for t in towers(model) if isinstance(t, TextTower))
    scorer = AttributeScorer(Vocabulary.from_catalog(catalog), image.dim, text.dim)
    train_images = catalog.loc[catalog["split"] == "train", "image"].tolist()
    scorer.set_image_stats(image.features(train_images)[0])  # cache hits: warm_features filled it
    return scorer


def _choose_weight(model, scorer, catalog: pd.DataFrame, config: TrainConfig) -> dict[str, Any]:
    """Set the scorer's weight to the candidate with the best valid MRR@10 (ties: the smaller)."""
    from core.model.towers import SentenceTransformerEmbedder
    from core.model.evaluate import attribute_inputs, embed_catalog, text_to_image

    valid = catalog[catalog["split"] == "valid"].reset_index(drop=True)
    if len(valid) < 2:
        return {"weight": scorer.weight, "valid": {}, "chosen_by": "default (no valid split)"}
    plain = embed_catalog(SentenceTransformerEmbedder(model, "training"), valid)
    blocks, dists = attribute_inputs(SentenceTransformerEmbedder(model, "training", scorer), valid)
    rows = np.arange(len(valid))
    results = {}
    for weight in config.rescoring_weights:
        emb = plain if weight <= 0 else plain.with_weight(scorer, weight, blocks, dists)
        results[float(weight)] = text_to_image(emb, valid, rows, rows)
    chosen = max(results, key=lambda w: (round(results[w]["mrr10"], 6), -w))
    scorer.weight = chosen
    return {"weight": chosen, "valid": {str(w): m for w, m in results.items()}, "chosen_by": "valid MRR@10"}


def _log(path: Path, started: float, record: dict[str, Any]) -> None:
    record["time_s"] = round(time.time() - started, 3)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=float) + "\n")


def _cleanup(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
