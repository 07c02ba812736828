"""Curation suggestions for an index: the rules' inputs read from it, the results cached, the decisions.

Owns reading the index's stored image vectors of one model version (``read_all`` on
``collection_name(version, "image")``, with the stored metadata and the image classifier's scores
stored there, see ``core.index.rescore``) and embedding the phrases and names the rules need
(:func:`load_inputs`), running the rules of ``core.curation.rules`` on them
(:func:`compute_suggestions`), and the review of the results against the decisions stored in the
curation store (:func:`review_frame`, :func:`decide`).

Results are cached as JSON under ``cache_dir/curation/``, keyed by model version, the index's
catalogue hash and the rules, so the screen opens instantly after the first computation.
Decisions live in the curation store (``CurationStore.decide``), keyed by ``kind:sorted ids``,
so they survive any recomputation. Trade-off accepted: the rules favour precision over recall;
many real problems (same-name variants, ambiguous categories) are left for people to find.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.curation.evidence import UNQUESTIONED_COLOURS
from core.curation.inputs import DEFAULT_RULES, CurationInputs, Rules
from core.curation.rules import KINDS, ProgressFn, Suggestion, suggest
from core.config import Settings
from core.curation.store import CurationStore
from core.data.enrich import article_noun
from core.errors import FashionError
from core.files import write_json_atomic
from core.index.manifest import read_manifest
from core.index.records import ATTRIBUTE_KEY
from core.index.rescore import decode_block
from core.index.store import collection_name, get_existing, open_client, read_all
from core.model.attributes import ATTRIBUTES
from core.model.embedder import Embedder, normalise

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

STATUSES = ("pending", "accepted", "dismissed")


@dataclass
class SuggestionSet:
    """The suggestions of one model version and catalogue, and how they were obtained."""

    suggestions: list[Suggestion]
    version: str
    catalog_hash: str
    products: int
    seconds: float
    from_cache: bool = False

    def counts(self) -> dict[str, int]:
        return {kind: sum(s.kind == kind for s in self.suggestions) for kind in KINDS}

    def by_key(self) -> dict[str, Suggestion]:
        return {s.key: s for s in self.suggestions}


# -- from the index -------------------------------------------------------------------------
def _image_collection(settings: Settings, version: str, client: "ClientAPI | None"):
    client = client or open_client(settings)
    collection = get_existing(client, collection_name(version, "image"))
    if collection is None:
        raise FashionError(f"no index for model {version}: build it with `python -m core index`")
    return collection


def _manifest(collection) -> dict:
    manifest = read_manifest(collection) or {}
    if manifest.get("status") != "complete":
        raise FashionError("the index is incomplete (an interrupted run?): finish it with `python -m core index`")
    return manifest


QUESTIONED_ATTRIBUTES = ("articleType", "baseColour", "gender")


def image_classes(meta: pd.DataFrame, embedder: "Embedder") -> dict[str, tuple[tuple[str, ...], np.ndarray]]:
    """P(class | image) of the model's image classifier, from the scores the index stores with each
    image (attribute -> (classes, (n, classes))); NaN rows where a product has none stored (an index
    built by another scorer), nothing at all when the model has no classifier or none are stored.
    Never classifies a picture: stored scores only."""
    scorer = getattr(embedder, "scorer", None)
    if scorer is None or ATTRIBUTE_KEY not in meta:
        return {}
    fingerprint, width = scorer.fingerprint, int(scorer.width)
    blocks = [decode_block(value, fingerprint, width) for value in meta[ATTRIBUTE_KEY]]
    if all(block is None for block in blocks):
        return {}
    matrix = np.stack([np.full(width, np.nan, np.float32) if b is None else b for b in blocks])
    out, offset = {}, 0
    for attribute in ATTRIBUTES:
        classes = tuple(scorer.vocab.values[attribute])
        part = matrix[:, offset:offset + max(len(classes), 1)]
        offset += max(len(classes), 1)
        if attribute in QUESTIONED_ATTRIBUTES and classes:
            # a stored score is max(0, log(P / eps)): P is exact above eps, and at most eps where it is 0
            probabilities = np.where(part > 0, scorer.eps * np.exp(np.where(part > 0, part, 0.0)), 0.0)
            out[attribute] = (classes, np.where(np.isnan(part), np.nan, probabilities).astype(np.float32))
    return out


def load_inputs(settings: Settings, embedder: "Embedder", rules: Rules = DEFAULT_RULES, *,
                client: "ClientAPI | None" = None, progress: ProgressFn | None = None) -> CurationInputs:
    """Read the stored image vectors and metadata of ``embedder.version`` and embed the phrases."""
    progress = progress or (lambda stage, fraction: None)
    progress(f"Reading the image vectors of {embedder.version}", 0.0)
    got = read_all(_image_collection(settings, embedder.version, client), include=("embeddings", "metadatas"))
    if not got["ids"]:
        raise FashionError(f"the index of model {embedder.version} is empty: run `python -m core index`")
    meta = pd.DataFrame([dict(m or {}) for m in got["metadatas"]])
    meta["id"] = [int(i) for i in got["ids"]]
    for column in ("name", "articleType", "baseColour", "gender", "image_sha1", "image"):
        if column not in meta:
            meta[column] = ""
        meta[column] = meta[column].fillna("").astype(str)
    order = np.argsort(meta["id"].to_numpy(), kind="stable")
    meta = meta.iloc[order].reset_index(drop=True)
    images = normalise(np.asarray(got["embeddings"], dtype=np.float32)[order])
    types = sorted(set(meta["articleType"]))
    colours = sorted(set(meta["baseColour"]) - UNQUESTIONED_COLOURS)
    progress(f"Embedding {len(types)} article types and {len(colours)} colours", 0.2)
    type_vectors = embedder.encode_texts([rules.type_phrase.format(noun=article_noun(t)) for t in types])
    colour_vectors = (embedder.encode_texts([rules.colour_phrase.format(colour=c.lower()) for c in colours])
                      if colours else np.zeros((0, images.shape[1]), np.float32))
    progress(f"Embedding {len(meta):,} product names", 0.3)
    names = embedder.encode_texts(meta["name"].tolist(), batch_size=128)
    return CurationInputs(
        meta=meta, images=images, names=normalise(names),
        type_texts=dict(zip(types, np.asarray(type_vectors, np.float32))),
        colour_texts=dict(zip(colours, np.asarray(colour_vectors, np.float32))),
        image_classes=image_classes(meta, embedder),
    )


def cache_path(settings: Settings, version: str, catalog_hash: str, rules: Rules = DEFAULT_RULES) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", version)
    return settings.cache_dir / "curation" / f"suggestions-{safe}-{catalog_hash[:16]}-{rules.key()}.json"


def _read_cache(path: Path, started: float) -> SuggestionSet | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        return SuggestionSet(
            [Suggestion.from_dict(s) for s in data["suggestions"]], data["version"], data["catalog_hash"],
            int(data["products"]), time.perf_counter() - started, from_cache=True,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a torn or foreign file: the caller recomputes and overwrites it


def cached_suggestions(settings: Settings, version: str, rules: Rules = DEFAULT_RULES, *,
                       client: "ClientAPI | None" = None) -> SuggestionSet | None:
    """The cached suggestions of ``version``'s current index, or None when they need computing."""
    started = time.perf_counter()
    manifest = _manifest(_image_collection(settings, version, client))
    return _read_cache(cache_path(settings, version, str(manifest.get("catalog_hash") or "unknown"), rules), started)


def compute_suggestions(settings: Settings, embedder: "Embedder", rules: Rules = DEFAULT_RULES, *,
                        client: "ClientAPI | None" = None, progress: ProgressFn | None = None,
                        refresh: bool = False) -> SuggestionSet:
    """The suggestions for the index of ``embedder.version``, from the cache when it has them.

    Example: ``compute_suggestions(settings, load_embedder(latest_model(settings))).counts()``.
    """
    progress = progress or (lambda stage, fraction: None)
    started = time.perf_counter()
    manifest = _manifest(_image_collection(settings, embedder.version, client))
    catalog_hash = str(manifest.get("catalog_hash") or "unknown")
    path = cache_path(settings, embedder.version, catalog_hash, rules)
    if not refresh:
        cached = _read_cache(path, started)
        if cached is not None:
            return cached
    inputs = load_inputs(settings, embedder, rules, client=client, progress=progress)
    suggestions = suggest(inputs, rules, progress=progress)
    result = SuggestionSet(suggestions, embedder.version, catalog_hash, len(inputs.meta),
                           time.perf_counter() - started)
    progress("Saving", 0.98)
    write_json_atomic(path, {
        "version": result.version, "catalog_hash": catalog_hash, "products": result.products,
        "rules": asdict(rules), "seconds": round(result.seconds, 3),
        "suggestions": [s.to_dict() for s in suggestions],
    }, indent=None)
    progress("Done", 1.0)
    return result


# -- decisions ------------------------------------------------------------------------------
def review_frame(suggestions: Sequence[Suggestion], store: CurationStore) -> pd.DataFrame:
    """One row per suggestion with its decision: key, kind, ids, score, evidence, status, author, time."""
    decisions = store.decisions()
    rows = []
    for s in suggestions:
        decision = decisions.get(s.key)
        rows.append({
            "key": s.key, "kind": s.kind, "ids": ", ".join(map(str, s.ids)), "score": round(s.score, 4),
            "evidence": s.evidence, "status": decision.decision if decision else "pending",
            "author": decision.author if decision else "", "time": decision.time if decision else "",
        })
    return pd.DataFrame(rows, columns=["key", "kind", "ids", "score", "evidence", "status", "author", "time"])


def decide(store: CurationStore, suggestion: Suggestion, decision: str, *, author: str,
           flag_products: bool = True) -> None:
    """Store ``accepted``/``dismissed`` for ``suggestion``; accepting a duplicate or a label error
    also flags its products (``duplicate`` / ``wrong-label``) unless ``flag_products`` is False."""
    store.decide(suggestion.key, suggestion.kind, suggestion.ids, decision, author=author,
                 note=suggestion.evidence[:500], flag=suggestion.flag if flag_products else None)
