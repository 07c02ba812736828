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
