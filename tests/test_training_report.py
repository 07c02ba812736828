"""The Training screen's tables: versions, log parsing (tolerant of a torn last line), before/after."""

from __future__ import annotations

import json

from core.reports.training import before_after, model_versions, per_group, read_log, rescoring

CARD = {
    "version": "lit-v2", "backend": "lit", "created": "2026-11-26T10:00:00+00:00", "config": {"epochs": 3},
    "best_epoch": 2, "wall_time_s": 12.5,
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
    assert list(frame["version"]) == ["lit-v2", "lit-v1"]
    assert frame.loc[0, "R@1 after"] == 0.5 and frame.loc[0, "epochs"] == 3


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
    assert list(table["metric"]) == ["text→image R@1", "text→image R@10"]
    assert table.loc[0, "gain"] == 0.4
    assert list(per_group(CARD)["group"]) == ["bags", "topwear"]


def test_rescoring_table_flags_the_chosen_weight_and_summarises_the_test_gain():
    card = {**CARD, "rescoring": {"weight": 0.05, "valid": {"0.0": {"r1": 0.36, "r10": 0.82, "mrr10": 0.51},
                                                           "0.05": {"r1": 0.45, "r10": 0.89, "mrr10": 0.59}},
                                  "test_after_cosine_only": {"t2i_r1": 0.377, "t2i_r10": 0.842}},
            "metrics_after": {"t2i_r1": 0.459, "t2i_r10": 0.916}}
    frame, summary = rescoring(card)
    assert frame["chosen"].tolist() == [False, True] and frame["R@1"].tolist() == [0.36, 0.45]
    assert "0.377 with the cosine alone → 0.459 re-scored" in summary and "weight 0.05" in summary
    frame, summary = rescoring(CARD)  # an older card, or a CLIP model: nothing to show
    assert frame.empty and summary is None
