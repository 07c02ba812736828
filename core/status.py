"""What state the pipeline is in, for the Home screen and ``python -m core status``-like summaries.

Reads only the small files each stage leaves behind (``report.json`` today; model cards and the
index manifest as those stages land), never the large ones.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from core.config import Settings


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
