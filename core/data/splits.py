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


def brand_holdout_splits(frame: pd.DataFrame, *, seed: int = 0, valid: float = 0.1, test: float = 0.1) -> pd.Series:
    """Splits that hold out whole brands: every product of a test brand is in test, of a valid brand
    in valid, so neither the model nor its selection ever saw the brand (the leave-brands-out check
    of how much of a score is remembering brands). Brands (``core.data.brands``, aliases merged) are
    ordered by a stable hash and taken until each split holds its share of the branded products;
    products without a parsed brand keep :func:`assign_splits`' split."""
    from core.data.brands import brand_of, catalogue_brands

    _, aliases = catalogue_brands(frame["productDisplayName"])
    parsed = frame["productDisplayName"].map(brand_of)
    brand = parsed.map(lambda b: aliases.get(b, b), na_action="ignore")
    split = assign_splits(frame, seed=seed, valid=valid, test=test).copy()
    sizes = brand.value_counts()
    branded = int(sizes.sum())
    order = sorted(sizes.index, key=lambda b: (stable_unit("brand-split", seed, b), b))
    taken = {"test": 0, "valid": 0}
    held: dict[str, str] = {}
    for name in order:
        for part, share in (("test", test), ("valid", valid)):
            if taken[part] < share * branded:
                held[name] = part
                taken[part] += int(sizes[name])
                break
    assigned = brand.map(lambda b: held.get(b, "train"), na_action="ignore")
    return assigned.where(assigned.notna(), split).rename("split")
