"""``build`` leaves the Embedding map screen's default map in its cache (core.pipeline.precompute_map)."""

from __future__ import annotations

from core.config import Settings
from core.explore.clusters import ClusterParams
from core.explore.map import build_map
from core.explore.projection import ProjectionParams
from core.explore.vectors import load_vectors
from core.model.registry import latest_model, version_of
from core.pipeline import STAGES


def test_build_precomputes_the_default_map(built_demo_home):
    settings = Settings.from_env(env={}, home=built_demo_home)
    version = version_of(latest_model(settings))
    vectors = load_vectors(settings, version, "image")
    reported = []
    emap = build_map(vectors, ProjectionParams(), ClusterParams(), cache_dir=settings.projections_dir,
                     progress=lambda stage, fraction: reported.append(stage))
    assert emap.projection.cached and emap.clustering is not None
    assert reported == []  # nothing left to compute: the screen's first visit draws at once
    assert STAGES[-1] == "map"


def test_build_reports_each_stage_and_its_time(built_demo_home, tmp_path):
    from core.pipeline import build
    from tests.homes import copy_home

    home = tmp_path / "home"
    copy_home(built_demo_home, home)
    stages = []
    report = build(Settings.from_env(env={}, home=home), epochs=6, on_stage=lambda stage, _: stages.append(stage))
    assert report.products == 300 and report.model_dir.is_dir()
    assert list(report.seconds) == stages == list(STAGES) and all(s >= 0 for s in report.seconds.values())
    assert report.timings().startswith("prepare ") and " · map " in report.timings()


def test_stage_times_read_as_people_say_them():
    from core.pipeline import format_seconds

    assert [format_seconds(s) for s in (0.04, 4.25, 59.4, 61, 238.6)] == ["0.0 s", "4.2 s", "59 s", "1 min 1 s", "3 min 59 s"]
