"""Hard constraints on one product: who it is for, colours and brands to avoid, brands asked for.

``allowed(product, req, slot, relaxed)`` is the single predicate retrieval (``core.stylist.retriever``,
as its post-filter, so alternatives keep every constraint too) and composition (``core.stylist.compose``)
apply: the wearer (``suits_wearer``: a child gets children's products, by catalogue gender or by
name, and Unisex ones only among accessories; an adult never a child's), the excluded colours with
their close shades, the excluded brands; per slot, the brands asked for (``is_brand``) and the
occasion's colours to avoid, unless retrieval relaxed them with a notice. Works on the graph's
product dicts and on index ``Hit`` objects alike. Trade-off: a child's product is recognised by its
catalogue gender or its name ("Kids", "Boy's"), so a child's item filed and named as an adult's
is missed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Sequence

from core.data.brands import brand_of
from core.understanding.colours import with_close_shades

KID_NAME = re.compile(r"\b(?:kids?|kid's|kidswear|infants?|boy'?s?|girl'?s?)\b", re.IGNORECASE)
ADULT_NAME = re.compile(r"\b(?:wo)?m[ae]n'?s?\b", re.IGNORECASE)
CHILD_ACCESSORY_GROUPS = frozenset({"bags", "headwear", "eyewear", "watches", "accessories"})
CHILD_OF = {"Men": "Boys", "Women": "Girls", "Boys": "Boys", "Girls": "Girls"}


def _field(obj: Any, key: str, default: Any = None) -> Any:  # a dict (compose's request) or an object (a Hit)
    return obj.get(key, default) if isinstance(obj, Mapping) else getattr(obj, key, default)


def wearer(req) -> tuple[bool, str | None]:
    """(is the wearer a child, gender): a child's gender is Boys, Girls or None (unknown)."""
    gender = _field(req, "gender")
    child = bool(_field(req, "child")) or gender in ("Boys", "Girls")
    return child, CHILD_OF.get(gender or "") if child else gender


def child_product(product) -> str | None:
    """Boys, Girls or Kids for a child's product (its catalogue gender, or a name such as
    "Doodle Kids Girl Pink Shorts" with no adult word), else None."""
    gender, name = _field(product, "gender"), str(_field(product, "name", ""))
    if gender in ("Boys", "Girls"):
        return gender
    if not KID_NAME.search(name) or ADULT_NAME.search(name):
        return None
    for word, kid in (("girl", "Girls"), ("boy", "Boys")):
        if re.search(rf"\b{word}", name, re.IGNORECASE):
            return kid
    return CHILD_OF.get(gender, "Kids")


def suits_wearer(product, req) -> bool:
    """A child: children's products (of the child's gender when known) and Unisex accessories only;
    an adult: never a child's product, and of their gender or Unisex."""
    child, gender = wearer(req)
    kid = child_product(product)
    if child:
        if kid:
            return gender is None or kid in (gender, "Kids")
        return _field(product, "gender") == "Unisex" and _field(product, "group") in CHILD_ACCESSORY_GROUPS
    if kid:
        return False
    return gender not in ("Men", "Women") or _field(product, "gender") in (gender, "Unisex")


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", "", str(text).lower()).split())


def is_brand(product, brands: Sequence[str]) -> bool:
    """The product's name starts with one of ``brands`` (case and punctuation aside, whole words)."""
    name = str(_field(product, "name", ""))
    label = _fold(brand_of(name) or name)
    return any(label == b or label.startswith(b + " ") for b in map(_fold, brands) if b)


def allowed(product, req, slot: Mapping, relaxed: Collection[str] = ()) -> bool:
    """Every hard constraint on one product of ``slot``: the wearer, the excluded colours (and close
    shades) and brands, the slot's brands and colours to avoid (unless ``relaxed``)."""
    colour, brands = _field(product, "base_colour"), () if "brand" in relaxed else slot.get("brands") or ()
    return (
        colour not in with_close_shades(_field(req, "excluded_colours") or ())
        and ("avoid_colour" in relaxed or colour not in (slot.get("avoid_colours") or ()))
        and not is_brand(product, _field(req, "excluded_brands") or ())
        and (not brands or is_brand(product, brands))
        and suits_wearer(product, req)
    )
