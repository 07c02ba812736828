"""Progress that moves: events with units and time left (core.reports.progress), the set-up
estimate (core.reports.setup), the trainer's and the feature cache's reports, and ``build``
delivering counted events for every stage."""

from __future__ import annotations

import json
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from core.reports.progress import Heartbeat, ProgressTracker, StageProgress, about
from core.reports.setup import EPOCHS, estimate_setup, map_seconds, setup_estimate


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("seconds, said", [
    (0, "a few seconds"), (9.9, "a few seconds"), (12, "10 s"), (43, "45 s"), (57, "55 s"), (58, "1 min"),
    (74, "1 min"), (90, "1 min 30 s"), (119, "2 min"), (284, "4 min 30 s"), (356, "6 min"), (3900, "1 h 5 min"),
    (-3, "a few seconds"),
])
def test_durations_read_as_people_say_them(seconds, said):
    assert about(seconds) == said


def test_counted_work_measures_its_rate_and_counts_down_between_reports():
    clock = FakeClock()
    tracker = ProgressTracker("train", "epochs", label="Training", clock=clock)
    first = tracker.update(0, 20)
    assert (first.fraction, first.left_s, first.counts) == (0.0, None, "0/20 epochs")
    assert first.text == "Training: 0/20 epochs · a few seconds so far"  # no rate yet: no guess
    clock.now += 40
    event = tracker.update(12.5, 20)
    assert event.fraction == pytest.approx(0.625) and event.left_s == pytest.approx(24.0)
    assert event.text == "Training: 12/20 epochs · about 25 s left"
    clock.now += 10
    assert tracker.event().left_s == pytest.approx(14.0)  # the heartbeat: time passes, nothing counted
    clock.now += 20
    assert tracker.event().time_left == "almost done"
    done = tracker.update(20, 20)
    assert (done.fraction, done.left_s, done.time_left) == (1.0, 0.0, "done")


def test_uncounted_work_moves_with_the_clock_against_its_expected_duration():
    clock = FakeClock()
    tracker = ProgressTracker("map", expected_s=30, clock=clock)
    assert tracker.note("UMAP fit on 300 points", 0.4).fraction == 0.4  # a step core reported
    clock.now += 15
    event = tracker.event()
    assert event.fraction == pytest.approx(0.5) and event.counts == ""
    assert event.text == "UMAP fit on 300 points · about 15 s left"
    clock.now += 25
    late = tracker.event()
    assert late.fraction == 0.99 and late.left_s is None
    assert late.time_left == "40 s so far, longer than the usual 30 s"
    assert tracker.note("Map ready", 1.0).time_left == "done"


def test_work_without_counts_or_expectation_says_how_long_it_has_been():
    clock = FakeClock()
    tracker = ProgressTracker("index", label="Indexing with lit-v1", clock=clock)
    clock.now += 75
    assert tracker.event().text == "Indexing with lit-v1 · 1 min so far"


def test_stage_progress_starts_a_tracker_per_stage_and_unit():
    clock, events = FakeClock(), []
    bars = StageProgress(events.append, expected_s={"map": 20, "train": 99}, clock=clock)
    bars.beat()
    assert events == []  # nothing to repeat yet
    bars.note("train", "Training the encoder", 0.0)
    bars.count("train", 256, 300, "images", "Image features")
    clock.now += 5
    bars.count("train", 300, 300, "images", "Image features")
    bars.count("train", 0, 20, "epochs", "Training")
    bars.beat()
    bars.note("map", "Clustering", 0.9)
    assert [(e.stage, e.unit, e.expected_s) for e in events] == [
        ("train", "", 99), ("train", "images", None), ("train", "images", None), ("train", "epochs", None),
        ("train", "epochs", None), ("map", "", 20)]
    assert events[1].elapsed_s == 0.0 and events[2].elapsed_s == 5.0  # timed from the stage's start
    assert events[4].elapsed_s == 0.0  # a new unit: a new clock
    assert events[2].text == "Image features: 300/300 images · done"


def test_a_first_count_after_the_first_batch_is_timed_from_the_stage_start():
    clock, events = FakeClock(), []
    bars = StageProgress(events.append, clock=clock)
    bars.note("index", "Indexing with lit-v1", 0.0)
    clock.now += 10
    bars.count("index", 500, 5000, "products", "Indexing")
    assert events[-1].left_s == pytest.approx(90.0) and events[-1].text == "Indexing: 500/5,000 products · about 1 min 30 s left"


def test_heartbeat_beats_until_the_block_ends_and_survives_a_failing_display():
    beats = threading.Semaphore(0)
    with Heartbeat(beats.release, interval=0.01) as heart:
        assert beats.acquire(timeout=10) and beats.acquire(timeout=10)
    assert not heart.thread.is_alive()

    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("the screen went away")

    with Heartbeat(broken, interval=0.01) as heart:
        heart.thread.join(timeout=10)  # stops by itself after the first failure
    assert calls == [1]


def test_feature_parts_report_images_done():
    from core.model.features import compute_in_parts

    reports = []
    out = compute_in_parts(lambda part: {i: np.zeros(2) for i in part}, list(range(10)), 4, progress=lambda *a: reports.append(a))
    assert sorted(out) == list(range(10))
    assert reports == [(0, 10), (4, 10), (8, 10), (10, 10)]


def test_the_trainer_callback_reports_fractional_epochs():
    from core.model.callbacks import counting, epoch_progress

    reports = []
    assert epoch_progress(None) == []
    (callback,) = epoch_progress(lambda *a: reports.append(a))
    args = SimpleNamespace(num_train_epochs=3)
    callback.on_train_begin(args, SimpleNamespace(epoch=None), None)
    for epoch in (0.5, 1.0, 2.5, 3.0):
        callback.on_step_end(args, SimpleNamespace(epoch=epoch), None)
    assert reports == [(0, 3, "epochs"), (0.5, 3, "epochs"), (1.0, 3, "epochs"), (2.5, 3, "epochs"), (3.0, 3, "epochs")]
    counting(lambda *a: reports.append(a), "images")(5, 9)
    assert reports[-1] == (5, 9, "images")


# -- the set-up estimate -----------------------------------------------------------------------
def test_estimate_matches_the_measured_runs():
    from core.pipeline import STAGES
    from core.reports.setup import STAGES as ESTIMATED

    demo, large = estimate_setup(300), estimate_setup(9375)
    assert ESTIMATED == STAGES and list(demo.seconds) == list(STAGES)
    assert demo.total_s == pytest.approx(53, rel=0.15)  # measured on 2 cores: ~53 s
    measured = {"prepare": 6.5, "train": 229, "index": 62, "map": 47}
    assert all(large.seconds[s] == pytest.approx(v, rel=0.1) for s, v in measured.items())
    assert demo.text() == ("about 50 s for 300 products "
                           "(prepare: a few seconds, train: 10 s, index: a few seconds, map: 25 s)")
    assert large.text().startswith("about 6 min for 9,375 products")
    assert "train" not in estimate_setup(300, train=False).seconds
    assert estimate_setup(9375, epochs=5).seconds["train"] < large.seconds["train"]
    assert estimate_setup(0).text() == "a few minutes, depending on the catalogue's size"


def test_estimate_epochs_are_the_training_default():
    from core.model.train import TrainConfig

    assert EPOCHS == TrainConfig().epochs


def test_map_waits():
    assert map_seconds(9375, "umap", projected=True) < map_seconds(9375, "pca") < map_seconds(9375, "umap")
    assert map_seconds(9375, "umap") == pytest.approx(47, rel=0.1)


def test_setup_estimate_of_a_home(tmp_path, built_demo_home):
    from core.config import Settings

    fresh = setup_estimate(Settings.from_env(env={}, home=tmp_path / "fresh"))
    assert fresh.products == 300 and "train" in fresh.seconds  # the demo, not generated yet
    built = setup_estimate(Settings.from_env(env={}, home=built_demo_home))
    assert built.products == 300 and "train" not in built.seconds  # its model fits its catalogue


# -- build delivers counted events for every stage -----------------------------------------------
def test_build_reports_progress_with_units_for_every_stage(built_demo_home, tmp_path):
    from core.config import Settings
    from core.pipeline import build
    from tests.homes import copy_home

    home = tmp_path / "home"
    copy_home(built_demo_home, home)
    events = []
    report = build(Settings.from_env(env={}, home=home), epochs=2, retrain=True, progress=events.append, beat_s=0.05)
    assert report.trained and report.model_dir.name == "lit-v2"

    def units(stage):
        return {e.unit for e in events if e.stage == stage} - {""}

    assert units("prepare") == {"images"}
    assert units("train") == {"epochs"}  # the image features are cached in the copied home
    assert units("index") == {"products"}
    last = {(e.stage, e.unit): e for e in events}
    assert last["prepare", "images"].counts == "300/300 images"
    assert last["train", "epochs"].counts == "2/2 epochs" and last["train", "epochs"].time_left == "done"
    assert last["index", "products"].counts == "300/300 products"
    maps = [e for e in events if e.stage == "map"]
    assert maps and maps[0].expected_s == pytest.approx(map_seconds(300)) and "UMAP" in " ".join(e.label for e in maps)
    assert all(0.0 <= e.fraction <= 1.0 and (e.left_s is None or e.left_s >= 0) and e.text for e in events)
    assert [e.stage for e in events] == sorted((e.stage for e in events), key=["prepare", "train", "index", "map"].index)


def test_feature_extraction_reports_images(built_demo_home, tmp_path):
    """Train's first step, with nothing cached: image features counted as they are computed."""
    from core.config import Settings
    from core.data.catalog import load_catalog
    from core.model.lit import towers
    from core.model.load import build_model
    from core.model.train import warm_features

    settings = Settings.from_env(env={}, home=built_demo_home)
    catalog = load_catalog(settings).head(40)
    model = build_model("lit", cache_dir=tmp_path / "cache")  # an empty feature cache
    reports = []
    warm_features(model, catalog, "productDisplayName", progress=lambda done, total: reports.append((done, total)))
    assert towers(model) and reports[0] == (0, 40) and reports[-1] == (40, 40)


def test_a_new_stage_keeps_the_set_up_box_open(monkeypatch):
    """Streamlit collapses a status box updated without ``expanded`` (seen in Chromium): every stage
    must say expanded=True, so the bar stays in view for the whole set-up."""
    import dashboard.progress as box_module

    calls = []

    class Recorder:
        def progress(self, *args, **kwargs):
            return self

        def update(self, **kwargs):
            calls.append(kwargs)

        def write(self, *args):
            pass

    monkeypatch.setattr(box_module.st, "status", lambda *args, **kwargs: Recorder())
    box = box_module.ProgressBox("Setting up…")
    box.stage("Training the encoder…", "Training")
    box.stage("Indexing…", "Indexing")
    assert calls and all(call.get("expanded") is True for call in calls)


def test_build_can_ship_the_final_model_trained_on_every_labelled_product(built_demo_home, tmp_path, capsys):
    from core.cli.main import main
    from core.model.registry import read_card
    from tests.homes import copy_home

    home = tmp_path / "home"
    copy_home(built_demo_home, home)
    assert main(["build", "--home", str(home), "--epochs", "2", "--retrain", "--final-on-all"]) == 0
    out = capsys.readouterr().out
    assert "then the shipped model on every labelled product" in out and "model lit-v3 (trained now)" in out
    split, final = read_card(home / "models" / "lit-v2"), read_card(home / "models" / "lit-v3")
    assert "every labelled product (300)" in final["trained_on"] and final["figures_from"]["model"] == "lit-v2"
    assert final["data"]["train_products"] == 300 > split["data"]["train_products"]
    assert "indexed 300 products for model lit-v3" in out  # the shipped model is the one indexed
    assert main(["build", "--home", str(home), "--final-on-all"]) == 0  # it fits this catalogue: reused
    assert "model lit-v3 (reused)" in capsys.readouterr().out


def test_build_can_train_the_top_text_layer_and_search_with_it(built_demo_home, tmp_path, capsys):
    from core.cli.main import main
    from core.model.registry import read_card
    from tests.homes import copy_home

    home = tmp_path / "home"
    copy_home(built_demo_home, home)
    assert main(["build", "--home", str(home), "--epochs", "6", "--retrain", "--text-layers", "1"]) == 0
    out = capsys.readouterr().out
    assert "model lit-v2 (trained now)" in out and "indexed 300 products for model lit-v2" in out
    card = read_card(home / "models" / "lit-v2")
    assert card["config"]["lit"]["text_trainable_layers"] == 1 and card["rescoring"] is not None
    assert main(["search", "red t-shirt", "--home", str(home), "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 10 and hits[0]["baseColour"] == "Red" and hits[0]["articleType"] == "Tshirts"
