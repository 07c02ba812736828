"""``Product``: the one shape of a product record between core and the screens.

The catalogue (``prepare``'s parquet) and the index metadata spell their columns in the Kaggle
dataset's camelCase (``productDisplayName``, ``baseColour``, ``articleType``); Python code reads
snake_case attributes. The translation happens here, once: ``Product.from_row`` takes a catalogue
row, ``Product.from_metadata`` the metadata stored with a vector, ``Product.from_dict`` the plain
snake_case dicts the stylist graph keeps. Search hits and stylist picks are ``Product`` subclasses
that add their own fields (a score, a slot), so a product card takes any of them.

Lenient by design: a missing or empty column becomes ``""`` / ``0`` / ``None`` rather than an
error, because the screens also show stubs ("product 123 (not in the catalogue)").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

# Product field -> catalogue / index metadata column, for the fields whose names differ.
CAMEL_CASE = {
    "article_type": "articleType",
    "base_colour": "baseColour",
    "master_category": "masterCategory",
    "sub_category": "subCategory",
}


@dataclass(frozen=True)
class Product:
    """One catalogue product. Example: ``Product.from_row(catalog.iloc[0].to_dict()).base_colour``."""

    id: int
    name: str
    gender: str
    group: str
    article_type: str
    base_colour: str
    price: int
    image: str
    description: str = ""
    master_category: str = ""
    sub_category: str = ""
    season: str = ""
    usage: str = ""
    year: int | None = None

    @classmethod
    def from_row(cls, row: Mapping, **extra: Any):
        """From a catalogue row (camelCase columns, the name in ``productDisplayName``).

        ``extra`` fills a subclass's own fields: ``Hit.from_row(row, score=0.9)``.
        """
        return cls(**_product_fields(row, "productDisplayName", CAMEL_CASE), **extra)

    @classmethod
    def from_metadata(cls, meta: Mapping, **extra: Any):
        """From the metadata stored with a product's vectors (camelCase, the name in ``name``)."""
        return cls(**_product_fields(meta, "name", CAMEL_CASE), **extra)

    @classmethod
    def from_dict(cls, data: Mapping, **extra: Any):
        """From a snake_case mapping (``Product.as_dict()``, a stylist pick); other keys are ignored."""
        return cls(**_product_fields(data, "name", {}), **extra)

    def as_dict(self) -> dict[str, Any]:
        """The product's own fields (not a subclass's), snake_case."""
        return {spec.name: getattr(self, spec.name) for spec in fields(Product)}


def _product_fields(source: Mapping, name_key: str, columns: Mapping[str, str]) -> dict[str, Any]:
    def get(field_name: str, default: Any = "") -> Any:
        value = source.get(columns.get(field_name, field_name))
        return default if value is None else value

    return {
        "id": int(source["id"]),
        "name": str(get(name_key)),
        **{key: str(get(key)) for key in ("gender", "group", "article_type", "base_colour", "image",
                                          "description", "master_category", "sub_category", "season", "usage")},
        "price": int(get("price", 0)),
        "year": _year(source.get("year")),
    }


def _year(value: Any) -> int | None:
    """An int, or None for a missing one (None, NaN, pandas' NA)."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
