"""What the catalogue actually holds, as the planner and analyzer need it.

``CatalogFacts`` is built once from the index's metadata (or the prepared catalogue): the values of
each categorical field and how many products exist per (gender, article type). The planner asks it
"are there Heels for Men?" before searching, so a slot the catalogue cannot fill is reported (and
the nearest article type offered) instead of silently coming back empty.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from core.data.brands import catalogue_brands
from core.data.groups import ARTICLE_TYPE_GROUP, group_of

# Genders a product may have and still suit the person asked for.
COMPATIBLE_GENDERS: dict[str, tuple[str, ...]] = {
    "Men": ("Men", "Unisex"),
    "Women": ("Women", "Unisex"),
    "Boys": ("Boys", "Unisex"),
    "Girls": ("Girls", "Unisex"),
    "Unisex": ("Unisex", "Men", "Women"),
}


def compatible_genders(gender: str | None) -> tuple[str, ...]:
    """The product genders acceptable for a request's gender (empty = any)."""
    return COMPATIBLE_GENDERS.get(gender or "", ())


@dataclass
class CatalogFacts:
    genders: tuple[str, ...] = ()
    article_types: tuple[str, ...] = ()
    colours: tuple[str, ...] = ()
    usages: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    counts: Counter = field(default_factory=Counter)  # (gender, articleType) -> products
    type_group: dict[str, str] = field(default_factory=dict)
    min_price: dict[str, int] = field(default_factory=dict)  # articleType -> cheapest
    low_price: dict[str, int] = field(default_factory=dict)  # articleType -> 25th percentile
    brands: tuple[str, ...] = ()  # canonical brand spellings parsed from product names, commonest first
    colour_counts: Counter = field(default_factory=Counter)  # (gender, articleType, baseColour) -> products

    @classmethod
    def from_records(cls, rows: Iterable[Mapping]) -> "CatalogFacts":
        """From index metadatas or catalogue rows (keys: gender, articleType, baseColour, ...)."""
        counts: Counter = Counter()
        colour_counts: Counter = Counter()
        sets: dict[str, set] = {k: set() for k in ("gender", "articleType", "baseColour", "usage", "season", "group")}
        type_group: dict[str, str] = {}
        min_price: dict[str, int] = {}
        prices: dict[str, list[int]] = {}
        names: list[str] = []
        for row in rows:
            names.append(str(row.get("name") or row.get("productDisplayName") or ""))
            for key, values in sets.items():
                value = row.get(key)
                if value not in (None, "", "Unknown"):
                    values.add(str(value))
            article = str(row.get("articleType", ""))
            counts[(str(row.get("gender", "")), article)] += 1
            colour_counts[(str(row.get("gender", "")), article, str(row.get("baseColour", "")))] += 1
            type_group.setdefault(article, str(row.get("group") or group_of(article)))
            price = row.get("price")
            if price is not None:
                min_price[article] = min(int(price), min_price.get(article, int(price)))
                prices.setdefault(article, []).append(int(price))
        return cls(
            genders=tuple(sorted(sets["gender"])),
            article_types=tuple(sorted(sets["articleType"])),
            colours=tuple(sorted(sets["baseColour"])),
            usages=tuple(sorted(sets["usage"])),
            seasons=tuple(sorted(sets["season"])),
            groups=tuple(sorted(sets["group"])),
            counts=counts,
            type_group=type_group,
            min_price=min_price,
            low_price={t: sorted(p)[len(p) // 4] for t, p in prices.items()},
            colour_counts=colour_counts,
            brands=tuple(b for b, _ in sorted(catalogue_brands(names)[0].items(), key=lambda kv: (-kv[1], kv[0]))),
        )

    @classmethod
    def from_frame(cls, frame) -> "CatalogFacts":
        return cls.from_records(frame.to_dict("records"))

    def group(self, article_type: str) -> str:
        return self.type_group.get(article_type) or ARTICLE_TYPE_GROUP.get(article_type) or group_of(article_type)

    def count(self, article_type: str, gender: str | None = None) -> int:
        genders = compatible_genders(gender) or self.genders
        return sum(self.counts.get((g, article_type), 0) for g in genders)

    def available(self, article_type: str, gender: str | None = None) -> bool:
        return self.count(article_type, gender) > 0

    def has_colour(self, types, gender: str | None, colours) -> bool:
        """Whether any of ``types`` is stocked for ``gender`` in any of ``colours``."""
        genders = compatible_genders(gender) or self.genders
        return any(self.colour_counts.get((g, t, c), 0) for g in genders for t in types for c in colours)

    def types_in_group(self, group: str, gender: str | None = None) -> list[str]:
        """Article types of ``group`` on offer for ``gender``, most stocked first."""
        found = [t for t in self.article_types if self.group(t) == group and self.available(t, gender)]
        return sorted(found, key=lambda t: (-self.count(t, gender), t))
