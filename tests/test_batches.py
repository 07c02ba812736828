"""Training recipe options: batches by article type (every row once per epoch, about half of a batch from one
type) and a fixed re-scoring weight."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import FashionError
from core.model.batches import by_type_sampler


def _batches(types, batch_size=64, *, epoch=0, seed=0, drop_last=False):
    sampler = by_type_sampler(np.asarray(types))(list(range(len(types))), batch_size=batch_size, drop_last=drop_last, seed=seed)
    sampler.set_epoch(epoch)
    return list(sampler), len(sampler)


def test_every_row_comes_once_per_epoch_and_batches_hold_few_types():
    types = np.array([0] * 300 + [1] * 50 + [2] * 500 + [3] * 7 + [4] * 143)
    batches, length = _batches(types)
    assert sorted(i for b in batches for i in b) == list(range(len(types))) and length == len(batches)
    assert all(len(b) == 64 for b in batches[:-1])
    rng = np.random.default_rng(0)
    random_types = [len(set(types[rng.permutation(len(types))[:64]])) for _ in range(20)]
    assert np.mean([len(set(types[b])) for b in batches]) < np.mean(random_types)
    # a same-type block is at least half a batch wherever the type has that many rows
    largest_share = [np.bincount(types[b]).max() / len(b) for b in batches[:-1]]
    assert np.median(largest_share) >= 0.5


def test_epochs_shuffle_differently_and_repeat_with_the_seed():
    types = np.repeat(np.arange(6), 40)
    first, _ = _batches(types, epoch=1)
    assert first == _batches(types, epoch=1)[0]
    assert first != _batches(types, epoch=2)[0] and first != _batches(types, epoch=1, seed=5)[0]


def test_drop_last_drops_only_the_short_tail():
    types = np.repeat(np.arange(3), 50)  # 150 rows, batches of 64: two full, one short
    batches, length = _batches(types, drop_last=True)
    assert length == 2 and len(batches) == 2 and all(len(b) == 64 for b in batches)


def test_an_unknown_batch_kind_is_refused():
    from core.model.train import TrainConfig

    with pytest.raises(FashionError, match="by-type"):
        TrainConfig(batches="hard")


def test_a_fixed_rescoring_weight_is_used_as_is():
    import pandas as pd

    from core.model.train import TrainConfig, choose_weight

    class Scorer:
        weight = 0.0

    scorer = Scorer()
    decision = choose_weight(None, scorer, pd.DataFrame({"split": ["train", "train"]}), TrainConfig(rescoring_weight=0.05))
    assert scorer.weight == 0.05 and decision["weight"] == 0.05 and decision["chosen_by"] == "fixed by the recipe"
