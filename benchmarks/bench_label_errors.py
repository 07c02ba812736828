"""Benchmark of the label-error suggestions: recall on planted errors per kind, and a sample to eye-check.

    python -m benchmarks.bench_label_errors --home /tmp/le-home \
        --catalog /work/shared/datasets/fashion-product-images-small \
        [--per-kind 30] [--seed 11] [--split test] [--sample 10] [--sheets DIR] [--no-classifier] [--json]

Plants ``--per-kind`` errors of each kind (seeded) in products of ``--split`` (default ``test``: the
model never trained on them), each on its own product:

- ``type-across``: another group's article type (a watch relabelled "Tshirts": group, sub and
  master category follow the new type, as a consistent edit of its styles.csv row would);
- ``type-within``: another type of the same group (Tshirts -> Shirts);
- ``colour``: a colour outside the product's colour family (Black -> Red; Multi/Unknown skipped);
- ``gender``: the other sex (Men <-> Women, Boys <-> Girls; Unisex skipped).

New types and colours are drawn from the catalogue's own (types with >= 20 products), weighted by
how common they are. The names are left alone: a wrong label, not a wrong product.

The suggestions are computed as the product computes them (``load_inputs`` then ``suggest`` of
``core.curation``, what ``compute_suggestions`` runs on a cache miss), with the planted labels in
place of the index's. That is what re-preparing an edited styles.csv and re-indexing would give:
the rules read the labels, the names' vectors, the image vectors and the image classifier's stored
scores, and only the labels depend on the labels. Nothing is written (the name vectors go through
HOME's feature cache, which may fill: use a copy of a shared home).

Prints recall per kind (a planted product counts when a label-error suggestion questions the
planted attribute), the suggestions overall, and a seeded sample of ``--sample`` label-error
suggestions on products that were *not* planted, with ids, labels, names and evidence, to check
against the pictures (``--sheets DIR`` draws one contact sheet each). ``--no-classifier`` drops
the image classifier's scores (a model without one, or an index built before they were stored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from core.config import Settings
from core.curation.evidence import UNQUESTIONED_COLOURS, same_family
from core.curation.rules import Suggestion, suggest
from core.data.groups import group_of

KINDS = ("type-across", "type-within", "colour", "gender")
ATTRIBUTE_OF = {"type-across": "articleType", "type-within": "articleType", "colour": "baseColour", "gender": "gender"}
GENDER_SWAP = {"Men": "Women", "Women": "Men", "Boys": "Girls", "Girls": "Boys"}
MIN_TYPE_SIZE = 20


@dataclass(frozen=True)
class Plant:
    id: int
    kind: str
    attribute: str
    old: str
    new: str


def _group(row: pd.Series) -> str:
    return group_of(str(row["articleType"]), str(row.get("subCategory", "")), str(row.get("masterCategory", "")))


def plant_errors(meta: pd.DataFrame, rows: list[int], per_kind: int, seed: int) -> tuple[pd.DataFrame, list[Plant]]:
    """A copy of ``meta`` with ``per_kind`` errors of each of :data:`KINDS` planted in ``rows``
    (positions; each product planted once), and the plants."""
    rng = random.Random(seed)
    meta = meta.copy()
    pool = list(rows)
    rng.shuffle(pool)
    used: set[int] = set()
    types = meta["articleType"].value_counts()
    types = types[types >= MIN_TYPE_SIZE]
    type_group = {t: group_of(t) for t in types.index}
    categories = meta.groupby("articleType")[["subCategory", "masterCategory"]].agg(lambda s: s.mode().iat[0]) \
        if {"subCategory", "masterCategory"} <= set(meta.columns) else None
    colours = meta["baseColour"].value_counts()
    colours = colours[[c not in UNQUESTIONED_COLOURS for c in colours.index]]

    def draw(candidates: pd.Series) -> str | None:
        return rng.choices(list(candidates.index), weights=candidates.tolist())[0] if len(candidates) else None

    def new_value(kind: str, row: pd.Series) -> str | None:
        if kind == "type-across":
            return draw(types[[g not in (_group(row), "other") for g in type_group.values()]])
        if kind == "type-within":
            return draw(types[[g == _group(row) and t != row["articleType"] for t, g in type_group.items()]])
        if kind == "colour":
            own = str(row["baseColour"])
            return None if own in UNQUESTIONED_COLOURS else draw(colours[[not same_family(own, c) for c in colours.index]])
        return GENDER_SWAP.get(str(row["gender"]))

    plants: list[Plant] = []
    for kind in KINDS:
        attribute, planted = ATTRIBUTE_OF[kind], 0
        for position in pool:
            if planted == per_kind:
                break
            if position in used:
                continue
            row = meta.iloc[position]
            value = new_value(kind, row)
            if value is None:
                continue
            plants.append(Plant(int(row["id"]), kind, attribute, str(row[attribute]), value))
            meta.iat[position, meta.columns.get_loc(attribute)] = value
            if attribute == "articleType":
                if categories is not None:
                    for column in ("subCategory", "masterCategory"):
                        meta.iat[position, meta.columns.get_loc(column)] = categories.loc[value, column]
                if "group" in meta:
                    meta.iat[position, meta.columns.get_loc("group")] = group_of(value)
            used.add(position)
            planted += 1
    return meta, plants


def questioned(suggestions: list[Suggestion]) -> dict[int, dict[str, str]]:
    """Product id -> {attribute questioned: value proposed} of the label-error suggestions."""
    out: dict[int, dict[str, str]] = {}
    for s in suggestions:
        if s.kind == "label-error":
            out[s.ids[0]] = {f["attribute"]: str(f.get("proposed", "")) for f in s.details.get("findings", [])}
    return out


def recall(plants: list[Plant], found: dict[int, dict[str, str]], outlying: set[int]) -> dict[str, dict]:
    """Per kind: planted, flagged (the planted attribute questioned), the original value proposed,
    and the missed ones the outlier rule shows anyway."""
    out = {}
    for kind in KINDS:
        mine = [p for p in plants if p.kind == kind]
        flagged = [p for p in mine if p.attribute in found.get(p.id, {})]
        missed = [p for p in mine if p not in flagged]
        out[kind] = {"planted": len(mine), "flagged": len(flagged),
                     "recall": round(len(flagged) / len(mine), 3) if mine else None,
                     "original_proposed": sum(found[p.id][p.attribute] == p.old for p in flagged),
                     "missed_but_outlier": sum(p.id in outlying for p in missed),
                     "missed": [f"{p.id} {p.old} -> {p.new}" for p in missed]}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--catalog")
    parser.add_argument("--model", help="model folder (default: the latest in HOME)")
    parser.add_argument("--per-kind", type=int, default=30, help="errors planted per kind (default 30)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the planting and the sample (default 11)")
    parser.add_argument("--split", default="test", help="plant in this split's products (default test; 'all' for any)")
    parser.add_argument("--sample", type=int, default=10, help="non-planted suggestions to print (default 10)")
    parser.add_argument("--sheets", metavar="DIR", help="draw a contact sheet of each sampled suggestion here")
    parser.add_argument("--no-classifier", action="store_true", help="leave out the image classifier's scores")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    from core.curation.suggestions import load_inputs
    from core.data.catalog import load_catalog
    from core.model.load import resolve_embedder

    settings = Settings.from_env(home=args.home, catalog=args.catalog)
    started = time.perf_counter()
    embedder = resolve_embedder(settings, args.model, feature_cache=True)
    inputs = load_inputs(settings, embedder)
    if args.no_classifier and hasattr(inputs, "image_classes"):
        inputs = replace(inputs, image_classes={})
    load_s = time.perf_counter() - started
    catalog = load_catalog(settings).set_index("id")
    split = inputs.meta["id"].map(catalog["split"]).fillna("")
    rows = list(range(len(inputs.meta))) if args.split == "all" else np.flatnonzero(split.to_numpy() == args.split).tolist()
    meta, plants = plant_errors(inputs.meta, rows, args.per_kind, args.seed)

    started = time.perf_counter()
    suggestions = suggest(replace(inputs, meta=meta))
    suggest_s = time.perf_counter() - started
    found = questioned(suggestions)
    planted_ids = {p.id for p in plants}
    others = [s for s in suggestions if s.kind == "label-error" and s.ids[0] not in planted_ids]
    sample = random.Random(args.seed).sample(others, min(args.sample, len(others)))
    figures = {
        "model": embedder.version, "products": len(meta), "split": args.split, "seed": args.seed,
        "classifier": bool(getattr(inputs, "image_classes", None)),
        "recall": recall(plants, found, {s.ids[0] for s in suggestions if s.kind == "outlier"}),
        "suggestions": {kind: sum(s.kind == kind for s in suggestions) for kind in ("near-duplicate", "label-error", "outlier")},
        "label_errors_not_planted": len(others),
        "load_s": round(load_s, 1), "suggest_s": round(suggest_s, 1),
        "sample": [{"id": s.ids[0], "name": str(catalog.at[s.ids[0], "productDisplayName"]),
                    "labels": " / ".join(str(catalog.at[s.ids[0], c]) for c in ("gender", "articleType", "baseColour")),
                    "split": str(catalog.at[s.ids[0], "split"]), "score": round(s.score, 3), "evidence": s.evidence}
                   for s in sample],
    }
    if args.sheets:
        from benchmarks.bench_curation import contact_sheet

        out = Path(args.sheets)
        out.mkdir(parents=True, exist_ok=True)
        products = {int(i): {**r, "id": int(i)} for i, r in catalog.loc[[s.ids[0] for s in sample]].iterrows()}
        for n, s in enumerate(sample, 1):
            contact_sheet(s, products, out / f"{n:02d}-{s.ids[0]}.png", f"#{n} label-error {s.ids[0]} score {s.score:.3f}")
        figures["sheets"] = str(out)
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"model {figures['model']}, {figures['products']:,} products; planted in split {args.split!r}, seed "
          f"{args.seed}, image classifier {'used' if figures['classifier'] else 'absent'}")
    for kind, r in figures["recall"].items():
        print(f"  {kind:12s} {r['flagged']:3d}/{r['planted']:<3d} recall {r['recall']:.0%}  "
              f"(original value proposed for {r['original_proposed']}; of the missed, "
              f"{r['missed_but_outlier']} shown as outliers)")
        if r["missed"]:
            print(f"      missed: {', '.join(r['missed'][:12])}{' ...' if len(r['missed']) > 12 else ''}")
    print("suggestions: " + ", ".join(f"{n} {kind}" for kind, n in figures["suggestions"].items())
          + f"; label errors on products not planted: {figures['label_errors_not_planted']}")
    print(f"inputs {figures['load_s']} s, rules {figures['suggest_s']} s")
    print(f"sample of {len(sample)} label-error suggestions on products not planted (check them against the pictures):")
    for n, row in enumerate(figures["sample"], 1):
        print(f"  #{n} {row['id']} [{row['split']}] {row['labels']} | {row['name']}\n      {row['evidence']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
