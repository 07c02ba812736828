"""What the Training screen shows: model versions, the training log as curves, before/after tables.

Reads the registry (``core.model.registry``) and each version's ``training_log.jsonl``; never loads weights.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from core.model.registry import read_card, versions

LOG_FILE = "training_log.jsonl"
METRIC_LABELS = {
    "t2i_r1": "text→image R@1", "t2i_r10": "text→image R@10", "t2i_mrr10": "text→image MRR@10",
    "i2t_r1": "image→text R@1", "cat_p1": "category→product P@1", "cat_p10": "category→product P@10",
    "t2i_full_r1": "text→image R@1 (whole catalogue)", "t2i_full_r10": "text→image R@10 (whole catalogue)",
}


def model_versions(models_dir: Path) -> pd.DataFrame:
    """One row per registered version, newest first, with its headline test metrics."""
    rows = []
    for folder in versions(Path(models_dir)):
        card = read_card(folder)
        after, before = card.get("metrics_after") or {}, card.get("metrics_before") or {}
        rows.append({
            "version": card.get("version", folder.name),
            "backend": card.get("backend"),
            "created": card.get("created"),
            "epochs": (card.get("config") or {}).get("epochs"),
            "best epoch": card.get("best_epoch"),
            "R@1 before": before.get("t2i_r1"),
            "R@1 after": after.get("t2i_r1"),
            "R@10 after": after.get("t2i_r10"),
            "MRR@10 after": after.get("t2i_mrr10"),
            "wall time (s)": card.get("wall_time_s"),
            "path": str(folder),
        })
    frame = pd.DataFrame(rows, columns=["version", "backend", "created", "epochs", "best epoch", "R@1 before", "R@1 after",
                                        "R@10 after", "MRR@10 after", "wall time (s)", "path"])
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


def before_after(card: dict) -> pd.DataFrame:
    """Base (untrained heads) vs fine-tuned on the test split, one row per metric."""
    before, after = card.get("metrics_before") or {}, card.get("metrics_after") or {}
    rows = [
        {"metric": METRIC_LABELS.get(key, key), "before": before.get(key), "after": value,
         "gain": value - before[key] if isinstance(before.get(key), (int, float)) else None}
        for key, value in after.items() if isinstance(value, (int, float))
    ]
    return pd.DataFrame(rows, columns=["metric", "before", "after", "gain"])


def rescoring(card: dict) -> tuple[pd.DataFrame, str | None]:
    """The attribute re-scoring weights tried on valid (one row each, the chosen one flagged) and a
    one-line summary of the test split with the cosine alone vs re-scored; empty / None without it."""
    info = card.get("rescoring") or {}
    rows = [{"weight": float(w), "R@1": m.get("r1"), "R@10": m.get("r10"), "MRR@10": m.get("mrr10"),
             "chosen": float(w) == info.get("weight")} for w, m in (info.get("valid") or {}).items()]
    frame = pd.DataFrame(rows, columns=["weight", "R@1", "R@10", "MRR@10", "chosen"])
    cosine, after = info.get("test_after_cosine_only") or {}, card.get("metrics_after") or {}
    if not info or "t2i_r1" not in cosine or "t2i_r1" not in after:
        return frame, None
    summary = (f"weight {info['weight']:g} (best valid MRR@10); test text→image R@1 {cosine['t2i_r1']:.3f} with the "
               f"cosine alone → {after['t2i_r1']:.3f} re-scored, R@10 {cosine['t2i_r10']:.3f} → {after['t2i_r10']:.3f}")
    return frame, summary


def per_group(card: dict) -> pd.DataFrame:
    """Test text→image metrics per product group after training, when the card has them."""
    groups = (card.get("test_after") or {}).get("text_to_image_by_group") or {}
    frame = pd.DataFrame([{"group": g, **m} for g, m in groups.items()])
    return frame.sort_values("group", ignore_index=True) if not frame.empty else frame
