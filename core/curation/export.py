"""Curated products as files: the catalogue rows with their tags, flags and note counts, as CSV
or Parquet bytes (what the screens' download buttons and ``python -m core curate export`` write).

The catalogue's prices are simulated (``core.data.enrich``): an export names its price column
:data:`PRICE_COLUMN` (``simulated_price_inr``), so a file read far from this project still says so.

Trade-off accepted: the bytes are built in memory, which is what a download button needs; an
export is therefore held whole in memory once, even when written to a file.
"""

from __future__ import annotations

import io

import pandas as pd

from core.curation.store import CurationStore
from core.errors import FashionError

PRICE_COLUMN = "simulated_price_inr"
PRICE_NOTE = "Simulated price in INR: the source catalogue has no prices."


def export_frame(products: pd.DataFrame, store: CurationStore) -> pd.DataFrame:
    """``products`` (needs an ``id`` column) with ``tags``, ``flags`` and ``notes`` columns added,
    and ``price`` renamed :data:`PRICE_COLUMN`.

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
    return out.rename(columns={"price": PRICE_COLUMN})


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV without the index."""
    return frame.to_csv(index=False).encode("utf-8")


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (pyarrow) without the index; the price column carries :data:`PRICE_NOTE` as its
    field metadata (``note``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    if PRICE_COLUMN in table.column_names:
        i = table.schema.get_field_index(PRICE_COLUMN)
        table = table.set_column(i, table.schema.field(i).with_metadata({"note": PRICE_NOTE}), table.column(i))
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
