"""The curation rules: near-duplicates, probable label errors and outliers, each with its evidence.

Pure: arrays in, suggestions out. The rules read :class:`CurationInputs` (``core.curation.inputs``):
the image vectors of the products plus three kinds of text embeddings from the same model: one
phrase per articleType (``"a photo of a t-shirt"``), one per baseColour (``"a photo of something
red"``) and each product's *name*; and, where the index stores them, the model's image classifier
scores. The name is the independent witness: the description vectors in the index are
written from the labels themselves, so they would always agree with a wrong label. Reading those
inputs from the index, caching the results and the decisions on them are
``core.curation.suggestions``'s.

The rules, tuned by eye on the 9,375 real products with model ``lit-v2`` (contact sheets of every
band of each score; see the closing note of the curation work for the sample check). Zero-shot
type and colour reading is weak in this model (the image's nearest type phrase is its own only
58% of the time, colour 44%), so a single signal would drown the screen in false alarms; each rule
therefore asks for several independent signals to agree:

- **near-duplicate** (a pair): the two image files are byte-identical (same sha1: the strongest
  evidence, always reported), or image cosine >= 0.975 *and* same articleType, gender and
  baseColour *and* names at least 90% alike and carrying the same numbers. Below ~0.97 same-name
  pairs are mostly different designs sold under one generic name ("Parx Men Black Tie"); shade
  ranges of cosmetics reach 0.99 with one photo for all ("Nail Polish 402" / "404"), hence the
  name and number tests.
- **label-error** (one product): a questioned articleType (type by type, or group by group),
  baseColour or gender, each only where the image and the name agree against the label (see
  ``core.curation.findings``, which owns these). All findings on one product make one suggestion.
- **outlier** (one product): among article types with >= 30 products, the mean cosine to its 10
  nearest images of the same type is below 0.50 and in the lowest 1% of its type. On the real
  catalogue these are mostly wrong photos (a belt shown as a kurta, T-shirts shown as briefs).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.curation.evidence import name_numbers, name_similarity
from core.curation.findings import colour_findings, gender_findings, type_findings
from core.curation.inputs import DEFAULT_RULES, CurationInputs, Rules

KINDS = ("near-duplicate", "label-error", "outlier")
FLAG_FOR_KIND = {"near-duplicate": "duplicate", "label-error": "wrong-label"}
ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class Suggestion:
    """One thing a merchandiser should look at. ``ids`` are sorted; ``key`` names it for decisions."""

    kind: str
    ids: tuple[int, ...]
    score: float
    evidence: str
    details: dict = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return suggestion_key(self.kind, self.ids)

    @property
    def flag(self) -> str | None:
        """The product flag accepting this suggestion sets, if any."""
        return FLAG_FOR_KIND.get(self.kind)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "ids": list(self.ids), "score": self.score,
                "evidence": self.evidence, "details": self.details}

    @classmethod
    def from_dict(cls, data: dict) -> "Suggestion":
        return cls(data["kind"], tuple(int(i) for i in data["ids"]), float(data["score"]),
                   str(data["evidence"]), dict(data.get("details") or {}))


def suggestion_key(kind: str, ids: Sequence[int]) -> str:
    """``near-duplicate:123,456``: the kind and the sorted product ids."""
    return f"{kind}:{','.join(str(i) for i in sorted(int(i) for i in ids))}"


# -- nearest images ----------------------------------------------------------------------------
def nearest_neighbours(vectors: np.ndarray, k: int, *, chunk: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` most similar other rows of each row (cosine on normalised rows), best first."""
    n = len(vectors)
    k = max(0, min(k, n - 1))
    index = np.zeros((n, k), dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    if k == 0:
        return index, sims
    for start in range(0, n, chunk):
        block = vectors[start:start + chunk] @ vectors.T
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -np.inf  # never one's own neighbour
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        top_sims = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        index[start:start + chunk] = np.take_along_axis(top, order, axis=1)
        sims[start:start + chunk] = np.take_along_axis(top_sims, order, axis=1)
    return index, sims


def _pairs_above(vectors: np.ndarray, threshold: float, *, chunk: int = 1024) -> list[tuple[int, int, float]]:
    """Every pair (i < j) with cosine >= threshold."""
    out: list[tuple[int, int, float]] = []
    for start in range(0, len(vectors), chunk):
        block = vectors[start:start + chunk] @ vectors.T
        rows, cols = np.nonzero(block >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist()):
            if start + r < c:
                out.append((start + r, c, float(block[r, c])))
    return out


def _fmt_ids(a: int, b: int) -> str:
    return f"{a} and {b}"


# -- the rules -----------------------------------------------------------------------------------
def near_duplicates(inputs: CurationInputs, rules: Rules = DEFAULT_RULES) -> list[Suggestion]:
    """Pairs with byte-identical image files, or near-identical images of the same labelled thing."""
    meta, images = inputs.meta, inputs.images
    ids = meta["id"].astype("int64").to_numpy()
    found: dict[tuple[int, int], Suggestion] = {}
    for sha, rows in meta.groupby("image_sha1").indices.items():
        if not sha or len(rows) < 2:
            continue
        for x, i in enumerate(rows):
            for j in rows[x + 1:]:
                a, b = sorted((int(ids[i]), int(ids[j])))
                cosine = float(images[i] @ images[j])
                found[(a, b)] = Suggestion(
                    "near-duplicate", (a, b), 1.0,
                    f"identical image file (sha1 {str(sha)[:10]}…) for {_fmt_ids(a, b)}; image cosine "
                    f"{cosine:.3f}; names {meta['name'][i]!r} / {meta['name'][j]!r}",
                    {"reason": "identical-file", "cosine": round(cosine, 4), "sha1": str(sha)},
                )
    for i, j, cosine in _pairs_above(images, rules.duplicate_cosine):
        a, b = sorted((int(ids[i]), int(ids[j])))
        if (a, b) in found:
            continue
        same = all(meta[col][i] == meta[col][j] for col in ("articleType", "gender", "baseColour"))
        similarity = name_similarity(meta["name"][i], meta["name"][j])
        if not same or similarity < rules.duplicate_name_similarity:
            continue
        if name_numbers(meta["name"][i]) != name_numbers(meta["name"][j]):
            continue  # "Lipstick 402" / "Lipstick 404": a shade or model range, one photo for all
        found[(a, b)] = Suggestion(
            "near-duplicate", (a, b), cosine,
            f"image cosine {cosine:.3f} between {_fmt_ids(a, b)}; both {meta['gender'][i]} "
            f"{meta['baseColour'][i]} {meta['articleType'][i]}; names {similarity:.0%} alike: "
            f"{meta['name'][i]!r} / {meta['name'][j]!r}",
            {"reason": "near-identical", "cosine": round(cosine, 4), "name_similarity": round(similarity, 3)},
        )
    return sorted(found.values(), key=lambda s: (s.details["reason"] != "identical-file", -s.score, s.ids))


def label_errors(inputs: CurationInputs, rules: Rules = DEFAULT_RULES,
                 neighbours: np.ndarray | None = None) -> list[Suggestion]:
    """Products whose image and name agree against their articleType, baseColour or gender label."""
    if len(inputs.meta) < 2:
        return []
    if neighbours is None:
        neighbours, _ = nearest_neighbours(inputs.images, rules.neighbours)
    findings: dict[int, list[tuple[str, float, dict]]] = {}
    for find in (type_findings, colour_findings, gender_findings):
        for row, text, score, details in find(inputs, rules, neighbours):
            findings.setdefault(row, []).append((text, score, details))
    ids = inputs.meta["id"].astype("int64").to_numpy()
    out = [
        Suggestion("label-error", (int(ids[row]),), max(f[1] for f in found), "; ".join(f[0] for f in found),
                   {"findings": [f[2] for f in found]})
        for row, found in findings.items()
    ]
    return sorted(out, key=lambda s: (-s.score, s.ids))


def outliers(inputs: CurationInputs, rules: Rules = DEFAULT_RULES) -> list[Suggestion]:
    """Products far from every other product of their own articleType."""
    meta, images = inputs.meta, inputs.images
    ids = meta["id"].astype("int64").to_numpy()
    out: list[Suggestion] = []
    for article_type, rows in meta.groupby("articleType").indices.items():
        if len(rows) < max(rules.outlier_min_type_size, 2):
            continue
        _, sims = nearest_neighbours(images[rows], rules.neighbours)
        k = sims.shape[1]
        mean = sims.mean(axis=1)
        median = float(np.median(mean))
        rank = (pd.Series(mean).rank(method="max").to_numpy()) / len(rows)  # share at or below
        for local in np.nonzero((mean < rules.outlier_max_cosine) & (rank <= rules.outlier_max_rank))[0]:
            row = rows[local]
            others = images @ images[row]
            others[row] = -np.inf
            nearest = int(np.argmax(others))
            out.append(Suggestion(
                "outlier", (int(ids[row]),), float(1.0 - mean[local]),
                f"mean cosine to its {k} nearest {article_type} {mean[local]:.2f} (type median {median:.2f}), "
                f"lowest {rank[local]:.1%} of {len(rows)} {article_type}; nearest product overall "
                f"{int(ids[nearest])} ({meta['articleType'][nearest]}, cosine {others[nearest]:.2f}, "
                f"{meta['name'][nearest]!r})",
                {"mean_cosine": round(float(mean[local]), 4), "type_median": round(median, 4),
                 "rank": round(float(rank[local]), 4), "nearest": int(ids[nearest])},
            ))
    return sorted(out, key=lambda s: (-s.score, s.ids))


def suggest(inputs: CurationInputs, rules: Rules = DEFAULT_RULES, *, progress: ProgressFn | None = None) -> list[Suggestion]:
    """Every suggestion of the three rules, near-duplicates first."""
    progress = progress or (lambda stage, fraction: None)
    progress("Finding near-duplicates", 0.6)
    duplicates = near_duplicates(inputs, rules)
    progress("Finding probable label errors", 0.75)
    neighbours, _ = nearest_neighbours(inputs.images, rules.neighbours)
    errors = label_errors(inputs, rules, neighbours)
    progress("Finding outliers", 0.9)
    return duplicates + errors + outliers(inputs, rules)
