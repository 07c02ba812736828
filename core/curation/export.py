"""Curated products as files: the catalogue rows with their tags, flags and note counts, as CSV
or Parquet bytes (what the screens' download buttons and ``python -m core curate export`` write).

Trade-off accepted: the bytes are built in memory, which is what a download button needs; an
export is therefore held whole in memory once, even when written to a file.
"""

from __future__ import annotations

import io

import pandas as pd

from core.curation.store import CurationStore
from core.errors import FashionError


def export_frame(products: pd.DataFrame, store: CurationStore) -> pd.DataFrame:
    """``products`` (needs an ``id`` column) with ``tags``, ``flags`` and ``notes`` columns added.

    Products without any curation get ``""``, ``""`` and ``0``. To export only the curated
    subset, pass ``products[products.id.isin(store.labels().id)]``.
    """
    if "id" not in products.columns:
        raise FashionError("the products to export need an `id` column")
    labels = store.labels()
    base = products.drop(columns=[c for c in ("tags", "flags", "notes") if c in products.columns])
    base = base.assign(id=base["id"].astype("int64"))
    out = base.merge(labels, on="id", how="left")
    out["tags"] = out["tags"].fillna("").astype(str)
    out["flags"] = out["flags"].fillna("").astype(str)
    out["notes"] = out["notes"].fillna(0).astype("int64")
    return out


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV without the index."""
    return frame.to_csv(index=False).encode("utf-8")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (pyarrow) without the index."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()
