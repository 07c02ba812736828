"""Test helpers over built homes: a writable copy of one, and a second model version in it.

The copy hard-links the model weights and demo images (never written: a new version is a new
folder) and copies the small files that may be written (caches, processed, index), so tests never
write into the session's ``built_demo_home``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from core.config import Settings


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def copy_home(source: Path, target: Path) -> Path:
    """A writable copy of a built home: models and demo images hard-linked, the rest copied."""
    target.mkdir(parents=True)
    for child in Path(source).iterdir():
        if child.is_dir():
            linked = child.name in ("models", "demo-catalog")
            shutil.copytree(child, target / child.name, copy_function=_link_or_copy if linked else shutil.copy2)
        else:
            shutil.copy2(child, target / child.name)
    return target


def train_second_version(home: Path) -> Path:
    """Train one more (one-epoch) version into ``home`` with the build's tower settings, so every
    frozen feature is a cache hit; returns its folder (now the latest)."""
    from core.model.train import TrainConfig, train

    settings = Settings.from_env(env={}, home=home)
    return train(settings, TrainConfig(epochs=1, seed=1), progress=False).model_dir
