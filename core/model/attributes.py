"""Attribute-aware re-scoring of text→image matches (brand, colour, article type, gender).

The dual encoder's cosine misses what a product name spells out exactly: on the shared catalogue
most of its rank-1 misses have the wrong colour, type or gender, and the brand, which the name
always starts with, is barely used. This module adds calibrated classifiers and scores

    score(query, image) = cos(q, e) + weight × Σ_a  Σ_v  P_a(v | query) · max(0, log(P_a(v | image) / eps))

- image side: an MLP per attribute over the frozen tower features (standardised), trained with
  cross-entropy next to the contrastive loss (the classifiers live in the loss while training and
  are saved beside the model as ``attribute_scorer.safetensors`` + ``attribute_scorer.json``);
- query side: brand, colour and gender are read from the text itself (whole-word phrases of the
  catalogue's own values, longest first; a query that names none contributes nothing for that
  attribute), the article type by an MLP over the text tower's pooled features.

The score is an inner product of two extended vectors, ``[q, √w·P(query)]·[e, √w·block(image)]``,
so evaluation ranks with plain matrix products and search re-scores the embedding's top
candidates. ``eps`` bounds the image block (no class below ``eps`` contributes).

The image blocks are per-product constants: ``python -m core index`` stores them with the index
(``core.index.rescore``), tagged with :attr:`AttributeScorer.fingerprint`, so a search never
classifies a picture. Light to import: torch and pandas are imported when used.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.data.brands import brand_aliases, brand_of
from core.errors import FashionError

ATTRIBUTES = ("brand", "baseColour", "articleType", "gender")
WORD_ATTRIBUTES = ("brand", "baseColour", "gender")  # read from the query text
GENDER_SYNONYMS = {
    "Men": ("men", "man", "mens", "men's", "male", "gents"),
    "Women": ("women", "woman", "womens", "women's", "female", "ladies", "lady"),
    "Boys": ("boys", "boy", "kids"),
    "Girls": ("girls", "girl", "kids"),
    "Unisex": ("unisex",),
}
COLOUR_SYNONYMS = {"Grey": ("gray",), "Multi": ("multicolour", "multicolor", "multi-colour")}
# brands spelled like everyday words ("AND", "Basics") are only read from a query in their own casing
COMMON_WORDS = frozenset({"and", "the", "of", "for", "by", "in", "on", "with", "a", "an", "or", "basics", "basic",
                          "classic", "free", "style", "urban", "casual", "formal", "sport", "sports", "party"})
CONFIG_FILE = "attribute_scorer.json"
WEIGHTS_FILE = "attribute_scorer.safetensors"
UNKNOWN = "Unknown"

if TYPE_CHECKING:  # pandas is only needed to train: imported where used
    import pandas as pd


def attribute_values(catalog: pd.DataFrame, attribute: str) -> pd.Series:
    """One attribute per catalogue row (``brand`` parsed from the name); None where unknown."""
    import pandas as pd

    if attribute == "brand":
        return catalog["productDisplayName"].map(brand_of)
    return catalog[attribute].map(lambda v: None if pd.isna(v) or v in (UNKNOWN, "") else str(v))


@dataclass
class Vocabulary:
    """The classes of each attribute, as seen in the training split (brands canonicalised)."""

    values: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # parsed brand -> canonical brand

    @classmethod
    def from_catalog(cls, catalog: pd.DataFrame, *, split: str | None = "train", min_count: int = 1) -> "Vocabulary":
        rows = catalog if split is None or "split" not in catalog.columns else catalog[catalog["split"] == split]
        values, aliases = {}, {}
        for attribute in ATTRIBUTES:
            counts = attribute_values(rows, attribute).value_counts()
            if attribute == "brand":
                aliases = brand_aliases({str(v): int(n) for v, n in counts.items()})
                counts = counts.groupby(lambda v, aliases=aliases: aliases[str(v)]).sum()
            values[attribute] = sorted(str(v) for v, n in counts.items() if n >= min_count)
        return cls(values, aliases)

    def canonical(self, attribute: str, value: str | None) -> str | None:
        if attribute == "brand" and value is not None:
            return self.aliases.get(value, value)
        return value

    def synonyms(self) -> dict[str, tuple[str, ...]]:
        """Every other spelling of each canonical brand (matched in queries as that brand)."""
        found: dict[str, list[str]] = {}
        for alias, brand in self.aliases.items():
            if alias != brand:
                found.setdefault(brand, []).append(alias)
        return {brand: tuple(sorted(spellings)) for brand, spellings in found.items()}

    def sizes(self) -> list[int]:
        return [len(self.values[a]) for a in ATTRIBUTES]

    def labels(self, catalog: pd.DataFrame) -> np.ndarray:
        """(rows, 4) class ids in :data:`ATTRIBUTES` order; -1 = unknown or unseen in training."""
        columns = []
        for attribute in ATTRIBUTES:
            index = {v: i for i, v in enumerate(self.values[attribute])}
            canonical = attribute_values(catalog, attribute).map(lambda v, a=attribute: self.canonical(a, v))
            columns.append(canonical.map(lambda v, index=index: index.get(v, -1)).to_numpy())
        return np.stack(columns, axis=1).astype(np.int64)


class PhraseMatcher:
    """Finds an attribute's values named in a text: whole words, case-insensitive, longest first."""

    def __init__(self, values: Sequence[str], synonyms: dict[str, tuple[str, ...]] | None = None,
                 exact_case: frozenset[str] = frozenset()):
        """``exact_case``: casefolded phrases matched only as spelled in ``values`` (e.g. the brand "AND")."""
        self.values = list(values)
        phrases: dict[str, set[int]] = {}
        exact: dict[str, set[int]] = {}
        for index, value in enumerate(self.values):
            for phrase in (value, *(synonyms or {}).get(value, ())):
                key = " ".join(phrase.casefold().split())
                if key in exact_case:
                    exact.setdefault(" ".join(phrase.split()), set()).add(index)
                elif key:
                    phrases.setdefault(key, set()).add(index)
        self.phrases = {k: sorted(v) for k, v in phrases.items() if v}
        self.exact = {k: sorted(v) for k, v in exact.items() if v}
        self.patterns = [(self._compile(self.phrases, re.IGNORECASE), True), (self._compile(self.exact, 0), False)]

    @staticmethod
    def _compile(phrases: dict[str, list[int]], flags: int):
        if not phrases:
            return None
        body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
        return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", flags)

    def match(self, text: str) -> list[int]:
        """Indices of the values named in ``text`` (each once, in order of appearance)."""
        hits = []
        for pattern, folded in self.patterns:
            if pattern is not None:
                table = self.phrases if folded else self.exact
                for hit in pattern.finditer(str(text)):
                    phrase = " ".join(hit.group(0).split())
                    hits.append((hit.start(), table.get(phrase.casefold() if folded else phrase, [])))
        found: list[int] = []
        for _, indices in sorted(hits, key=lambda h: h[0]):
            for index in indices:
                if index not in found:
                    found.append(index)
        return found

    def distribution(self, text: str) -> np.ndarray:
        """Uniform over the values named in ``text``; all zeros when it names none."""
        out = np.zeros(len(self.values), np.float32)
        found = self.match(text)
        if found:
            out[found] = 1.0 / len(found)
        return out


def _torch():
    import torch
    from torch import nn

    return torch, nn


def _byte_dropout():
    torch, nn = _torch()

    class ByteDropout(nn.Module):
        """Dropout whose mask comes from random bytes: ``p`` rounded to 1/256 (0.2 drops 51/256), kept
        units scaled by 1/(1 - that); five times cheaper than ``nn.Dropout`` on CPU, where drawing one
        float per unit took a quarter of a training step. Seeded by torch's generator, as it is."""

        def __init__(self, p: float):
            super().__init__()
            self.cut = round(256 * p)

        def forward(self, x):
            if not self.training or self.cut == 0:
                return x
            keep = torch.empty(x.shape, dtype=torch.uint8, device=x.device).random_(0, 256) >= self.cut
            return x * keep * (256 / (256 - self.cut))

    return ByteDropout


def _build_module(vocab: Vocabulary, image_dim: int, text_dim: int, hidden: dict[str, int], dropout: float):
    torch, nn = _torch()
    Dropout = _byte_dropout()  # noqa: N806 - a class

    class Scorer(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("image_mean", torch.zeros(image_dim))
            self.register_buffer("image_std", torch.ones(image_dim))
            self.image_heads = nn.ModuleDict({
                attribute: nn.Sequential(
                    Dropout(dropout), nn.Linear(image_dim, hidden[attribute]), nn.GELU(),
                    Dropout(dropout), nn.Linear(hidden[attribute], max(len(vocab.values[attribute]), 1)),
                )
                for attribute in ATTRIBUTES
            })
            self.text_type = nn.Sequential(
                nn.Linear(text_dim, hidden["text"]), nn.GELU(), Dropout(dropout),
                nn.Linear(hidden["text"], max(len(vocab.values["articleType"]), 1)),
            )

        def image_logits(self, features):
            x = (features - self.image_mean) / self.image_std
            return {attribute: head(x) for attribute, head in self.image_heads.items()}

    return Scorer()


class AttributeScorer:
    """Attribute classifiers + query parsing; see the module docstring. Torch is imported lazily."""

    def __init__(self, vocab: Vocabulary, image_dim: int, text_dim: int, *, weight: float = 0.03, eps: float = 1e-4,
                 hidden: dict[str, int] | None = None, dropout: float = 0.2):
        self.vocab = vocab
        self.image_dim, self.text_dim = int(image_dim), int(text_dim)
        self.weight, self.eps, self.dropout = float(weight), float(eps), float(dropout)
        self.hidden = dict(hidden or {"brand": 1024, "baseColour": 512, "articleType": 512, "gender": 512, "text": 512})
        self.module = _build_module(vocab, self.image_dim, self.text_dim, self.hidden, self.dropout)
        self.matchers = {
            "brand": PhraseMatcher(vocab.values["brand"], vocab.synonyms(), exact_case=COMMON_WORDS),
            "baseColour": PhraseMatcher(vocab.values["baseColour"], COLOUR_SYNONYMS),
            "gender": PhraseMatcher(vocab.values["gender"], GENDER_SYNONYMS),
        }

    @property
    def width(self) -> int:
        """Columns added to each vector: one per class of every attribute."""
        return sum(max(len(self.vocab.values[a]), 1) for a in ATTRIBUTES)

    @cached_property
    def fingerprint(self) -> str:
        """16 hex digits naming what the image blocks depend on: the classes, ``eps`` and the image
        classifiers' weights (not ``weight``, which applies at query time, nor the text side).

        Stored image blocks tagged with another fingerprint are stale. Computed once (a sha1 over
        a few MB of weights); a scorer being trained must not be fingerprinted before it is done.
        """
        digest = hashlib.sha1(json.dumps({"vocab": self.vocab.values, "aliases": self.vocab.aliases, "eps": self.eps,
                                          "image_dim": self.image_dim,
                                          "hidden": {a: self.hidden.get(a) for a in ATTRIBUTES}}, sort_keys=True).encode())
        for name, tensor in sorted(self.module.state_dict().items()):
            if name.startswith(("image_mean", "image_std", "image_heads.")):
                digest.update(name.encode())
                digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
        return digest.hexdigest()[:16]

    # -- training support ----------------------------------------------------------------------
    def set_image_stats(self, features: np.ndarray) -> None:
        """Standardise the image features with the training split's mean and deviation."""
        torch, _ = _torch()
        features = np.asarray(features, np.float32)
        self.module.image_mean.copy_(torch.from_numpy(features.mean(0)))
        self.module.image_std.copy_(torch.from_numpy(np.maximum(features.std(0), 1e-4)))

    def loss(self, image_features, text_features, labels):
        """Mean cross-entropy of the four image classifiers and the text's article type.

        ``labels``: (batch, 4) class ids in :data:`ATTRIBUTES` order, -1 = unknown.
        """
        torch, nn = _torch()
        total = image_features.new_zeros(())
        logits = self.module.image_logits(image_features)
        terms = 0
        for column, attribute in enumerate(ATTRIBUTES):
            wanted = labels[:, column]
            if (wanted >= 0).any():
                total = total + nn.functional.cross_entropy(logits[attribute], wanted, ignore_index=-1)
                terms += 1
        wanted = labels[:, ATTRIBUTES.index("articleType")]
        if text_features is not None and (wanted >= 0).any():
            total = total + nn.functional.cross_entropy(self.module.text_type(text_features), wanted, ignore_index=-1)
            terms += 1
        return total / max(terms, 1)

    # -- scoring ---------------------------------------------------------------------------------
    def image_blocks(self, features: np.ndarray, batch_size: int = 2048) -> np.ndarray:
        """(n, width) ``max(0, log(P(v | image) / eps))`` per attribute class, concatenated."""
        torch, _ = _torch()
        self.module.eval()
        parts = []
        with torch.no_grad():
            x = torch.as_tensor(np.asarray(features, np.float32))
            for start in range(0, len(x), batch_size):
                logits = self.module.image_logits(x[start : start + batch_size])
                blocks = [torch.clamp(torch.log_softmax(logits[a], -1) - np.log(self.eps), min=0) for a in ATTRIBUTES]
                parts.append(torch.cat(blocks, 1).numpy())
        return np.concatenate(parts) if parts else np.zeros((0, self.width), np.float32)

    def text_distributions(self, texts: Sequence[str], features: np.ndarray) -> np.ndarray:
        """(n, width) what each query asks for: named brand / colour / gender, predicted type."""
        torch, _ = _torch()
        self.module.eval()
        with torch.no_grad():
            types = torch.softmax(self.module.text_type(torch.as_tensor(np.asarray(features, np.float32))), -1).numpy()
        rows = []
        for text, type_probs in zip(texts, types):
            parts = []
            for attribute in ATTRIBUTES:
                if attribute == "articleType":
                    parts.append(type_probs.astype(np.float32))
                else:
                    parts.append(self.matchers[attribute].distribution(text))
            rows.append(np.concatenate(parts))
        return np.stack(rows) if rows else np.zeros((0, self.width), np.float32)

    def extend(self, vectors: np.ndarray, attributes: np.ndarray, weight: float | None = None) -> np.ndarray:
        """``[vectors, √weight · attributes]``: inner products of extended vectors are the score."""
        weight = self.weight if weight is None else weight
        vectors, attributes = np.asarray(vectors), np.asarray(attributes)
        width = vectors.shape[1]
        out = np.empty((len(vectors), width + attributes.shape[1]), np.float32)  # no temporaries: 35k rows are 100+ MB
        out[:, :width] = vectors
        np.multiply(attributes, np.float32(np.sqrt(max(weight, 0.0))), out=out[:, width:], casting="unsafe")
        return out

    def describe(self, text: str) -> dict[str, list[str]]:
        """The brand / colour / gender values a query names (for explanations and tests)."""
        return {a: [self.vocab.values[a][i] for i in self.matchers[a].match(text)] for a in WORD_ATTRIBUTES}

    # -- persistence -----------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {"vocab": self.vocab.values, "aliases": self.vocab.aliases, "image_dim": self.image_dim, "text_dim": self.text_dim,
                "weight": self.weight, "eps": self.eps, "hidden": self.hidden, "dropout": self.dropout}

    def save(self, folder: str | Path) -> None:
        from safetensors.torch import save_file

        folder = Path(folder)
        (folder / CONFIG_FILE).write_text(json.dumps(self.config(), indent=1))
        save_file({k: v.contiguous() for k, v in self.module.state_dict().items()}, str(folder / WEIGHTS_FILE))

    @classmethod
    def load(cls, folder: str | Path) -> "AttributeScorer | None":
        """The scorer saved with a model, or None when the model has none (older versions, CLIP)."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        folder = Path(folder)
        if not (folder / CONFIG_FILE).is_file():
            return None
        try:
            config = json.loads((folder / CONFIG_FILE).read_text())
            scorer = cls(Vocabulary(config["vocab"], config.get("aliases", {})), config["image_dim"], config["text_dim"],
                         weight=config["weight"], eps=config["eps"], hidden=config["hidden"], dropout=config["dropout"])
            scorer.module.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
        except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as error:
            raise FashionError(f"cannot load the attribute scorer in {folder}: {error}") from error
        scorer.module.eval()
        return scorer
