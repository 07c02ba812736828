"""The shipped model: the recipe chosen on the splits, trained once more on every labelled product.

The splits exist to choose and measure (the best epoch and the re-scoring weight on valid, the
figures on test); the products a retailer adds next month are none of them, and every labelled
product the model learns from helps there (on the shared catalogue, training on train and valid
instead of train alone moved test R@1 as ``benchmarks/bench_levers.py``'s ``train+valid`` row says).
With ``TrainConfig.final_on_all``, :func:`train_shipped` trains the split model as always (it is
registered: its card is the evidence), then the same recipe on every product for the split model's
best epoch count with its re-scoring weight, and registers that one as the newer version. Its card
says so (``trained_on``) and carries the split model's figures (``figures_from``): evaluating it on
the test split would measure products it was trained on.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pandas as pd

from core.model.recipe import TrainConfig

FIGURES = ("metrics_before", "metrics_after", "test_before", "test_after", "best_epoch", "best_valid_mrr10", "rescoring")
"""What the final model's card takes from the split model's."""


def final_config(config: TrainConfig, card: dict[str, Any]) -> TrainConfig:
    """The recipe once more: the split run's best epoch count and re-scoring weight, nothing chosen again."""
    best = card.get("best_epoch")
    epochs = max(1, math.ceil(float(best))) if best else config.epochs
    weight = (card.get("rescoring") or {}).get("weight")
    return replace(config, epochs=epochs, rescoring_weight=None if weight is None else float(weight), final_on_all=False)


def all_labelled(catalog: pd.DataFrame) -> pd.DataFrame:
    """Every product as training data."""
    return catalog.assign(split="train")


def figures_of(card: dict[str, Any]) -> dict[str, Any]:
    """The split model's figures and where they come from, for the final model's card."""
    data = card.get("data") or {}
    return {**{key: card.get(key) for key in FIGURES},
            "figures_from": {"model": card.get("version"), "trained_on": "the train split",
                             "train_products": data.get("train_products")}}


def train_shipped(settings, config: TrainConfig | None = None, **kwargs):
    """:func:`core.model.train.train`, then, with ``config.final_on_all``, the final model on every
    labelled product (see the module docstring); returns the last model's result."""
    from core.model.registry import read_card
    from core.model.train import load_prepared, train

    config = config or TrainConfig()
    if not config.final_on_all:
        return train(settings, config, **kwargs)
    first = train(settings, config, **{**kwargs, "push_to_hub": None})  # only the shipped model goes to a hub
    card = read_card(first.model_dir)
    catalog = all_labelled(load_prepared(settings))
    result = train(settings, final_config(config, card), catalog=catalog,
                   card_extra={**figures_of(card), "trained_on": f"every labelled product ({len(catalog):,})"}, **kwargs)
    return replace(result, metrics_before=first.metrics_before, metrics_after=first.metrics_after)
