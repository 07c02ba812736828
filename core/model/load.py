"""Getting a model: the factory on the backend, loading a saved folder, and the Embedder over it.

:func:`build_model` makes a fresh model to train (``lit`` from the packaged towers, or a local
``clip`` folder with only its projections trainable); :func:`load_model` loads any saved folder
offline (``local_files_only``: nothing ever reaches a hub), migrating folders saved before the
towers moved to :mod:`core.model.towers`; :func:`resolve_embedder` is the one way from a settings
object and an optional ``--model`` to a ready :class:`~core.model.embedder.Embedder` (the lookup
itself is :func:`core.model.registry.resolve_model`). The feature cache folder is always passed
in: a loaded model's towers have none until :func:`load_model` attaches ``cache_dir``.

Light to import: torch and sentence-transformers are imported when a model is built or loaded,
so the command line and the dashboard can name these functions without paying for them.

Lazy to load: :func:`load_embedder` reads only the folder's JSON files; each part is loaded when a
call first needs it (the whole SentenceTransformer for pictures and batches, the attribute scorer
for re-scoring). One query text, what search and the stylist encode, goes through
:class:`TextQueryEncoder`: the text route alone (MiniLM, its head, the normalisation) loaded with
transformers and torch but without sentence-transformers and the image tower, which cost seconds
to import and load. It runs the same modules with the same operations on the same single-text
batch as ``SentenceTransformer.encode``, so the vectors are identical (a test compares them
bit for bit); a folder whose text route it does not know (CLIP, trainable MiniLM layers, another
head) is served by the whole model. Trade-off: the MiniLM weights are loaded twice in a process
that also encodes pictures or batches (about 90 MB more memory).
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from core.config import Settings
from core.errors import FashionError
from core.files import write_text_atomic
from core.model.attributes import AttributeScorer
from core.model.embedder import Embedder
from core.model.features import load_rgb
from core.model.registry import resolve_model, version_of
from core.model.text_query import TextQueryEncoder

LEGACY_CLASS_PATH = "core.encoders."
"""Where the tower classes lived before ``core.model.towers``; saved JSON files may still name it."""
TOWER_CLASSES = ("ImageTower", "TextTower")
IDENTITY = "torch.nn.modules.linear.Identity"


# -- a fresh model to train -----------------------------------------------------------------
def build_model(backend: str, *, lit=None, base_model: str | os.PathLike | None = None,
                cache_dir: str | os.PathLike | None = None):
    """A model to fine-tune: ``lit`` (``lit`` = a :class:`~core.model.lit.LitConfig`) or ``clip``
    (``base_model`` = a local CLIP folder, frozen but for its projections)."""
    match backend:
        case "lit":
            from core.model.lit import build_lit

            return build_lit(lit, cache_dir=cache_dir)
        case "clip":
            from core.model.lit import freeze_clip

            if not base_model:
                raise FashionError("the clip backend needs --base-model (a local CLIP sentence-transformers folder)")
            model = load_model(base_model, cache_dir=cache_dir)
            freeze_clip(model)
            return model
        case _:
            from core.model.lit import BACKENDS

            raise FashionError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")


# -- a saved model --------------------------------------------------------------------------
def migrate_class_paths(folder: str | os.PathLike) -> list[Path]:
    """Rewrite ``core.encoders.X`` as ``core.model.towers.X`` in a model folder's JSON files
    (``modules.json``, the Router's config), each atomically; returns the files rewritten."""
    rewritten = []
    for path in sorted(Path(folder).glob("*.json")):
        text = path.read_text(encoding="utf-8")
        if LEGACY_CLASS_PATH in text:
            try:
                write_text_atomic(path, text.replace(LEGACY_CLASS_PATH, "core.model.towers."))
            except OSError as error:
                raise FashionError(f"{path} names the old module core.encoders and cannot be updated: {error}") from error
            rewritten.append(path)
    return rewritten


def load_model(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None):
    """A SentenceTransformer from a local folder (ours or a CLIP one), offline; towers re-frozen.

    ``cache_dir``: where the towers read and store frozen features (None = no feature cache).
    """
    from sentence_transformers import SentenceTransformer

    from core.model.lit import attach_caches

    folder = Path(path)
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise FashionError(f"no model at {folder}: expected a sentence-transformers folder (modules.json)")
    migrate_class_paths(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = SentenceTransformer(str(folder), device="cpu", trust_remote_code=True, local_files_only=True)
    if cache_dir is not None:
        attach_caches(model, cache_dir)
    return model


def backend_of(model) -> str:
    """``lit`` when the model holds our towers, else ``clip``."""
    from core.model.lit import towers

    return "lit" if towers(model) else "clip"


# -- the Embedder contract ------------------------------------------------------------------
class SentenceTransformerEmbedder:
    """:class:`core.model.embedder.Embedder` over a SentenceTransformer (lit or CLIP)."""

    def __init__(self, model, version: str, scorer=None):
        self.model = model
        self.version = version
        self.dim = int(model.get_embedding_dimension())
        self.lit = backend_of(model) == "lit"
        self.scorer = scorer if self.lit else None  # core.model.attributes.AttributeScorer or None

    def _tower(self, kind: str):
        from core.model.towers import ImageTower, TextTower

        wanted = {"image": ImageTower, "text": TextTower}[kind]
        return next(m for m in self.model.modules() if isinstance(m, wanted))

    def image_attributes(self, images: Sequence) -> np.ndarray:
        """The scorer's image blocks for image paths or PIL images (tower features via the cache)."""
        features, _ = self._tower("image").features(list(images))
        return self.scorer.image_blocks(features)

    def text_attributes(self, texts: Sequence[str]) -> np.ndarray:
        """The scorer's query distributions (named brand / colour / gender, predicted type)."""
        from core.model.frozen_text import frozen_text_features

        texts = [str(t) for t in texts]
        return self.scorer.text_distributions(texts, frozen_text_features(self._tower("text"), texts))

    def _encode(self, inputs: list, batch_size: int, modality: str) -> np.ndarray:
        if not inputs:
            return np.zeros((0, self.dim), dtype=np.float32)
        # lit: name the route, so an image path is never mistaken for text (and vice versa)
        extra = {"modality": modality} if self.lit else {}
        vectors = self.model.encode(
            inputs, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False, **extra,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_texts(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        return self._encode([str(t) for t in texts], batch_size, "text")

    def encode_images(self, images: Sequence, *, batch_size: int = 64) -> np.ndarray:
        return self._encode([load_rgb(image) for image in images], batch_size, "image")

    def encode_image_files(self, paths: Sequence[str | os.PathLike], *, batch_size: int = 64) -> np.ndarray:
        """Like :meth:`encode_images` from file paths; the lit towers then hit the cache by file hash."""
        if self.lit:
            return self._encode([str(p) for p in paths], batch_size, "image")
        return self.encode_images(paths, batch_size=batch_size)


# -- a saved folder, loaded part by part -----------------------------------------------------
def _read_json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _class_name(path: str) -> str:
    return str(path).rsplit(".", 1)[-1]


def saved_layout(folder: str | os.PathLike) -> dict:
    """What a saved model folder's JSON files say, without loading a weight.

    ``{"lit": True/False/None (unknown), "text_route": {...} or None}``; the text route is given only
    when :class:`TextQueryEncoder` can run it exactly: ``Router(text: [TextTower (frozen), TokenBagHead
    | Dense (no activation)...])`` then ``Normalize``.
    """
    folder = Path(folder)
    modules = _read_json(folder / "modules.json")
    router = _read_json(folder / "router_config.json")
    if not isinstance(modules, list) or not isinstance(router, dict):
        return {"lit": None, "text_route": None}
    types = {name: _class_name(kind) for name, kind in (router.get("types") or {}).items()}
    lit = any(kind in TOWER_CLASSES for kind in types.values())
    kinds = [_class_name(m.get("type", "")) for m in modules]
    text = list((router.get("structure") or {}).get("text") or [])
    if kinds != ["Router", "Normalize"] or not text or types.get(text[0]) != "TextTower":
        return {"lit": lit, "text_route": None}
    tower = _read_json(folder / text[0] / "text_tower_config.json") or {}
    if int(tower.get("trainable_layers", -1)) != 0:
        return {"lit": lit, "text_route": None}
    heads = []
    for name in text[1:]:
        if types.get(name) == "TokenBagHead" and tower.get("emit_tokens"):
            config = _read_json(folder / name / "token_bag_config.json") or {}
        elif types.get(name) == "Dense":
            config = _read_json(folder / name / "config.json") or {}
            if config.get("activation_function") != IDENTITY or config.get("use_residual"):
                return {"lit": lit, "text_route": None}
        else:
            return {"lit": lit, "text_route": None}
        heads.append({"kind": types[name], "folder": name, "dim": int(config.get("out_features", 0))})
    if not heads:
        return {"lit": lit, "text_route": None}
    route = {"tower": text[0], "max_seq_length": int(tower.get("max_seq_length", 64)), "heads": heads}
    return {"lit": lit, "text_route": route}


class SavedModelEmbedder(SentenceTransformerEmbedder):
    """:class:`SentenceTransformerEmbedder` for a saved folder that loads each part on first use:
    the whole model, the attribute scorer, the one-text route (:class:`TextQueryEncoder`)."""

    def __init__(self, folder: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
                 onnx_dir: str | os.PathLike | None = None):
        self.folder = Path(folder)
        self.cache_dir = cache_dir
        self.onnx_dir = onnx_dir if onnx_dir is not None or cache_dir is None else Path(cache_dir) / "onnx"
        self.version = version_of(self.folder)
        self.layout = saved_layout(self.folder)
        self._model = None
        self._loading = threading.Lock()  # a dashboard shares one embedder between sessions

    @property
    def model(self):
        """The whole SentenceTransformer (loaded on first use)."""
        if self._model is None:
            with self._loading:
                if self._model is None:
                    self._model = load_model(self.folder, cache_dir=self.cache_dir)
        return self._model

    @cached_property
    def lit(self) -> bool:
        known = self.layout["lit"]
        return backend_of(self.model) == "lit" if known is None else bool(known)

    @cached_property
    def scorer(self):
        """The attribute scorer saved with a lit model, else None (loaded on first use)."""
        return AttributeScorer.load(self.folder) if self.lit else None

    @cached_property
    def dim(self) -> int:
        route = self.layout["text_route"]
        return int(route["heads"][-1]["dim"]) if route else int(self.model.get_embedding_dimension())

    @cached_property
    def text_route(self) -> TextQueryEncoder | None:
        route = self.layout["text_route"]
        if route is None:
            return None
        return TextQueryEncoder(self.folder, route, onnx_dir=self.onnx_dir)

    def start_query_runtime(self, *, wait: float | None = None) -> bool:
        """Open ONNX Runtime for one-text queries in the background (long-lived processes only);
        ``wait`` seconds for it (``build``: the export is made now). True when it runs."""
        route = self.text_route
        if route is None or route.runner is None:
            return False
        if wait is None:
            route.runner.start()
            return route.runner.active
        return route.runner.ensure(timeout=wait)

    def encode_texts(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        texts = [str(t) for t in texts]
        if len(texts) == 1 and self.text_route is not None:
            return self.text_route.encode(texts[0])
        return super().encode_texts(texts, batch_size=batch_size)

    def text_attributes(self, texts: Sequence[str]) -> np.ndarray:
        texts = [str(t) for t in texts]
        if len(texts) == 1 and self.text_route is not None:
            return self.scorer.text_distributions(texts, self.text_route.features(texts[0]))
        return super().text_attributes(texts)


def load_embedder(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None,
                  onnx_dir: str | os.PathLike | None = None) -> SentenceTransformerEmbedder:
    """An :class:`~core.model.embedder.Embedder` for a saved model folder (lit or CLIP), offline.
    ``onnx_dir`` (default ``cache_dir/onnx``) holds ONNX exports, used even without a feature cache.

    >>> embedder = load_embedder(latest_model(settings), cache_dir=settings.cache_dir)  # doctest: +SKIP
    """
    folder = Path(path)
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise FashionError(f"no model at {folder}: expected a sentence-transformers folder (modules.json)")
    return SavedModelEmbedder(folder, cache_dir=cache_dir, onnx_dir=onnx_dir)


def resolve_embedder(settings: Settings, model: str | os.PathLike | None, *, feature_cache: bool = False) -> Embedder:
    """The embedder for ``--model PATH`` (a folder, or a version name under ``HOME/models``), else
    the newest trained model.

    ``feature_cache`` lets the towers reuse/store frozen features under ``HOME/cache`` (worth it
    when indexing the catalogue, which training has mostly seen; not for one-off user queries,
    which use ``settings.feature_cache`` when it is set, else no cache).
    """
    folder = resolve_model(settings, model or None)
    return load_embedder(folder, cache_dir=settings.cache_dir if feature_cache else settings.feature_cache,
                         onnx_dir=settings.onnx_dir)
