"""Catalogue rows -> the records the index stores: embedded text, metadata and content hashes.

Every product is stored twice (image and description vectors) with the same metadata, so either
side can be filtered alike. The metadata carries the sha1 of the image file bytes and of the
embedded text: build compares it with what is stored to skip unchanged products, and keys the
embedding cache by it. ``catalog_hash`` fingerprints the whole set for the manifest.

The image side's metadata also carries the product's attribute block under :data:`ATTRIBUTE_KEY`
(written by build, read by ``core.index.rescore``); it is derived from the picture by the model,
not from the catalogue row, so comparisons with a row go through :func:`catalogue_fields`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Sequence

import pandas as pd
from tqdm.auto import tqdm

from core.errors import FashionError
from core.model.features import file_sha1, text_sha1

ATTRIBUTE_KEY = "attribute_block"
"""Image-collection metadata key of a product's stored attribute block (see ``core.index.rescore``)."""

TEXT_COLUMNS = (
    "gender",
    "group",
    "masterCategory",
    "subCategory",
    "articleType",
    "baseColour",
    "season",
    "usage",
)


def product_text(row: dict) -> str:
    """What the text tower embeds for a product: its description, else its name."""
    text = str(row.get("description") or "").strip()
    return text or str(row.get("productDisplayName") or "").strip()


def product_metadata(row: dict, image_hash: str) -> dict:
    """The metadata stored with both vectors of a product (Chroma takes no None values)."""
    meta = {
        "id": int(row["id"]),
        "name": str(row["productDisplayName"]),
        "description": str(row.get("description") or ""),
        **{col: str(row[col]) for col in TEXT_COLUMNS},
        "price": int(row["price"]),
        "image": str(row["image"]),
        "image_sha1": image_hash,
        "text_sha1": text_sha1(product_text(row)),
    }
    year = row.get("year")
    if year is not None and not pd.isna(year):
        meta["year"] = int(year)
    return meta


def catalogue_fields(meta: dict | None) -> dict:
    """Stored metadata without what the model derived (the attribute block): comparable with a record."""
    return {key: value for key, value in (meta or {}).items() if key != ATTRIBUTE_KEY}


def catalog_records(catalog: pd.DataFrame, *, show_progress: bool = True) -> list[dict]:
    """One metadata dict per product, with the image content hash; errors name missing files."""
    rows = catalog.to_dict("records")
    missing = [r["image"] for r in rows if not Path(str(r["image"])).is_file()]
    if missing:
        raise FashionError(
            f"{len(missing)} catalogue images are missing (e.g. {missing[0]}); "
            "re-run `python -m core prepare`"
        )
    hashes = [
        file_sha1(r["image"])
        for r in tqdm(rows, desc="hashing images", unit="img", disable=not show_progress)
    ]
    return [product_metadata(row, h) for row, h in zip(rows, hashes)]


def catalog_hash(records: Sequence[dict]) -> str:
    """sha1 over every record (sorted by id): equal hashes, nothing to re-index."""
    digest = hashlib.sha1()
    for meta in sorted(records, key=lambda m: m["id"]):
        digest.update(json.dumps(meta, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()
