"""The curation rules: near-duplicates, probable label errors and outliers, each with its evidence.

Pure: arrays in, suggestions out. The rules read :class:`CurationInputs`: the image vectors of the
products plus three kinds of text embeddings from the same model: one phrase per articleType
(``"a photo of a t-shirt"``), one per baseColour (``"a photo of something red"``) and each
product's *name*. The name is the independent witness: the description vectors in the index are
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
- **label-error** (one product), articleType: the image is closer to another type's phrase than
  to its own by >= 0.10, at least 7 of its 10 nearest images carry that type and at most 2 its
  own, and its name is also closer to that type's phrase by >= 0.10. baseColour: the image is
  closer to a colour outside its own colour's family (navy and blue, cream and white... never
  count) by >= 0.10, at least 5 of its 10 nearest images are of that colour family, and its name
  says that colour (not as "black dial") and no colour of its own family. "Multi" and "Unknown"
  are never questioned. Both findings on one product make one suggestion.
- **outlier** (one product): among article types with >= 30 products, the mean cosine to its 10
  nearest images of the same type is below 0.50 and in the lowest 1% of its type. On the real
  catalogue these are mostly wrong photos (a belt shown as a kurta, T-shirts shown as briefs).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from core.curation.evidence import (
    UNQUESTIONED_COLOURS,
    family_colours,
    name_numbers,
    name_says,
    name_similarity,
    same_family,
)
from core.model.embedder import normalise

KINDS = ("near-duplicate", "label-error", "outlier")
FLAG_FOR_KIND = {"near-duplicate": "duplicate", "label-error": "wrong-label"}
FORMAT = 1
"""Bump when the rules' code changes in a way that should invalidate cached suggestions."""

ProgressFn = Callable[[str, float], None]


@dataclass(frozen=True)
class Rules:
    """Thresholds of the three rules (defaults tuned on the real catalogue; see module doc)."""

    neighbours: int = 10
    duplicate_cosine: float = 0.975
    duplicate_name_similarity: float = 0.90
    type_margin: float = 0.10
    type_name_margin: float = 0.10
    type_neighbour_share: float = 0.7
    own_neighbour_share_max: float = 0.2
    colour_margin: float = 0.10
    colour_neighbour_share: float = 0.5
    outlier_min_type_size: int = 30
    outlier_max_cosine: float = 0.50
    outlier_max_rank: float = 0.01
    type_phrase: str = "a photo of a {noun}"
    colour_phrase: str = "a photo of something {colour}"

    def key(self) -> str:
        return hashlib.sha1(json.dumps({**asdict(self), "format": FORMAT}, sort_keys=True).encode()).hexdigest()[:12]


DEFAULT_RULES = Rules()
"""The tuned thresholds, shared as every function's default (a frozen dataclass: safe to share)."""


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


@dataclass
class CurationInputs:
    """What the rules read: one row per product, in the same order everywhere.

    ``meta`` has at least ``id``, ``name``, ``articleType``, ``baseColour``, ``gender`` and
    ``image_sha1``; ``images`` and ``names`` are L2-normalised (n, d) arrays; ``type_texts`` and
    ``colour_texts`` map each label to the embedding of its phrase.
    """

    meta: pd.DataFrame
    images: np.ndarray
    names: np.ndarray
    type_texts: dict[str, np.ndarray]
    colour_texts: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        self.meta = self.meta.reset_index(drop=True)
        n = len(self.meta)
        if self.images.shape[0] != n or self.names.shape[0] != n:
            raise ValueError(f"{n} products but {self.images.shape[0]} image and {self.names.shape[0]} name vectors")


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
def near_duplicates(inputs: CurationInputs, rules: Rules = Rules()) -> list[Suggestion]:
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


def label_errors(inputs: CurationInputs, rules: Rules = Rules(),
                 neighbours: np.ndarray | None = None) -> list[Suggestion]:
    """Products whose image, nearest images and name all point to another articleType or colour."""
    meta, images, names = inputs.meta, inputs.images, inputs.names
    n = len(meta)
    if n < 2:
        return []
    if neighbours is None:
        neighbours, _ = nearest_neighbours(images, rules.neighbours)
    k = neighbours.shape[1]
    findings: dict[int, list[tuple[str, float, dict]]] = {}

    # articleType
    types = sorted(inputs.type_texts)
    type_index = {t: i for i, t in enumerate(types)}
    own_types = meta["articleType"].astype(str).tolist()
    if types and all(t in type_index for t in own_types):
        phrases = normalise(np.stack([inputs.type_texts[t] for t in types]))
        image_sims = images @ phrases.T
        name_sims = names @ phrases.T
        own = np.array([type_index[t] for t in own_types])
        neighbour_types = own[neighbours]
        for row in range(n):
            sims = image_sims[row].copy()
            own_sim = float(sims[own[row]])
            sims[own[row]] = -np.inf
            best = int(np.argmax(sims))
            margin = float(sims[best]) - own_sim
            if margin < rules.type_margin:
                continue
            share_best = float(np.mean(neighbour_types[row] == best))
            share_own = float(np.mean(neighbour_types[row] == own[row]))
            name_margin = float(name_sims[row, best] - name_sims[row, own[row]])
            if (share_best < rules.type_neighbour_share or share_own > rules.own_neighbour_share_max
                    or name_margin < rules.type_name_margin):
                continue
            text = (f"articleType: the image is closer to {types[best]!r} ({sims[best]:.2f}) than to its own "
                    f"{types[own[row]]!r} ({own_sim:.2f}); {round(share_best * k)} of its {k} nearest images "
                    f"are {types[best]}; its name {meta['name'][row]!r} also reads closer to "
                    f"{types[best]!r} (+{name_margin:.2f})")
            findings.setdefault(row, []).append((text, margin, {
                "attribute": "articleType", "own": types[own[row]], "proposed": types[best],
                "margin": round(margin, 4), "neighbour_share": share_best, "name_margin": round(name_margin, 4)}))

    # baseColour
    colours = sorted(inputs.colour_texts)
    colour_index = {c: i for i, c in enumerate(colours)}
    own_colours = meta["baseColour"].astype(str).tolist()
    if colours:
        phrases = normalise(np.stack([inputs.colour_texts[c] for c in colours]))
        image_sims = images @ phrases.T
        family = np.array([[same_family(a, b) for b in colours] for a in colours])
        allowed = np.array([[not family[i, j] and colours[j] not in UNQUESTIONED_COLOURS
                             for j in range(len(colours))] for i in range(len(colours))])
        own = np.array([colour_index.get(c, -1) for c in own_colours])
        for row in range(n):
            mine = own[row]
            if mine < 0 or colours[mine] in UNQUESTIONED_COLOURS:
                continue
            sims = np.where(allowed[mine], image_sims[row], -np.inf)
            best = int(np.argmax(sims))
            if not np.isfinite(sims[best]):
                continue
            margin = float(sims[best] - image_sims[row, mine])
            if margin < rules.colour_margin:
                continue
            neighbour_colours = [own[j] for j in neighbours[row]]
            share = float(np.mean([c >= 0 and family[c, best] for c in neighbour_colours]))
            if share < rules.colour_neighbour_share:
                continue
            name = str(meta["name"][row])
            if not name_says(name, colours[best]):
                continue
            if any(name_says(name, c) for c in family_colours(colours[mine], colours)):
                continue
            text = (f"baseColour: the image is closer to {colours[best]!r} ({sims[best]:.2f}) than to its own "
                    f"{colours[mine]!r} ({image_sims[row, mine]:.2f}); {round(share * k)} of its {k} nearest "
                    f"images are {colours[best].lower()}-like; its name {name!r} says "
                    f"{colours[best].lower()!r}, not {colours[mine].lower()!r}")
            findings.setdefault(row, []).append((text, margin, {
                "attribute": "baseColour", "own": colours[mine], "proposed": colours[best],
                "margin": round(margin, 4), "neighbour_share": share}))

    ids = meta["id"].astype("int64").to_numpy()
    out = [
        Suggestion("label-error", (int(ids[row]),), max(f[1] for f in found), "; ".join(f[0] for f in found),
                   {"findings": [f[2] for f in found]})
        for row, found in findings.items()
    ]
    return sorted(out, key=lambda s: (-s.score, s.ids))


def outliers(inputs: CurationInputs, rules: Rules = Rules()) -> list[Suggestion]:
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


def suggest(inputs: CurationInputs, rules: Rules = Rules(), *, progress: ProgressFn | None = None) -> list[Suggestion]:
    """Every suggestion of the three rules, near-duplicates first."""
    progress = progress or (lambda stage, fraction: None)
    progress("Finding near-duplicates", 0.6)
    duplicates = near_duplicates(inputs, rules)
    progress("Finding probable label errors", 0.75)
    neighbours, _ = nearest_neighbours(inputs.images, rules.neighbours)
    errors = label_errors(inputs, rules, neighbours)
    progress("Finding outliers", 0.9)
    return duplicates + errors + outliers(inputs, rules)
