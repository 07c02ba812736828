"""Contrastive pairs: each product's positive description and hard negatives one attribute away.

For every product and every attribute kind (colour, gender, usage) whose value is known, the hard
negative is the description of a *real* product of the same article type whose value for that
attribute differs, preferring one that matches the anchor on the other two attributes (a true
"one attribute swapped" neighbour). When the catalogue has no such product, the negative is
synthesised: the anchor's attribute sentence (without its name, which would contradict the swap)
with the value replaced by another value from the catalogue's vocabulary.
The choice is deterministic (stable hash of anchor and kind). By construction the negative's
attribute value differs from the anchor's, so it never describes the anchor.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from core.data.catalog import UNKNOWN
from core.data.enrich import describe
from core.files import stable_unit

KINDS: dict[str, str] = {"colour": "baseColour", "gender": "gender", "usage": "usage"}
PAIR_COLUMNS = ("anchor_id", "kind", "positive", "negative", "negative_id", "split")


def _pick(options: list, *key: object):
    return options[int(stable_unit("negative", *key) * len(options))]


def _attribute_sentence(row: dict, **swap: str) -> str:
    values = {k: row[k] for k in ("gender", "baseColour", "articleType", "usage", "season")} | swap
    return describe(
        name="", gender=values["gender"], colour=values["baseColour"],
        article_type=values["articleType"], usage=values["usage"], season=values["season"],
    )


def build_pairs(catalog: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """One row per (anchor, kind): columns :data:`PAIR_COLUMNS`, ``negative_id`` -1 when synthesised."""
    records = catalog.to_dict("records")
    by_type: dict[str, list[dict]] = defaultdict(list)
    for row in records:
        by_type[row["articleType"]].append(row)
    vocabulary = {
        column: sorted(v for v in catalog[column].unique() if v != UNKNOWN) for column in KINDS.values()
    }

    # Candidate lists depend only on (type, kind, value[, other values]): memoise them so the cost
    # stays linear in the catalogue instead of quadratic in the largest article type.
    differing_memo: dict[tuple, list[dict]] = {}
    close_memo: dict[tuple, list[dict]] = {}
    out = []
    for row in records:
        siblings = by_type[row["articleType"]]
        for kind, column in KINDS.items():
            value = row[column]
            if value == UNKNOWN:
                continue
            others = tuple(row[c] for c in KINDS.values() if c != column)
            key = (row["articleType"], column, value)
            if key not in differing_memo:
                differing_memo[key] = [s for s in siblings if s[column] not in (value, UNKNOWN)]
            differing = differing_memo[key]
            if key + others not in close_memo:
                close_memo[key + others] = [
                    s for s in differing if tuple(s[c] for c in KINDS.values() if c != column) == others
                ]
            candidates = close_memo[key + others] or differing
            if candidates:
                chosen = _pick(candidates, seed, row["id"], kind)
                negative, negative_id = chosen["description"], int(chosen["id"])
            else:
                pool = [v for v in vocabulary[column] if v != value]
                if not pool:
                    continue  # the whole catalogue has one value for this attribute: no negative exists
                negative = _attribute_sentence(row, **{column: _pick(pool, seed, row["id"], kind)})
                negative_id = -1
            if negative == row["description"]:
                continue  # identical text would teach the model that a product is unlike itself
            out.append((int(row["id"]), kind, row["description"], negative, negative_id, row["split"]))
    pairs = pd.DataFrame(out, columns=list(PAIR_COLUMNS))
    return pairs.astype({"anchor_id": "int64", "negative_id": "int64"})
