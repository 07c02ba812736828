"""How long the first-run set-up (``core.pipeline.build``) will take, said before it starts.

Owns :func:`estimate_setup` (seconds per stage from the number of products and the training
epochs) and :func:`setup_estimate` (the same for a home: its catalogue's size, and training only
when the latest model was not trained on this catalogue), and :func:`map_seconds`, the expected
duration of a map the Embedding map screen has to compute (UMAP cannot report its own progress).

The rates were measured on a 2-core machine with nothing cached: the 300-product demo took about
53 s (prepare 2.3 s, train 12 s, index 3.1 s, map 27 s, plus loading the libraries), 9,375
products about 6 min (prepare 6.5 s; train 229 s: image features at about 100 images/s, then
118 s for 20 epochs; index 62 s; map 47 s). Each stage is a fixed cost plus a cost per product.
Trade-off accepted: a faster machine or a warm feature cache finishes sooner than it says; the
text says "about" and the progress bar then measures the real rates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.config import Settings
from core.reports.progress import about

STAGES = ("prepare", "train", "index", "map")
EPOCHS = 20
"""The training default (``core.model.train.TrainConfig.epochs``; a test keeps them equal)."""
STARTUP_S = 8.0
"""Loading torch, the towers and the vector store, outside every stage's clock."""
RATES: dict[str, tuple[float, float]] = {
    "prepare": (2.2, 0.00046),  # (fixed s, s per product): reading, checking every image
    "index": (1.2, 0.0065),  # encoding (cached features) and storing every product
    "map": (26.0, 0.0022),  # numba's first compile dominates small maps
}
TRAIN_FIXED_S = 4.0
FEATURE_S_PER_PRODUCT = 0.0118  # frozen image tower at ~100 images/s, plus the text tower
EPOCH_S_PER_PRODUCT = 0.00063  # one epoch of the heads, with its validation
PCA_S_PER_POINT = 0.0001
CLUSTER_S_PER_POINT = 0.0003


@dataclass(frozen=True)
class SetupEstimate:
    products: int
    seconds: dict[str, float] = field(default_factory=dict)
    """Expected seconds of each stage that will run, in :data:`STAGES` order."""

    @property
    def total_s(self) -> float:
        return sum(self.seconds.values()) + (STARTUP_S if self.seconds else 0.0)

    def text(self) -> str:
        """``"about 50 s for 300 products (prepare: a few seconds, train: 10 s, index: a few seconds, map: 25 s)"``."""
        if not self.products:
            return "a few minutes, depending on the catalogue's size"
        stages = ", ".join(f"{stage}: {about(s)}" for stage, s in self.seconds.items())
        return f"about {about(self.total_s)} for {self.products:,} products ({stages})"


def estimate_setup(products: int, *, epochs: int = EPOCHS, train: bool = True,
                   stages: tuple[str, ...] = STAGES) -> SetupEstimate:
    """Expected seconds of ``stages`` for ``products`` products (``train=False``: the model is reused)."""
    seconds = {}
    for stage in stages:
        if stage == "train":
            if train:
                seconds[stage] = TRAIN_FIXED_S + products * (FEATURE_S_PER_PRODUCT + epochs * EPOCH_S_PER_PRODUCT)
        else:
            fixed, per_product = RATES[stage]
            seconds[stage] = fixed + per_product * products
    return SetupEstimate(products, seconds)


def map_seconds(points: int, method: str = "umap", *, projected: bool = False) -> float:
    """Expected seconds to draw a map of ``points`` products not cached yet (``projected``: only its
    clusters are missing)."""
    clusters = 0.5 + CLUSTER_S_PER_POINT * points
    if projected:
        return clusters
    fixed, per_point = RATES["map"] if method == "umap" else (0.5, PCA_S_PER_POINT)
    return fixed + per_point * points + (0 if method == "umap" else clusters)


def catalogue_size(settings: Settings) -> int:
    """Products in the prepared catalogue, else rows of the raw ``styles.csv`` (0 when unknown)."""
    from core.reports.status import catalog_summary

    summary = catalog_summary(settings)
    if summary is not None:
        return summary.products
    if settings.styles_csv.is_file():
        with settings.styles_csv.open("rb") as handle:
            return max(sum(1 for _ in handle) - 1, 0)
    if settings.uses_demo:
        from core.data.demo.generate import DEFAULT_SIZE

        return DEFAULT_SIZE
    return 0


def setup_estimate(settings: Settings, *, epochs: int = EPOCHS) -> SetupEstimate:
    """What ``build`` would take in this home now: training only if the latest model does not fit."""
    from core.model.registry import latest_model, trained_on_current_data

    needs_training = not trained_on_current_data(settings, latest_model(settings))
    return estimate_setup(catalogue_size(settings), epochs=epochs, train=needs_training)


def map_wait_s(vectors, params, cache_dir) -> float:
    """Expected seconds before the Embedding map screen can draw ``vectors`` with projection
    ``params`` (a :class:`core.explore.projection.ProjectionParams`): only the clusters when the
    projection is cached already."""
    from core.explore.projection import cached_projection

    projected = cached_projection(vectors, params, cache_dir) is not None
    return map_seconds(len(vectors), params.method, projected=projected)
