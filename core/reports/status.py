"""What state the pipeline is in, for the Home screen and ``python -m core status``-like summaries.

Reads only the small files each stage leaves behind (``report.json`` today; model cards and the
index manifest as those stages land), never the large ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.config import Settings
from core.index.manifest import read_manifest
from core.index.store import collection_name, get_existing, open_client, store_location
from core.model.registry import latest_model, read_card, trained_on_current_data, version_of
from core.reports.figures import Figures, Rescoring, rescoring_verdict, served_figures


@dataclass(frozen=True)
class CatalogSummary:
    source: str
    path: str
    products: int
    rows_read: int
    recovered: int
    skipped: dict[str, int]
    groups: dict[str, int]
    genders: dict[str, int]
    splits: dict[str, int]
    price_median: int


def catalog_summary(settings: Settings) -> CatalogSummary | None:
    """The prepared catalogue's headline figures, or ``None`` when prepare has not run yet."""
    if not settings.report_json.is_file():
        return None
    report = json.loads(settings.report_json.read_text())
    dist = report["distributions"]
    return CatalogSummary(
        source=report["source"],
        path=report["catalog"],
        products=report["products"],
        rows_read=report["rows_read"],
        recovered=len(report["recovered_lines"]),
        skipped=report["skipped"],
        groups=dist["group"],
        genders=dist["gender"],
        splits=dist["split"],
        price_median=report["price"]["median"],
    )


@dataclass(frozen=True)
class ModelSummary:
    version: str
    path: str
    backend: str
    test_r1: float | None
    test_r10: float | None
    trained_on_current_data: bool
    test: Figures | None = None  # what search serves, with queries, gallery and intervals
    rescoring: Rescoring | None = None  # None: a model without attribute classifiers


def model_summary(settings: Settings) -> ModelSummary | None:
    """The latest model's version and test Recall@1/10 (with what they rest on, and the re-scoring
    verdict), or ``None`` when none is trained."""
    folder = latest_model(settings)
    if folder is None:
        return None
    card = read_card(folder)
    after = card.get("metrics_after") or {}
    return ModelSummary(
        version=version_of(folder), path=str(folder), backend=card.get("backend", "?"),
        test_r1=after.get("t2i_r1"), test_r10=after.get("t2i_r10"),
        trained_on_current_data=trained_on_current_data(settings, folder),
        test=served_figures(card), rescoring=rescoring_verdict(card),
    )


@dataclass(frozen=True)
class IndexSummary:
    store: str
    model_version: str
    status: str  # "complete", "building" (interrupted), or "missing"
    items: int


def index_summary(settings: Settings, model_version: str, *, client=None) -> IndexSummary:
    """How many products the store holds for ``model_version`` and whether the last run finished."""
    location = store_location(settings)
    client = client or open_client(settings, location=location)
    collection = get_existing(client, collection_name(model_version, "image"))
    if collection is None:
        return IndexSummary(location.describe(), model_version, "missing", 0)
    manifest = read_manifest(collection) or {}
    return IndexSummary(location.describe(), model_version, manifest.get("status", "building"), collection.count())
