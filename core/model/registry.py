"""Model registry: versioned folders ``HOME/models/<name>-v<N>/``, a ``latest`` pointer, model cards.

A trained model is written to a temporary folder and renamed to the next free version, so a
version is never overwritten and a crashed run leaves no half-written version behind. ``latest``
is a small text file (not a symlink: portable, and atomic to replace) naming the newest version.
Each version holds the sentence-transformers files plus ``fashion_model.json`` (the card: config,
data hash, metrics before/after, wall time) and a human-readable ``MODEL_CARD.md``. The card is the
one source of a folder's version (:func:`version_of`, which names collections and caches) and of
the data it was trained on (:func:`trained_on_current_data`); both are read without torch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from core.errors import FashionError
from core.files import file_sha256, write_text_atomic
from core.model.intervals import INDICATIVE_BELOW, METRIC_NAMES

CARD_FILE = "fashion_model.json"
LATEST_FILE = "latest"
_VERSION = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.-]*?)-v(?P<n>\d+)$")


def versions(models_dir: Path, name: str | None = None) -> list[Path]:
    """Version folders (complete ones, with a card), oldest first; optionally of one ``name``."""
    if not models_dir.is_dir():
        return []
    found = []
    for child in models_dir.iterdir():
        match = _VERSION.match(child.name)
        if match and child.is_dir() and (child / CARD_FILE).is_file():
            if name is None or match["name"] == name:
                found.append((int(match["n"]), child.stat().st_mtime, child))
    return [path for _, _, path in sorted(found)]


def next_version(models_dir: Path, name: str) -> int:
    numbers = [0]
    if models_dir.is_dir():
        for child in models_dir.iterdir():
            match = _VERSION.match(child.name)
            if match and match["name"] == name:
                numbers.append(int(match["n"]))
    return max(numbers) + 1


def latest_model(settings) -> Path | None:
    """The newest versioned model under ``settings.models_dir`` (via ``latest``), or None."""
    models_dir = Path(settings.models_dir)
    pointer = models_dir / LATEST_FILE
    if pointer.is_file():
        target = models_dir / pointer.read_text().strip()
        if (target / CARD_FILE).is_file():
            return target
    found = versions(models_dir)
    return found[-1] if found else None


def resolve_model(settings, path: str | os.PathLike | None) -> Path:
    """An explicit model folder, or the latest one; a clear error when there is none."""
    if path is not None:
        folder = Path(path).expanduser()
        if not folder.is_absolute() and not folder.exists() and (Path(settings.models_dir) / folder).exists():
            folder = Path(settings.models_dir) / folder
        if not folder.is_dir():
            raise FashionError(f"no model folder at {folder}")
        return folder.resolve()
    latest = latest_model(settings)
    if latest is None:
        raise FashionError(
            f"no trained model under {settings.models_dir}: run `python -m core train` first "
            "(or pass --model PATH)"
        )
    return latest


def read_card(folder: Path) -> dict[str, Any]:
    path = Path(folder) / CARD_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def version_of(folder: str | os.PathLike) -> str:
    """``lit-v3`` for a registry folder (from its card), else the folder's name (a card that is
    missing, unreadable or without a version counts as none).

    >>> version_of(settings.models_dir / "lit-v3")  # doctest: +SKIP
    'lit-v3'
    """
    try:
        version = read_card(Path(folder)).get("version")
    except (OSError, ValueError, AttributeError):
        version = None
    return str(version) if version not in (None, "") else Path(folder).resolve().name


def trained_on_current_data(settings, model_dir: Path | None) -> bool:
    """Whether ``model_dir``'s card names this exact prepared catalogue (its SHA-256)."""
    if model_dir is None or not settings.catalog_parquet.is_file():
        return False
    recorded = (read_card(model_dir).get("data") or {}).get("catalog_sha256")
    return recorded == file_sha256(settings.catalog_parquet)


def register(models_dir: Path, name: str, write, card: dict[str, Any]) -> Path:
    """Write a new version: ``write(tmp_folder)`` saves the model, then the card is added and the
    folder renamed to ``<name>-v<N>``; ``latest`` then points at it. Returns the version folder."""
    if not _VERSION.match(f"{name}-v1"):
        raise FashionError(f"model name {name!r}: use lowercase letters, digits, '-', '_' or '.'")
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=models_dir))
    try:
        write(tmp)
        while True:
            number = next_version(models_dir, name)
            version = f"{name}-v{number}"
            card = {**card, "name": name, "version": version}
            (tmp / CARD_FILE).write_text(json.dumps(card, indent=2, default=str))
            (tmp / "MODEL_CARD.md").write_text(render_card(card))
            try:
                os.rename(tmp, models_dir / version)  # fails if a concurrent run took the number
                break
            except OSError:
                if not (models_dir / version).exists():
                    raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    set_latest(models_dir, version)
    return models_dir / version


def set_latest(models_dir: Path, version: str) -> None:
    write_text_atomic(models_dir / LATEST_FILE, version + "\n")


def _metric_rows(card: dict[str, Any]) -> list[str]:
    before = card.get("metrics_before", {}) or {}
    after = card.get("metrics_after", {}) or {}
    keys = [k for k in after if isinstance(after.get(k), (int, float))] or [
        k for k in before if isinstance(before.get(k), (int, float))
    ]
    rows = ["| metric | before training | after training |", "| --- | --- | --- |"]
    for key in keys:
        b, a = before.get(key), after.get(key)
        rows.append(f"| {key} | {b:.4f} | {a:.4f} |" if isinstance(b, float) and isinstance(a, float) else f"| {key} | {b} | {a} |")
    return rows


def _sample_rows(card: dict[str, Any]) -> list[str]:
    """What the test figures rest on: queries, images and 95% intervals (bootstrap over queries)."""
    test = card.get("test_after") or {}
    ci = (test.get("intervals") or {}).get("text_to_image") or {}
    if "queries" not in test:
        return []
    spans = ", ".join(f"{METRIC_NAMES.get(k, k)} {low:.3f}–{high:.3f}" for k, (low, high) in ci.items())
    indicative = f" (indicative: fewer than {INDICATIVE_BELOW} queries)" if test["queries"] < INDICATIVE_BELOW else ""
    return ["", f"{test['queries']} queries against {test.get('products')} images{indicative}"
                + (f"; 95% intervals after training (bootstrap over queries): {spans}." if spans else ".")]


def _rescoring_rows(card: dict[str, Any]) -> list[str]:
    info = card.get("rescoring") or {}
    cosine = info.get("test_after_cosine_only") or {}
    if "t2i_r1" not in cosine:
        return []
    if info.get("reason"):  # the weight had to beat the valid split's bootstrap noise (core.model.intervals)
        after = "the cosine re-scored by the attribute classifiers" if info.get("weight") else "the cosine alone"
        return ["", f"After = {after}. Attribute re-scoring: {info['reason']}. The cosine alone: R@1 "
                    f"{cosine['t2i_r1']:.3f}, R@10 {cosine.get('t2i_r10', float('nan')):.3f}."]
    return ["", f"After = the cosine re-scored by the attribute classifiers (brand, colour, type, gender; weight "
                f"{info.get('weight')} chosen on valid). The cosine alone: R@1 {cosine['t2i_r1']:.3f}, "
                f"R@10 {cosine.get('t2i_r10', float('nan')):.3f}, MRR@10 {cosine.get('t2i_mrr10', float('nan')):.3f}."]


def render_card(card: dict[str, Any]) -> str:
    """A short Markdown model card from the JSON one."""
    lines = [
        f"# {card.get('version', card.get('name', 'model'))}",
        "",
        f"- backend: {card.get('backend')}",
        f"- trained: {card.get('created')}",
        f"- catalogue: {card.get('data', {}).get('catalog')} (catalog.parquet sha256 "
        f"{str(card.get('data', {}).get('catalog_sha256'))[:16]}…, {card.get('data', {}).get('train_products')} "
        "training products)",
        f"- wall time: {card.get('wall_time_s', 0):.1f} s (features {card.get('feature_time_s', 0):.1f} s)",
        *([f"- image features: {card['image_features']} (the version computed where it was trained)"]
          if card.get("image_features") else []),
        *([f"- trained on: {card['trained_on']}; the figures below are "
           f"{(card.get('figures_from') or {}).get('model')}'s, the same recipe trained on the train split alone"]
          if card.get("trained_on") else []),
        "",
        "## Test split, text → image (gallery = the split's images)",
        "",
        *_metric_rows(card),
        *_sample_rows(card),
        *_rescoring_rows(card),
        "",
        "## Config",
        "",
        "```json",
        json.dumps(card.get("config", {}), indent=2, default=str),
        "```",
        "",
    ]
    return "\n".join(lines)
