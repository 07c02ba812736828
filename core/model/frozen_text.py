"""MiniLM's own pooled sentence features, whatever layers of a model's text tower train.

The attribute scorer's query side (:mod:`core.model.attributes`: the article type predicted from
the text) reads frozen MiniLM features, so a scorer stays valid however the text tower's top
layers are trained (``LitConfig.text_trainable_layers``), and its features are the ones the
fully frozen tower caches (namespace ``minilm-l6-v2-mean-<length>``). A tower whose top layers
train cannot give them (its weights moved), so they come from a reference tower: the packaged
MiniLM, fully frozen, sharing the feature cache. One reference per (length, cache folder), built
on first use (MiniLM loads in about a second; a frozen model never builds one).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_REFERENCES: dict[tuple[int, str | None], object] = {}
_LOCK = threading.Lock()


def reference_tower(max_seq_length: int, cache_dir: str | Path | None):
    """The fully frozen packaged MiniLM tower for ``max_seq_length``, its cache in ``cache_dir``."""
    from core.model.towers import TextTower

    key = (int(max_seq_length), None if cache_dir is None else str(cache_dir))
    with _LOCK:
        if key not in _REFERENCES:
            tower = TextTower(trainable_layers=0, max_seq_length=int(max_seq_length))
            tower.attach_cache(cache_dir)
            _REFERENCES[key] = tower
        return _REFERENCES[key]


def frozen_text_features(tower, texts: Sequence[str]) -> np.ndarray:
    """(n, 384) frozen pooled MiniLM features of ``texts``: ``tower``'s own when it is fully frozen,
    else the reference tower's (same cache folder, same sequence length)."""
    texts = [str(t) for t in texts]
    if not tower.trainable_layers:
        return tower.features(texts)
    return reference_tower(tower.max_seq_length, tower.cache_dir).features(texts)
