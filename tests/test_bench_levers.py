"""The learning-curve levers of ``benchmarks.bench_levers`` leave out whole training names only."""

from __future__ import annotations

import pandas as pd

from benchmarks.bench_levers import LEVERS, UNUSED, leave_out_training_names, recipe


def test_a_share_of_the_training_names_is_kept_whole_and_the_other_splits_are_untouched():
    names = [f"Brand Men Shirt {i}" for i in range(20)]
    frame = pd.DataFrame({"productDisplayName": names * 2 + ["Valid Name", "Test Name"],
                          "split": ["train"] * 40 + ["valid", "test"]})
    split = leave_out_training_names(frame, 0.25)
    kept = set(frame.loc[split == "train", "productDisplayName"])
    assert len(kept) == 5  # a quarter of the 20 names, both products of each
    assert (split == "train").sum() == 10 and (split == UNUSED).sum() == 30
    assert not set(frame.loc[split == UNUSED, "productDisplayName"]) & kept
    assert list(split[-2:]) == ["valid", "test"]
    assert leave_out_training_names(frame, 0.25).equals(split)  # the same draw every time


def test_the_share_is_a_home_override_not_a_recipe_field():
    assert recipe(LEVERS["train-50%"][1]).epochs == recipe({}).epochs
