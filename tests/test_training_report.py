"""The Training screen's tables: versions, log parsing (tolerant of a torn last line), before/after."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core.reports.training import (before_after, epoch_curves, headline_tiles, model_versions, per_group, read_log,
                                   rescoring)

CARD = {
    "version": "lit-v2", "backend": "lit", "created": "2026-11-26T10:00:00+00:00", "config": {"epochs": 3},
    "best_epoch": 2.0, "wall_time_s": 12.5,
    "metrics_before": {"t2i_r1": 0.1, "t2i_r10": 0.4},
    "metrics_after": {"t2i_r1": 0.5, "t2i_r10": 0.9},
    "test_after": {"text_to_image_by_group": {"topwear": {"r1": 0.6, "r10": 0.95}, "bags": {"r1": 0.4, "r10": 0.8}}},
}


def _version(models_dir, name, card):
    folder = models_dir / name
    folder.mkdir(parents=True)
    (folder / "fashion_model.json").write_text(json.dumps(card))
    return folder


def test_versions_newest_first(tmp_path):
    _version(tmp_path, "lit-v1", {**CARD, "version": "lit-v1"})
    _version(tmp_path, "lit-v2", CARD)
    (tmp_path / "lit-v3").mkdir()  # no card: an unfinished run, not listed
    frame = model_versions(tmp_path)
    assert list(frame["Version"]) == ["lit-v2", "lit-v1"]
    assert frame.loc[0, "R@1 after"] == 0.5 and frame.loc[0, "Epochs"] == 3
    assert frame.loc[0, "Best epoch"] == 2 and str(frame["Best epoch"].dtype) == "Int64"  # not 2.0
    assert frame["Test queries"].isna().all()  # an older card: counts unknown, not invented


def test_no_models_is_an_empty_table(tmp_path):
    assert model_versions(tmp_path / "nothing").empty


def test_read_log_splits_steps_and_epochs_and_skips_a_torn_line(tmp_path):
    lines = [
        {"event": "start", "config": {}},
        {"event": "step", "step": 1, "epoch": 1.0, "loss": 5.0, "learning_rate": 0.001, "time_s": 1.0},
        {"event": "epoch", "step": 1, "epoch": 1.0, "valid_t2i_r1": 0.2, "runtime": 0.1},
        {"event": "step", "step": 2, "epoch": 2.0, "loss": 4.0, "learning_rate": 0.001, "time_s": 2.0},
    ]
    (tmp_path / "training_log.jsonl").write_text("\n".join(map(json.dumps, lines)) + '\n{"event": "ep')
    steps, epochs = read_log(tmp_path)
    assert list(steps["loss"]) == [5.0, 4.0]
    assert list(epochs.columns) == ["epoch", "valid_t2i_r1"] and len(epochs) == 1


def test_before_after_and_per_group():
    table = before_after(CARD)
    assert list(table["Metric"]) == ["Text→image R@1", "Text→image R@10"]
    assert table.loc[0, "Gain"] == 0.4
    assert table["Queries"].isna().all() and (table["After 95% CI"] == "").all()  # an older card
    groups = per_group(CARD)
    assert list(groups["Group"]) == ["Bags & wallets", "Topwear"]


NEW_CARD = {
    **CARD, "data": {"products": 300, "valid_queries": 30, "valid_images": 34, "test_queries": 3, "test_images": 4},
    "test_after": {
        "split": "test", "products": 4, "queries": 3, "full_gallery": 300,
        "text_to_image": {"r1": 0.5, "r10": 0.9, "mrr10": 0.6, "queries": 3},
        "text_to_image_by_group": {"topwear": {"r1": 0.8333333, "r10": 1, "mrr10": 0.9, "queries": 2},
                                   "bags": {"r1": 0.4, "r10": 0.8, "mrr10": 0.5, "queries": 1}},
        "category_to_product": {"p1": 1.0, "p10": 1.0, "queries": 2},
        "intervals": {"text_to_image": {"r1": [0.3, 0.7], "r10": [0.8, 1.0], "mrr10": [0.4, 0.8]},
                      "text_to_image_by_group": {"topwear": {"r1": [0.5, 1.0], "r10": [1.0, 1.0]},
                                                 "bags": {"r1": [0.0, 1.0], "r10": [0.0, 1.0]}}},
    },
}


def test_figures_carry_their_queries_gallery_and_interval():
    table = before_after(NEW_CARD).set_index("Metric")
    assert table.loc["Text→image R@1", "Queries"] == 3 and table.loc["Text→image R@1", "Gallery"] == 4
    assert table.loc["Text→image R@1", "After 95% CI"] == "0.300–0.700"
    groups = per_group(NEW_CARD)
    assert list(groups.columns) == ["Group", "Queries", "R@1", "R@1 95% CI", "R@10", "R@10 95% CI", "MRR@10", "Indicative"]
    assert groups["R@1"].tolist() == [0.4, 0.833]  # one precision for every figure
    assert groups["Queries"].tolist() == [1, 2] and groups["Indicative"].all()
    assert groups["R@1 95% CI"].tolist() == ["0.000–1.000", "0.500–1.000"]


def test_training_tiles_and_curves_read_as_labels():
    assert headline_tiles(CARD) == {"Test R@1": "0.500", "Test R@10": "0.900", "Test MRR@10": "–",
                                    "Best epoch": "2", "Wall time": "12 s"}
    epochs = pd.DataFrame({"epoch": [1.0, 2.0], "valid_t2i_r1": [0.2, 0.3], "valid_runtime": [1, 1]})
    long = epoch_curves(epochs)
    assert set(long["Metric"]) == {"Text→image R@1"} and long["Epoch"].tolist() == [1, 2]


def test_rescoring_table_flags_the_chosen_weight_and_summarises_an_older_card():
    card = {**CARD, "rescoring": {"weight": 0.05, "valid": {"0.0": {"r1": 0.36, "r10": 0.82, "mrr10": 0.51},
                                                           "0.05": {"r1": 0.45, "r10": 0.89, "mrr10": 0.59}},
                                  "test_after_cosine_only": {"t2i_r1": 0.377, "t2i_r10": 0.842}},
            "metrics_after": {"t2i_r1": 0.459, "t2i_r10": 0.916}}
    frame, summary = rescoring(card)
    assert frame["Chosen"].tolist() == [False, True] and frame["R@1"].tolist() == [0.36, 0.45]
    assert "Test split: R@1 0.377 with the cosine alone, 0.459 re-scored with weight 0.05" in summary
    assert "no noise test recorded" in summary and "query count and gallery size unknown" in summary
    frame, summary = rescoring(CARD)  # an older card, or a CLIP model: nothing to show
    assert frame.empty and summary is None


@pytest.mark.parametrize("kept", [False, True])
def test_rescoring_summary_names_the_decision_and_both_test_figures(kept):
    test = {"split": "test", "queries": 26, "gallery": 32}
    info = {"weight": 0.05 if kept else 0.0, "candidate": 0.05, "kept": kept,
            "reason": "weight 0.05 gains +0.004 valid MRR@10 … : " + ("beyond the noise, kept" if kept else "within noise, weight 0"),
            "valid": {"0.0": {"r1": 0.8, "r10": 1.0, "mrr10": 0.88}, "0.05": {"r1": 0.8, "r10": 1.0, "mrr10": 0.884}},
            "valid_cosine": {"split": "valid", "r1": 0.8, "r10": 1.0, "mrr10": 0.88, "queries": 30, "gallery": 34},
            "valid_rescored": {"split": "valid", "r1": 0.8, "r10": 1.0, "mrr10": 0.884, "queries": 30, "gallery": 34},
            "test_cosine": {**test, "r1": 0.885, "r10": 1.0, "mrr10": 0.93, "intervals": {"r1": [0.77, 1.0], "r10": [1.0, 1.0]}},
            "test_rescored": {**test, "r1": 0.846, "r10": 1.0, "mrr10": 0.91, "intervals": {"r1": [0.69, 0.96], "r10": [1.0, 1.0]}},
            "test_after_cosine_only": {"t2i_r1": 0.885, "t2i_r10": 1.0}}
    frame, summary = rescoring({**CARD, "rescoring": info})
    assert frame["Chosen"].tolist() == [not kept, kept]
    assert summary.startswith("Attribute re-scoring on: weight 0.05" if kept else "Attribute re-scoring off: weight 0.05")
    assert ("Search uses the re-scored ranking." if kept else "Search uses the cosine alone.") in summary
    assert "Validation split (30 queries, 34 images): MRR@10 0.880 with the cosine alone, 0.884 re-scored" in summary
    assert "Test split (26 queries, 32 images): R@1 0.885 with the cosine alone, 0.846 re-scored with weight 0.05" in summary
    assert "Test split, cosine alone: R@1 0.885 (95% CI 0.770–1.000)" in summary
    assert "Test split, re-scored, weight 0.05: R@1 0.846 (95% CI 0.690–0.960)" in summary
    assert "26 queries, 32 images · indicative" in summary
    assert "on the validation split: 30 queries, 34 images" in summary


def test_markdown_card_says_what_the_test_figures_rest_on():
    from core.model.registry import render_card

    text = render_card(NEW_CARD)
    assert "3 queries against 4 images (indicative: fewer than 100 queries); 95% intervals after training" in text
    assert "R@1 0.300–0.700" in text
    assert "queries against" not in render_card(CARD)  # an older card: nothing invented
