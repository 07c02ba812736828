"""Train / valid / test splits: grouped by product name, stratified by group, deterministic.

Products that share a ``productDisplayName`` (colour variants, re-listings) always land in the same
split, otherwise a test query could be answered by memorising its train twin. Within each group,
names are ordered by a stable hash and cut at 80 % / 90 % of the group's products (by the midpoint
of each name's block), so every group keeps roughly its share in each split.
"""

from __future__ import annotations

import pandas as pd

from core.files import stable_unit

SPLITS = ("train", "valid", "test")


def name_key(name: str) -> str:
    return " ".join(str(name).casefold().split())


def assign_splits(frame: pd.DataFrame, *, seed: int = 0, valid: float = 0.1, test: float = 0.1) -> pd.Series:
    """A ``split`` value per row of ``frame`` (columns ``id``, ``productDisplayName``, ``group``)."""
    keys = frame["productDisplayName"].map(name_key)
    # A name that spans groups belongs to the group of its lowest id.
    first = frame.assign(_key=keys).sort_values("id").drop_duplicates("_key")
    name_group = dict(zip(first["_key"], first["group"]))
    sizes = keys.value_counts()

    split_of: dict[str, str] = {}
    train_cut, valid_cut = 1.0 - valid - test, 1.0 - test
    for group in sorted(set(name_group.values())):
        names = sorted((k for k, g in name_group.items() if g == group), key=lambda k: (stable_unit("split", seed, k), k))
        total = sum(int(sizes[k]) for k in names)
        seen = 0
        for key in names:
            midpoint = (seen + sizes[key] / 2) / total
            split_of[key] = "train" if midpoint < train_cut else "valid" if midpoint < valid_cut else "test"
            seen += int(sizes[key])
    return keys.map(split_of).rename("split")
