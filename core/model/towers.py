"""The tower modules of the ``lit`` model, as sentence-transformers modules: ImageTower, TextTower, TokenBagHead.

A frozen tower's output is a pure function of its input, so the towers compute it in ``preprocess``
through the on-disk :class:`core.model.features.FeatureCache` and hand the trainer
``{"sentence_embedding": ...}``: epochs and re-runs never recompute it. The networks are in
:mod:`core.model.backbones`, the assembled model in :mod:`core.model.lit`. Saved models name these
classes by module path (``core.model.towers.ImageTower``), so they stay here (old ``core.encoders``
folders are migrated by :func:`core.model.load.load_model`). A loaded tower has no feature cache
until one is attached (``attach_cache``): nothing is read from the environment.

Trade-off accepted: the image tower cannot be fine-tuned (features come from ``preprocess``, in ONNX
Runtime, fp32 or int8: :mod:`core.model.onnx_backbone`); in exchange a warm epoch takes a second.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from sentence_transformers.base.modules.input_module import InputModule
from sentence_transformers.base.modules.module import Module

from core.errors import FashionError
from core.model.backbones import (efficientnet, mean_pool, minilm_path, pooled_features, pooled_width, quiet_weight_loading,
                                  run_layers, stage_ends)
from core.model.features import (PREPROCESSING_VERSION, FeatureCache, PartsDone, cached_compute, compute_in_parts,
                                 content_keys, decode_images, prefetched, size_label, text_sha1)
from core.model.onnx_backbone import CALIBRATION_VERSION, BackboneRunner
from core.model.openvino_session import runnable_precision
from core.model.retired import check_retired


# -- the image tower ------------------------------------------------------------------------
class ImageTower(InputModule):
    """Frozen EfficientNet-Lite + colour histogram, as a sentence-transformers input module.

    Output ("sentence_embedding", before the trainable head): the pooled 1280-d head features,
    optionally the pooled outputs of the last four stages (fine detail), and a ``levels³``-bin
    colour histogram of the non-white pixels. Accepts PIL images or image file paths.
    """

    config_keys = ["variant", "image_size", "colour_levels", "stage_pool", "precision", "image_width"]
    config_file_name = "image_tower_config.json"
    save_in_root = False

    def __init__(
        self,
        variant: str = "efficientnet-lite0",
        image_size: int = 224,
        colour_levels: int = 4,
        stage_pool: bool = True,
        precision: str = "fp32",  # a saved tower without the key predates int8: fp32
        image_width: int = 0,  # 0: square (padded); a saved tower without the key is square
        *,
        load_pretrained: bool = True,
        batch_size: int = 32,  # ONNX Runtime: 8-64 within 5% end to end on 2 cores; 32 halves the memory of 64
        **retired,  # keys of removed levers in towers saved while they existed (core.model.retired)
    ):
        super().__init__()
        check_retired(retired)
        self.variant = variant
        self.image_size, self.image_width = int(image_size), int(image_width or 0)
        self.input_size = (self.image_size, self.image_width or self.image_size)  # (height, width)
        self.colour_levels = int(colour_levels)
        self.stage_pool = bool(stage_pool)
        self.batch_size = batch_size
        self.backbone = efficientnet(variant, self.input_size, load_pretrained=load_pretrained)
        self._pooled_stages = stage_ends(self.backbone) if self.stage_pool else []
        self.cache: FeatureCache | None = None
        self.failures: list[tuple[str, str]] = []  # (input, reason) of images that did not decode
        self.precision = precision  # "int8": the quantised export (core.model.quantize); "bf16": OpenVINO
        self.feature_precision = runnable_precision(precision)  # what this machine computes: bf16 without bf16 → fp32
        self.runner = BackboneRunner(variant, self.input_size, precision=self.feature_precision)  # ORT, else torch

    # layout ----------------------------------------------------------------------------------
    @property
    def backbone_dim(self) -> int:
        return pooled_width(self.backbone, self._pooled_stages)

    @property
    def dim(self) -> int:
        return self.backbone_dim + (self.colour_levels**3 if self.colour_levels else 0)

    def get_embedding_dimension(self) -> int:
        return self.dim

    @property
    def modalities(self) -> list[str]:
        return ["image"]

    @property
    def cache_namespace(self) -> str:
        stages = "stages" if self.stage_pool else "head"
        colour = f"rgb{self.colour_levels}" if self.colour_levels else "nocolour"
        precision = {"fp32": "", "bf16": "-bf16"}.get(self.feature_precision, f"-{self.feature_precision}-{CALIBRATION_VERSION}")
        return f"{self.variant}@{size_label(self.input_size)}-{stages}-{colour}-{PREPROCESSING_VERSION}{precision}"

    def attach_cache(self, cache_dir: str | os.PathLike | None) -> None:
        """Use ``cache_dir/features/<namespace>.sqlite`` (``settings.cache_dir``) and keep the backbone's
        ONNX export in ``cache_dir/onnx``; None = no cache (an export then lives in memory)."""
        self.cache = None if cache_dir is None else FeatureCache(Path(cache_dir) / "features", self.cache_namespace)
        self.runner.folder = None if cache_dir is None else Path(cache_dir) / "onnx"

    def train(self, mode: bool = True):  # frozen BatchNorm statistics must never drift
        super().train(mode)
        return self.backbone.eval() and self

    # computing features ----------------------------------------------------------------------
    def _backbone_features(self, batch: torch.Tensor) -> torch.Tensor:
        return pooled_features(self.backbone, batch, self._pooled_stages)

    def _compute(self, items: Sequence, indices: list[int]) -> dict[int, np.ndarray]:
        """Decode the next batch in a thread while this one runs (ONNX Runtime when it can)."""
        out: dict[int, np.ndarray] = {}
        chunks = [indices[start : start + self.batch_size] for start in range(0, len(indices), self.batch_size)]
        decode = partial(decode_images, items, size=self.input_size, colour_levels=self.colour_levels)
        for decoded in prefetched(decode, chunks):
            self.failures.extend(decoded.failures)
            if not decoded.indices:
                continue
            feats = self.runner(self.backbone, self._pooled_stages, decoded.pixels, job_size=len(indices))
            if decoded.hists:
                feats = np.concatenate([feats, np.stack(decoded.hists)], axis=1)
            out.update(zip(decoded.indices, feats.astype(np.float32)))
        return out

    def features(self, items: Sequence, *, progress: bool | PartsDone = False) -> tuple[np.ndarray, list[int]]:
        """Tower outputs for image paths / PIL images, through the cache: ``(array (n, dim), failed)``;
        rows of images that do not decode are zeros, their indices in ``failed`` (reasons in ``self.failures``)."""
        keys, unreadable = content_keys(items)
        self.failures.extend((str(items[index]), reason) for index, reason in unreadable)
        skip = {index for index, _ in unreadable}
        todo = [i for i in range(len(items)) if i not in skip]

        def compute(indices: list[int]) -> dict[int, np.ndarray]:
            if len(indices) <= self.batch_size:
                return self._compute(items, indices)
            return compute_in_parts(lambda part: self._compute(items, part), indices, self.batch_size * 8,
                                    cache=self.cache if self._exact() else None, keys=keys, progress=progress,
                                    desc=f"image features {self.cache_namespace}")

        vectors, _ = cached_compute(self.cache, keys, compute, indices_to_compute=todo, store=self._exact)
        failed = [i for i, vector in enumerate(vectors) if vector is None]
        matrix = np.zeros((len(items), self.dim), dtype=np.float32)
        for index, vector in enumerate(vectors):
            if vector is not None:
                matrix[index] = vector
        return matrix, failed

    def _exact(self) -> bool:  # False: torch fp32 stands in for the int8 / bf16 export (never cached)
        return self.feature_precision == "fp32" or self.runner.session(self.backbone, self._pooled_stages, 1) is not None

    # sentence-transformers interface ---------------------------------------------------------
    def preprocess(self, inputs: Sequence, prompt: str | None = None, **kwargs) -> dict[str, Any]:
        matrix, failed = self.features(list(inputs))
        if failed:
            reasons = "; ".join(f"{name}: {reason}" for name, reason in self.failures[-len(failed) :])
            raise FashionError(f"{len(failed)} image(s) could not be read: {reasons}")
        return {"sentence_embedding": torch.from_numpy(matrix)}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        if "sentence_embedding" not in features:  # raw pixels (not produced by our preprocess)
            features["sentence_embedding"] = self._backbone_features(features["pixel_values"])
        return features

    def save(self, output_path: str, *args, safe_serialization: bool = True, **kwargs) -> None:
        self.save_config(output_path)
        self.save_torch_weights(output_path, safe_serialization=safe_serialization)

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", **kwargs) -> "ImageTower":
        hub = {k: kwargs[k] for k in ("token", "cache_folder", "revision", "local_files_only") if k in kwargs}
        config = cls.load_config(model_name_or_path, subfolder=subfolder, **hub)
        module = cls(**config, load_pretrained=False)
        cls.load_torch_weights(model_name_or_path, subfolder=subfolder, model=module, **hub)
        module.backbone.requires_grad_(False).eval()
        return module


# -- the text tower -------------------------------------------------------------------------
class TextTower(InputModule):
    """MiniLM with mean pooling; frozen except the top ``trainable_layers`` transformer layers.

    Fully frozen (the default), ``preprocess`` returns cached pooled embeddings. With trainable
    top layers, ``preprocess`` returns the cached output of the last frozen layer (float16, per
    text) and ``forward`` runs only the trainable layers: epochs still never run the frozen part.
    """

    config_keys = ["trainable_layers", "max_seq_length", "emit_tokens"]
    config_file_name = "text_tower_config.json"
    save_in_root = False

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        trainable_layers: int = 0,
        max_seq_length: int = 64,
        emit_tokens: bool = False,
        *,
        batch_size: int = 128,
    ):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer  # local folders only (never a hub)

        path = str(model_path or minilm_path())
        self.model_path = path
        with quiet_weight_loading():
            self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            self.auto_model = AutoModel.from_pretrained(path, local_files_only=True)
        self.max_seq_length = int(max_seq_length)
        self.emit_tokens = bool(emit_tokens)  # also pass token ids on (for a TokenBagHead)
        self.batch_size = batch_size
        self.trainable_layers = 0
        self.cache: FeatureCache | None = None
        self.cache_dir: Path | None = None  # where attach_cache pointed it (None = no cache)
        self.set_trainable_layers(trainable_layers)

    @property
    def _layers(self):
        return self.auto_model.encoder.layer

    @property
    def frozen_layers(self) -> int:
        return len(self._layers) - self.trainable_layers

    def set_trainable_layers(self, count: int) -> None:
        if not 0 <= count <= len(self._layers):
            raise FashionError(f"trainable_layers must be between 0 and {len(self._layers)}, got {count}")
        self.trainable_layers = int(count)
        self.auto_model.requires_grad_(False)
        for layer in self._layers[self.frozen_layers :]:
            layer.requires_grad_(True)
        self.attach_cache(self.cache_dir)
        self.train(self.training)

    def train(self, mode: bool = True):  # frozen layers stay in eval mode (no dropout: cacheable)
        super().train(mode)
        self.auto_model.eval()
        if mode:
            for layer in self._layers[self.frozen_layers :]:
                layer.train(True)
        return self

    @property
    def dim(self) -> int:
        return int(self.auto_model.config.hidden_size)

    def get_embedding_dimension(self) -> int:
        return self.dim

    @property
    def cache_namespace(self) -> str:
        if self.trainable_layers:
            return f"minilm-l6-v2-layer{self.frozen_layers}-{self.max_seq_length}"
        return f"minilm-l6-v2-mean-{self.max_seq_length}"

    def attach_cache(self, cache_dir: str | os.PathLike | None) -> None:
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        if cache_dir is None:
            self.cache = None
        else:
            dtype = np.float16 if self.trainable_layers else np.float32
            self.cache = FeatureCache(Path(cache_dir) / "features", self.cache_namespace, dtype=dtype)

    def _tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return dict(self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_seq_length,
                                   return_tensors="pt"))

    def _run_layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, layers) -> torch.Tensor:
        return run_layers(self.auto_model.config, hidden, attention_mask, layers)

    def _pool(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        inputs = {k: features[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in features}
        tokens = self.auto_model(**inputs).last_hidden_state
        return mean_pool(tokens, features["attention_mask"])

    @torch.no_grad()
    def _compute(self, texts: list[str], indices: list[int]) -> dict[int, np.ndarray]:
        """Frozen outputs: pooled embeddings, or (trainable top) the last frozen layer's tokens."""
        out: dict[int, np.ndarray] = {}
        device = next(self.auto_model.parameters()).device
        for start in range(0, len(indices), self.batch_size):
            chunk = indices[start : start + self.batch_size]
            batch = {k: v.to(device) for k, v in self._tokenize([texts[i] for i in chunk]).items()}
            if not self.trainable_layers:
                pooled = self._pool(batch).cpu().numpy()
                out.update({index: vector for index, vector in zip(chunk, pooled)})
                continue
            hidden = self.auto_model.embeddings(input_ids=batch["input_ids"],
                                                token_type_ids=batch.get("token_type_ids"))
            hidden = self._run_layers(hidden, batch["attention_mask"], self._layers[: self.frozen_layers])
            lengths = batch["attention_mask"].sum(1).tolist()
            for row, (index, length) in enumerate(zip(chunk, lengths)):
                out[index] = hidden[row, : int(length)].cpu().numpy().astype(np.float16).reshape(-1)
        return out

    def _cached(self, texts: list[str]) -> list[np.ndarray]:
        vectors, _ = cached_compute(self.cache, [text_sha1(t) for t in texts], lambda idx: self._compute(texts, idx))
        return vectors

    def features(self, texts: Sequence[str]) -> np.ndarray:
        """Frozen pooled embeddings (n, 384), through the cache (fully frozen tower only)."""
        texts = [str(t) for t in texts]
        if self.trainable_layers:
            self._cached(texts)  # warm the cache of the last frozen layer
            return np.zeros((len(texts), 0), np.float32)
        return np.stack(self._cached(texts)).astype(np.float32) if texts else np.zeros((0, self.dim), np.float32)

    def preprocess(self, inputs: Sequence, prompt: str | None = None, **kwargs) -> dict[str, Any]:
        texts = [(prompt or "") + str(text) for text in inputs]
        if self.trainable_layers == 0:
            features = {"sentence_embedding": torch.from_numpy(self.features(texts))}
            if self.emit_tokens:
                tokens = self._tokenize(texts)
                features.update(input_ids=tokens["input_ids"], attention_mask=tokens["attention_mask"])
            return features
        tokens = self._tokenize(texts)
        hidden = torch.zeros(*tokens["input_ids"].shape, self.dim)
        for row, vector in enumerate(self._cached(texts)):
            states = torch.from_numpy(vector.astype(np.float32)).reshape(-1, self.dim)
            hidden[row, : len(states)] = states
        tokens["frozen_hidden_states"] = hidden
        return tokens

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        if "sentence_embedding" in features:
            return features
        if "frozen_hidden_states" in features:
            hidden = features["frozen_hidden_states"].to(self.auto_model.dtype)
            tokens = self._run_layers(hidden, features["attention_mask"], self._layers[self.frozen_layers :])
            features["sentence_embedding"] = mean_pool(tokens, features["attention_mask"])
        else:
            features["sentence_embedding"] = self._pool(features)
        return features

    def save(self, output_path: str, *args, safe_serialization: bool = True, **kwargs) -> None:
        self.save_config(output_path)
        self.auto_model.save_pretrained(output_path, safe_serialization=safe_serialization)
        self.tokenizer.save_pretrained(output_path)

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", **kwargs) -> "TextTower":
        folder = Path(model_name_or_path, subfolder)
        config = json.loads((folder / cls.config_file_name).read_text())
        return cls(model_path=folder, **config)


class TokenBagHead(Module):
    """Text head: ``Linear(pooled MiniLM)`` plus a trainable mean of token embeddings.

    The bag learns the catalogue's own vocabulary (brands, colours, article types) that a frozen
    sentence encoder blurs; it needs ``TextTower(emit_tokens=True)`` upstream.
    """

    config_keys = ["in_features", "out_features", "vocab_size"]
    config_file_name = "token_bag_config.json"

    def __init__(self, in_features: int, out_features: int, vocab_size: int, init_std: float = 0.02):
        super().__init__()
        self.in_features, self.out_features, self.vocab_size = in_features, out_features, vocab_size
        self.linear = nn.Linear(in_features, out_features)
        self.bag = nn.Embedding(vocab_size, out_features)
        nn.init.normal_(self.bag.weight, std=init_std)

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        out = self.linear(features["sentence_embedding"])
        if "input_ids" in features:
            mask = features["attention_mask"].unsqueeze(-1).to(out.dtype)
            tokens = self.bag(features["input_ids"]) * mask
            out = out + tokens.sum(1) / mask.sum(1).clamp(min=1.0)
        features["sentence_embedding"] = out
        return features

    def get_embedding_dimension(self) -> int:
        return self.out_features

    def save(self, output_path: str, *args, safe_serialization: bool = True, **kwargs) -> None:
        from safetensors.torch import save_model

        from core.model.token_bag import full_table  # a bag trained compact saves its whole table

        Path(output_path, self.config_file_name).write_text(json.dumps(self.get_config_dict()))
        save_model(full_table(self), os.path.join(output_path, "model.safetensors"))

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", **kwargs) -> "TokenBagHead":
        from safetensors.torch import load_model as load_weights

        folder = Path(model_name_or_path, subfolder)
        module = cls(**json.loads((folder / cls.config_file_name).read_text()))
        load_weights(module, str(folder / "model.safetensors"))
        return module
