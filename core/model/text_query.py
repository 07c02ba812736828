"""The one-text route of a saved lit model: a search query's vector without sentence-transformers.

:class:`TextQueryEncoder` runs MiniLM (frozen), its heads and the normalisation exactly as
``SentenceTransformer.encode`` does on a batch of one text (``core.model.load.saved_layout`` says
when a saved model has such a route); the tower itself runs in ONNX Runtime when an export is on
disk or once a long-lived process started one (``core.model.onnx_text``), else in torch.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import numpy as np

from core.model.threads import single_intra_op_thread

class TextQueryEncoder:
    """The text route of a saved lit model without sentence-transformers: the same modules and
    operations as ``SentenceTransformer.encode`` on a batch of one text (see the module docstring).

    Always on one intra-op thread, the regime search has always encoded queries in
    (``core.model.threads.single_intra_op_thread``): the thread count changes the last bits of the
    vectors, and that context is a no-op when torch is not loaded yet, which is now the case at a
    process's first query.

    With ``onnx_dir`` (a saved model loaded with a cache folder) the tower runs in ONNX Runtime once
    its runner was started and its session is open (:mod:`core.model.onnx_text`: about twice as
    fast, features within 1e-6 of torch); until then, and without one, every query is encoded in
    torch, bit for bit as the whole model.
    """

    def __init__(self, folder: str | os.PathLike, route: dict, *, onnx_dir: str | os.PathLike | None = None):
        import torch
        from safetensors.torch import load_file

        from core.model.onnx_text import TextRunner, open_exported

        folder = Path(folder)
        self.tower = folder / route["tower"]
        self.max_seq_length = int(route["max_seq_length"])
        self.heads = [(head["kind"], load_file(str(folder / head["folder"] / "model.safetensors")))
                      for head in route["heads"]]
        self.dim = int(route["heads"][-1]["dim"])
        self._torch = torch
        self._last: tuple[str, np.ndarray] | None = None  # a search asks for a text's vector, then its attributes
        self._auto_model = self._tokenizer = None
        self._loading = threading.Lock()
        self.fast_tokenizer = None  # the tower's tokenizer.json without transformers, when an export is open
        self.runner = None if onnx_dir is None else TextRunner(self, self.tower, Path(onnx_dir))
        if self.runner is not None:  # an export already on disk (build writes it): no transformers at all
            opened = open_exported(self.tower, self.runner.export, self.max_seq_length)
            if opened is not None:
                self.fast_tokenizer, session = opened
                self.runner.adopt(session)

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._load_tower()
        return self._tokenizer

    @property
    def auto_model(self):
        if self._auto_model is None:
            self._load_tower()
        return self._auto_model

    def _load_tower(self) -> None:
        from transformers import AutoModel, AutoTokenizer

        from core.model.backbones import quiet_weight_loading

        with self._loading, warnings.catch_warnings(), quiet_weight_loading():  # as load_model: the same silence
            warnings.simplefilter("ignore", FutureWarning)
            if self._auto_model is None:
                tokenizer = AutoTokenizer.from_pretrained(str(self.tower), local_files_only=True)
                model = AutoModel.from_pretrained(str(self.tower), local_files_only=True)
                model.requires_grad_(False)
                model.eval()
                self._tokenizer, self._auto_model = tokenizer, model

    def _tokens(self, text: str) -> dict:
        """input_ids, attention_mask, token_type_ids of ``text`` as (1, n) int64 torch tensors."""
        if self.fast_tokenizer is not None:
            from core.model.onnx_text import encode_one

            return {k: self._torch.from_numpy(v) for k, v in encode_one(self.fast_tokenizer, text).items()}
        return dict(self.tokenizer([text], padding=True, truncation=True, max_length=self.max_seq_length,
                                   return_tensors="pt"))

    def features(self, text: str) -> np.ndarray:
        """(1, 384) pooled MiniLM features of ``text`` (what ``TextTower.features`` returns)."""
        from core.model.backbones import mean_pool

        last = self._last
        if last is not None and last[0] == text:
            return last[1].copy()
        tokens = self._tokens(text)
        fast = self.runner.pooled(tokens) if self.runner is not None else None
        if fast is not None:
            features = np.asarray(fast[:1], dtype=np.float32)
        else:
            with single_intra_op_thread(), self._torch.no_grad():
                inputs = {k: tokens[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in tokens}
                pooled = mean_pool(self.auto_model(**inputs).last_hidden_state, tokens["attention_mask"])
            features = np.stack([pooled.cpu().numpy()[0]]).astype(np.float32)
        self._last = (text, features)
        return features.copy()

    def encode(self, text: str) -> np.ndarray:
        """(1, dim) unit vector of ``text``, equal to the whole model's."""
        functional = self._torch.nn.functional
        out = self._torch.from_numpy(self.features(text))
        tokens = self._tokens(text)
        with single_intra_op_thread(), self._torch.inference_mode():
            for kind, weights in self.heads:
                if kind == "TokenBagHead":
                    bag = functional.linear(out, weights["linear.weight"], weights["linear.bias"])
                    mask = tokens["attention_mask"].unsqueeze(-1).to(bag.dtype)
                    words = functional.embedding(tokens["input_ids"], weights["bag.weight"]) * mask
                    out = bag + words.sum(1) / mask.sum(1).clamp(min=1.0)
                else:  # Dense without activation
                    out = functional.linear(out, weights["linear.weight"], weights.get("linear.bias"))
            out = functional.normalize(out, p=2, dim=-1)  # the model's Normalize module
            out = functional.normalize(out, p=2, dim=1)  # encode(normalize_embeddings=True)
        return out.cpu().numpy().astype(np.float32)
