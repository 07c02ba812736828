"""What the Training screen shows: model versions, the training log as curves, before/after tables.

Reads the registry (``core.model.registry``) and each version's ``training_log.jsonl``; never loads
weights. Tables come with the column names a person reads ("Text→image R@1", "Best epoch"),
figures rounded to 3 decimals, and every R@k beside its query count, gallery size and 95%
interval (``core.reports.figures``); a card written before those were recorded says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from core.data.groups import GROUP_LABELS
from core.model.intervals import INDICATIVE_BELOW, INTERVAL_BELOW
from core.model.registry import read_card, versions
from core.reports.figures import Figures, interval_text, rescoring_verdict, served_figures

LOG_FILE = "training_log.jsonl"
METRIC_LABELS = {
    "t2i_r1": "Text→image R@1", "t2i_r10": "Text→image R@10", "t2i_mrr10": "Text→image MRR@10",
    "i2t_r1": "Image→text R@1", "cat_p1": "Category→product P@1", "cat_p10": "Category→product P@10",
    "t2i_full_r1": "Text→image R@1 (whole catalogue)", "t2i_full_r10": "Text→image R@10 (whole catalogue)",
    "t2i_full_mrr10": "Text→image MRR@10 (whole catalogue)", "loss": "Loss",
}
DECIMALS = 3


def _round(value: Any) -> Any:
    return round(float(value), DECIMALS) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _ci(intervals: dict | None, metric: str, queries: int | None) -> str:
    """``0.692–0.962`` below INTERVAL_BELOW queries when recorded; blank otherwise."""
    ci = (intervals or {}).get(metric)
    return interval_text(*ci) if ci and (queries is None or queries < INTERVAL_BELOW) else ""


def model_versions(models_dir: Path) -> pd.DataFrame:
    """One row per registered version, newest first, with its headline test metrics."""
    rows = []
    for folder in versions(Path(models_dir)):
        card = read_card(folder)
        after, before = card.get("metrics_after") or {}, card.get("metrics_before") or {}
        test = served_figures(card)
        rows.append({
            "Version": card.get("version", folder.name),
            "Backend": card.get("backend"),
            "Created": card.get("created"),
            "Epochs": (card.get("config") or {}).get("epochs"),
            "Best epoch": int(card["best_epoch"]) if isinstance(card.get("best_epoch"), (int, float)) else None,
            "Test queries": test.queries if test else None,
            "Test images": test.gallery if test else None,
            "R@1 before": _round(before.get("t2i_r1")),
            "R@1 after": _round(after.get("t2i_r1")),
            "R@1 after 95% CI": _ci(test.intervals, "r1", test.queries) if test else "",
            "R@10 after": _round(after.get("t2i_r10")),
            "MRR@10 after": _round(after.get("t2i_mrr10")),
            "Wall time (s)": card.get("wall_time_s"),
            "path": str(folder),
        })
    columns = ["Version", "Backend", "Created", "Epochs", "Best epoch", "Test queries", "Test images", "R@1 before",
               "R@1 after", "R@1 after 95% CI", "R@10 after", "MRR@10 after", "Wall time (s)", "path"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("Best epoch", "Test queries", "Test images"):
        frame[column] = frame[column].astype("Int64")
    return frame.iloc[::-1].reset_index(drop=True)


def read_log(model_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(steps, epochs)`` from the JSON-lines log: loss per step; validation metrics per epoch.

    Lines that are not valid JSON (a run killed mid-write) are ignored rather than failing the screen.
    """
    path = Path(model_dir) / LOG_FILE
    records = []
    if path.is_file():
        for line in path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    steps = pd.DataFrame([r for r in records if r.get("event") == "step"], columns=["step", "epoch", "loss", "learning_rate", "time_s"])
    epochs = pd.DataFrame([r for r in records if r.get("event") == "epoch"])
    if not epochs.empty:
        keep = ["epoch"] + [c for c in epochs.columns if c.startswith("valid_")]
        epochs = epochs[keep]
    return steps.dropna(subset=["loss"]).reset_index(drop=True), epochs


def curves_of(model_dir: Path, card: dict) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """``(steps, epochs, note)``: this model's loss per step; its validation curves, or for a model
    trained on every labelled product (no valid split left) those of the split model its figures
    come from, with a note saying so."""
    steps, epochs = read_log(model_dir)
    source = (card.get("figures_from") or {}).get("model")
    if not source:
        return steps, epochs, None
    _, epochs = read_log(Path(model_dir).parent / str(source))
    products = (card.get("data") or {}).get("train_products")
    return steps, epochs, (f"{card.get('version', 'This model')} was trained on every labelled product"
                           f"{f' ({products:,})' if products else ''} for {(card.get('config') or {}).get('epochs')} epochs "
                           f"with {source}'s recipe and re-scoring weight; the validation curves and every figure on "
                           f"this screen are {source}'s (trained on the train split alone).")


def epoch_curves(epochs: pd.DataFrame) -> pd.DataFrame:
    """Validation metrics per epoch in long form (``Epoch``, ``Metric``, ``Value``) with readable
    metric names ("Text→image R@1"); only the retrieval figures (not the evaluator's timings)."""
    if epochs.empty:
        return pd.DataFrame(columns=["Epoch", "Metric", "Value"])
    columns = [c for c in epochs.columns if c.removeprefix("valid_") in METRIC_LABELS]
    long = epochs.melt(id_vars="epoch", value_vars=columns, var_name="Metric", value_name="Value")
    long["Metric"] = long["Metric"].str.removeprefix("valid_").map(METRIC_LABELS)
    long["Epoch"] = long["epoch"].round().astype(int)
    return long[["Epoch", "Metric", "Value"]]


def split_sample(card: dict, split: str) -> str:
    """``30 queries, 34 images · indicative (…)``: what a split's figures rest on, from the card."""
    data = card.get("data") or {}
    return Figures(split, {}, data.get(f"{split}_queries"), data.get(f"{split}_images")).sample()


def valid_caption(card: dict) -> str:
    """Under the validation curves: what each point rests on and, when the card has it, the kept
    epoch's figures with their 95% intervals (``Validation split, best epoch 4, cosine alone: R@1 …``)."""
    verdict = rescoring_verdict(card)
    if verdict is None or verdict.valid_cosine is None:
        return f"Validation split: {split_sample(card, 'valid')}"
    best = card.get("best_epoch")
    figures = verdict.valid_cosine
    lead = f"Validation split, best epoch {round(best)}" if isinstance(best, (int, float)) else "Validation split"
    return f"{lead}, cosine alone: {figures.body(('r1', 'r10', 'mrr10'))}"


def before_after(card: dict) -> pd.DataFrame:
    """Base (untrained heads) vs fine-tuned on the test split, one row per metric, each with the
    queries it averages over, the gallery they are ranked against and the 95% interval after."""
    before, after = card.get("metrics_before") or {}, card.get("metrics_after") or {}
    test = card.get("test_after") or {}
    intervals = test.get("intervals") or {}
    queries, images = test.get("queries"), test.get("products")
    samples = {  # metric key prefix -> (queries, gallery, intervals of that figure)
        "t2i_full_": (queries, test.get("full_gallery") or (card.get("data") or {}).get("products"),
                      intervals.get("text_to_image_full_gallery")),
        "t2i_": (queries, images, intervals.get("text_to_image")),
        "i2t_": (images, queries, intervals.get("image_to_text")),
        "cat_": ((test.get("category_to_product") or {}).get("queries"), images, None),
    }
    rows = []
    for key, value in after.items():
        if not isinstance(value, (int, float)):
            continue
        prefix = next((p for p in samples if key.startswith(p)), "")
        n, gallery, ci = samples.get(prefix, (None, None, None))
        rows.append({"Metric": METRIC_LABELS.get(key, key), "Queries": n, "Gallery": gallery,
                     "Before": _round(before.get(key)), "After": _round(value),
                     "After 95% CI": _ci(ci, key.removeprefix(prefix), n),
                     "Gain": _round(value - before[key]) if isinstance(before.get(key), (int, float)) else None})
    frame = pd.DataFrame(rows, columns=["Metric", "Queries", "Gallery", "Before", "After", "After 95% CI", "Gain"])
    for column in ("Queries", "Gallery"):
        frame[column] = frame[column].astype("Int64")
    return frame


def headline_tiles(card: dict) -> dict[str, str]:
    """The Training screen's tiles: test R@1 / R@10 / MRR@10 (3 decimals), best epoch (a whole
    number), wall time; ``–`` for what the card does not record."""
    after = card.get("metrics_after") or {}
    best, wall = card.get("best_epoch"), card.get("wall_time_s")
    tiles = {label: f"{after[key]:.3f}" if isinstance(after.get(key), (int, float)) else "–"
             for label, key in (("Test R@1", "t2i_r1"), ("Test R@10", "t2i_r10"), ("Test MRR@10", "t2i_mrr10"))}
    tiles["Best epoch"] = f"{round(best)}" if isinstance(best, (int, float)) else "–"
    tiles["Wall time"] = f"{wall:.0f} s" if isinstance(wall, (int, float)) else "–"
    return tiles


def test_caption(card: dict) -> str | None:
    """What the headline tiles rest on: ``Test split, cosine alone: R@1 … (95% CI …) · …``."""
    test = served_figures(card)
    return test.describe(("r1", "r10", "mrr10")) if test else None


def rescoring(card: dict) -> tuple[pd.DataFrame, str | None]:
    """The attribute re-scoring weights tried on valid (one row each, the chosen one flagged) and
    what was decided, with both test figures (cosine alone, re-scored) and the valid evidence;
    an empty frame / None without re-scoring."""
    info = card.get("rescoring") or {}
    rows = [{"Weight": float(w), "R@1": _round(m.get("r1")), "R@10": _round(m.get("r10")),
             "MRR@10": _round(m.get("mrr10")), "Chosen": float(w) == info.get("weight")}
            for w, m in (info.get("valid") or {}).items()]
    frame = pd.DataFrame(rows, columns=["Weight", "R@1", "R@10", "MRR@10", "Chosen"])
    verdict = rescoring_verdict(card)
    if verdict is None or verdict.cosine is None:
        return frame, None
    lines = [verdict.describe(), verdict.cosine.describe()]
    if verdict.rescored is not None:
        lines.append(verdict.rescored.describe())
    valid = verdict.valid_cosine.sample() if verdict.valid_cosine else split_sample(card, "valid")
    lines.append(f"Weights tried (below) on the validation split: {valid}.")
    return frame, "\n\n".join(lines)


def per_group(card: dict) -> pd.DataFrame:
    """Test text→image figures per product group after training: readable group names, query
    counts, 3 decimals, 95% intervals and the indicative mark; sorted by group name."""
    test = card.get("test_after") or {}
    groups = test.get("text_to_image_by_group") or {}
    intervals = (test.get("intervals") or {}).get("text_to_image_by_group") or {}
    rows = [{"Group": GROUP_LABELS.get(g, str(g).title()), "Queries": m.get("queries"),
             "R@1": _round(m.get("r1")), "R@1 95% CI": _ci(intervals.get(g), "r1", m.get("queries")),
             "R@10": _round(m.get("r10")), "R@10 95% CI": _ci(intervals.get(g), "r10", m.get("queries")),
             "MRR@10": _round(m.get("mrr10")),
             "Indicative": m.get("queries") is not None and m["queries"] < INDICATIVE_BELOW}
            for g, m in groups.items()]
    frame = pd.DataFrame(rows, columns=["Group", "Queries", "R@1", "R@1 95% CI", "R@10", "R@10 95% CI", "MRR@10",
                                        "Indicative"])
    frame["Queries"] = frame["Queries"].astype("Int64")
    return frame.sort_values("Group", ignore_index=True)
