"""``build``: prepare -> train -> index -> map in one call, for the first run (CLI and Home screen).

Each stage reuses what is already there, so a second ``build`` costs seconds: prepare is cheap and
byte-stable; training is skipped when the latest model was trained on this exact
``catalog.parquet`` (its card records the file's SHA-256); indexing is resumable and skips
products already stored for that model version; the default embedding map (image vectors, UMAP and
k-means with the Embedding map screen's default settings) is computed into the same disk cache the
screen reads, so its first visit after set-up draws at once instead of waiting for UMAP.

Progress is reported as :class:`core.reports.progress.ProgressEvent` s with a unit and the time
left (prepare counts images, train image features then epochs, index products; the map, which
cannot count its work, runs against its expected duration from :mod:`core.reports.setup`).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.config import Settings
from core.model.registry import latest_model, trained_on_current_data, version_of
from core.reports.progress import Heartbeat, ProgressEvent, StageProgress
from core.reports.setup import map_seconds

STAGES = ("prepare", "train", "index", "map")
StageFn = Callable[[str, str], None]  # (stage, message)
ProgressFn = Callable[[ProgressEvent], None]
COUNTED = {("prepare", "images"): "Checking images", ("train", "images"): "Image features",
           ("train", "epochs"): "Training", ("index", "products"): "Indexing"}
"""The label of each counted piece of work; the map stage is timed (UMAP cannot count its work)."""


@dataclass(frozen=True)
class BuildReport:
    products: int
    model_dir: Path
    trained: bool
    indexed: int
    index_summary: str
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall time of each stage, in :data:`STAGES` order."""

    def timings(self) -> str:
        """``prepare 2.1 s · train 3 min 58 s · index 59 s · map 21 s``."""
        return " · ".join(f"{stage} {format_seconds(s)}" for stage, s in self.seconds.items())


def format_seconds(seconds: float) -> str:
    """``4.2 s``, ``59 s``, ``3 min 58 s``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def build(settings: Settings, *, epochs: int | None = None, on_stage: StageFn | None = None,
          progress: ProgressFn | None = None, retrain: bool = False, beat_s: float = 1.0,
          final_on_all: bool = False, text_layers: int | None = None) -> BuildReport:
    """Run every stage that is out of date; ``on_stage(stage, message)`` says what starts.
    ``final_on_all``: a training also trains the shipped model on every labelled product
    (:mod:`core.model.final`; its images and epochs are counted again). ``text_layers``: a training
    trains that many top MiniLM layers (``LitConfig.text_trainable_layers``; None = the default, 0).

    ``progress`` receives :class:`~core.reports.progress.ProgressEvent` s: counted work with its unit
    (prepare: images; train: images, then epochs; index: products) and the time left, the map stage
    against its expected duration; every ``beat_s`` seconds the latest event is sent again (from a
    thread) so the time left counts down through steps that report nothing.
    """
    from core.model.load import load_embedder
    from core.index.build import build_index
    from core.data.prepare import prepare
    from core.model.final import train_shipped
    from core.model.train import TrainConfig

    say = on_stage or (lambda stage, message: None)
    bars = StageProgress(progress or (lambda event: None))
    seconds: dict[str, float] = {}
    started = time.perf_counter()

    def stage(name: str, message: str) -> None:
        say(name, message)
        bars.note(name, message, 0.0)

    def lap(name: str) -> None:
        nonlocal started
        seconds[name] = time.perf_counter() - started
        started = time.perf_counter()

    def count(name: str):
        return lambda done, total, unit: bars.count(name, done, total, unit, COUNTED.get((name, unit), unit))

    with Heartbeat(bars.beat, beat_s) if progress is not None else contextlib.nullcontext():
        stage("prepare", "Preparing the catalogue")
        prepared = prepare(settings, progress=lambda done, total, _: count("prepare")(done, total, "images"))
        lap("prepare")

        model_dir = latest_model(settings)
        trained = retrain or not trained_on_current_data(settings, model_dir)
        if trained:
            stage("train", "Training the encoder (features are extracted once, then cached)"
                  + (", then the shipped model on every labelled product" if final_on_all else ""))
            config = TrainConfig(final_on_all=final_on_all, **({} if epochs is None else {"epochs": epochs}))
            if text_layers is not None:
                config.lit.text_trainable_layers = text_layers
            model_dir = train_shipped(settings, config, progress=progress is None, report=count("train")).model_dir
        else:
            stage("train", f"Reusing {model_dir.name}: trained on this catalogue")
        lap("train")

        stage("index", f"Indexing with {model_dir.name}")
        embedder = load_embedder(model_dir, cache_dir=settings.cache_dir)
        report = build_index(settings, embedder, progress=lambda done, total: count("index")(done, total, "products"),
                             show_progress=progress is None)
        embedder.start_query_runtime(wait=300)  # the query encoder's ONNX file is exported now, not at a query
        lap("index")
        bars.expected_s["map"] = map_seconds(prepared.products)
        stage("map", "Computing the default embedding map (UMAP; cached for the Embedding map screen)")
        precompute_map(settings, version_of(model_dir), embedder.encode_texts,
                       progress=lambda step, fraction: bars.note("map", step, fraction))
        lap("map")
    return BuildReport(prepared.products, model_dir, trained, prepared.products, report.summary(), seconds)


def precompute_map(settings: Settings, version: str, encode_texts, *, progress=None):
    """The Embedding map screen's default map (image vectors, default projection and clusters), into
    its disk cache; a map already cached costs a read. Returns the :class:`core.explore.map.EmbeddingMap`."""
    from core.data.catalog import load_catalog
    from core.explore.clusters import ClusterParams
    from core.explore.map import build_map
    from core.explore.projection import ProjectionParams
    from core.explore.vectors import load_vectors

    catalog = load_catalog(settings) if settings.catalog_parquet.exists() else None
    vectors = load_vectors(settings, version, "image", known_ids=None if catalog is None else catalog["id"].to_numpy())
    return build_map(vectors, ProjectionParams(), ClusterParams(), cache_dir=settings.projections_dir, catalog=catalog,
                     encode_texts=encode_texts, progress=progress, jit_cache_dir=settings.jit_cache_dir)
