"""ONNX Runtime for one search query's text features: the frozen MiniLM tower and its mean pooling.

A query is one short text. On one intra-op thread (the regime every query runs in) MiniLM takes
10-14 ms in torch and 5-6 ms in ONNX Runtime, outputs within 1e-6 (``benchmarks/bench_search.py``
and ``bench_startup.py`` measure the effect). :class:`TextRunner` owns that choice for the one-text
route of a saved model (:class:`core.model.text_query.TextQueryEncoder`): it exports the tower with its
pooling once per weights to ``<folder>/minilm-<sha256 of the tower's weights file>-v<N>.onnx``
(written atomically; a file that does not load, or does not match torch on probe texts, is
rebuilt), opens it on one thread, and from then on answers :meth:`TextRunner.pooled`.

No query waits for it: a long-lived process (the dashboard) calls :meth:`TextRunner.start`, which
does the work in a background thread (on a copy of the tower, so a concurrent torch query never
sees a module being traced), and queries are answered by torch until the session is open;
``python -m core build`` exports the file (:meth:`TextRunner.ensure`), so a process only opens it.
A one-shot command (``search``, ``ask``) never exports: it opens an export already on disk
(:func:`open_exported`: the ``tokenizers`` library and ONNX Runtime, 0.5 s) instead of importing
transformers and loading the torch tower (3-5 s), and otherwise stays in torch.
Without a folder there is no runner and queries stay in torch, bit for bit as the whole model
encodes them. When onnx / onnxruntime is missing or the export fails, the runner says so once and
queries stay in torch.
"""

from __future__ import annotations

import copy
import threading
from functools import cached_property
import warnings
from pathlib import Path

import numpy as np

from core.files import atomic_write, file_sha256

EXPORT_VERSION = 1
"""Part of every export's file name: bump when the exported graph changes (opset, wrapper, names)."""
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "pooled"
PROBE_TEXTS = ("red t-shirt", "Puma Men Navy Blue Running Shoes with a cushioned sole", "ünïcödé kurta")
PROBE_TOLERANCE = 1e-4  # ORT vs torch on the probe texts; they agree within ~1e-6 in practice


def weights_file(tower: Path) -> Path | None:
    """The tower's weights file (``model.safetensors`` or ``pytorch_model.bin``), or None."""
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (tower / name).is_file():
            return tower / name
    return None


def _pooled_module(auto_model):
    import torch

    class PooledText(torch.nn.Module):
        """What is exported: the transformer's last hidden state, mean-pooled over the mask."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    return PooledText(auto_model).eval()


def export_text(auto_model, tokenizer, path: Path) -> Path:
    """Export ``auto_model`` + mean pooling (dynamic batch and length) to ``path`` atomically."""
    import torch

    wrapper = _pooled_module(auto_model)
    example = dict(tokenizer(["a short text", "two"], padding=True, return_tensors="pt"))
    if "token_type_ids" not in example:
        example["token_type_ids"] = torch.zeros_like(example["input_ids"])
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {OUTPUT: {0: "batch"}}

    def write(target) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer and deprecation chatter
            torch.onnx.export(wrapper, tuple(example[name] for name in INPUTS), target, dynamo=False,
                              opset_version=OPSET, input_names=list(INPUTS), output_names=[OUTPUT],
                              dynamic_axes=axes)

    atomic_write(path, write)
    return path


def feeds(tokens: dict) -> dict[str, np.ndarray]:
    """ORT inputs from a tokenizer's tensors (int64; zero token types when the tokenizer has none)."""
    ids = np.asarray(tokens["input_ids"], dtype=np.int64)
    out = {"input_ids": ids, "attention_mask": np.asarray(tokens["attention_mask"], dtype=np.int64)}
    types = tokens.get("token_type_ids")
    out["token_type_ids"] = np.zeros_like(ids) if types is None else np.asarray(types, dtype=np.int64)
    return out


def export_path(tower: Path, folder: Path) -> Path | None:
    """Where the export of ``tower``'s weights lives in ``folder`` (None: no weights file)."""
    weights = weights_file(tower)
    return None if weights is None else folder / f"minilm-{file_sha256(weights)[:16]}-v{EXPORT_VERSION}.onnx"


def open_exported(tower: Path, path: Path | None, max_length: int):
    """``(tokenizer, session)`` for ``tower`` exported at ``path`` (:func:`export_path`), without torch
    or transformers (the ``tokenizers`` library reads the tower's ``tokenizer.json``, which is what its
    fast tokenizer runs); None when there is no export or it does not open."""
    try:
        if path is None or not path.is_file() or not (tower / "tokenizer.json").is_file():
            return None
        from tokenizers import Tokenizer

        from core.model.ort_session import open_session

        tokenizer = Tokenizer.from_file(str(tower / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(int(max_length))
        return tokenizer, open_session(path, threads=1)
    except Exception:  # noqa: BLE001 - a damaged file, a missing package: the torch route stays
        return None


def encode_one(tokenizer, text: str) -> dict[str, np.ndarray]:
    """(1, n) int64 input_ids, attention_mask, token_type_ids of ``text`` from a ``tokenizers``
    tokenizer (the same ids as the tower's fast tokenizer with truncation, no padding)."""
    encoding = tokenizer.encode(text)
    return {"input_ids": np.asarray([encoding.ids], np.int64),
            "attention_mask": np.asarray([encoding.attention_mask], np.int64),
            "token_type_ids": np.asarray([encoding.type_ids], np.int64)}


class TextRunner:
    """ONNX Runtime for a text tower's pooled features, opened in the background (see the module).
    ``owner`` gives the torch tower and its tokenizer (``auto_model``, ``tokenizer``), loaded only
    when an export has to be made or checked."""

    def __init__(self, owner, tower: Path, folder: Path):
        self.owner = owner
        self.tower = Path(tower)
        self.folder = Path(folder)
        self.failed: str | None = None
        self.path: Path | None = None
        self._session = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return self._session is not None

    @cached_property
    def export(self) -> Path | None:
        """Where this tower's export lives (hashing the weights file once per runner: 0.2 s); None
        when the weights file is missing or unreadable."""
        try:
            return export_path(self.tower, self.folder)
        except OSError:
            return None

    def adopt(self, session) -> None:
        """Use a session already opened on :attr:`export` (found on disk)."""
        self._session, self.path = session, self.export

    def pooled(self, tokens: dict) -> np.ndarray | None:
        """(n, dim) pooled features from ONNX Runtime, or None (not started, not open yet, or
        unavailable): use torch."""
        session = self._session
        return None if session is None else session.run([OUTPUT], feeds(tokens))[0]

    def start(self) -> None:
        """Export (or find) and open the session in a daemon thread; once per runner."""
        with self._lock:
            if self._thread is not None or self.failed or self._session is not None:
                return
            self._thread = threading.Thread(target=self._open, name="onnx-text", daemon=True)
            self._thread.start()

    def ensure(self, timeout: float | None = None) -> bool:
        """Start and wait until the session is open (``build`` calls it); True when ONNX Runtime runs."""
        self.start()
        if self._thread is not None:
            self._thread.join(timeout)
        return self.active

    def _open(self) -> None:
        try:
            self._session = self._load_or_export()
        except Exception as error:  # noqa: BLE001 - missing package, export or load failure: stay in torch
            self.failed = f"{type(error).__name__}: {error}"
            warnings.warn(f"text queries stay in torch: ONNX Runtime is unavailable ({self.failed})", stacklevel=2)

    def _load_or_export(self):
        import onnxruntime  # noqa: F401 - fail here (and stay in torch) when it is not installed

        from core.model.ort_session import open_session

        path = self.export
        if path is None:
            raise FileNotFoundError(f"no weights file in {self.tower}")
        model = copy.deepcopy(self.owner.auto_model)  # traced and probed apart from the one queries use
        if path.is_file():
            try:
                session = open_session(path, threads=1)
                if self._matches(session, model):
                    self.path = path
                    return session
            except Exception:  # noqa: BLE001 - a damaged or foreign file: export again
                pass
        export_text(model, self.owner.tokenizer, path)
        session = open_session(path, threads=1)
        if not self._matches(session, model):
            raise RuntimeError("the ONNX export does not match torch on the probe texts")
        self.path = path
        return session

    def _matches(self, session, model) -> bool:
        import torch

        wrapper = _pooled_module(model)
        for text in PROBE_TEXTS:
            tokens = feeds(dict(self.owner.tokenizer([text], truncation=True, return_tensors="np")))
            with torch.no_grad():
                expected = wrapper(*(torch.from_numpy(tokens[name]) for name in INPUTS)).numpy()
            got = session.run([OUTPUT], tokens)[0]
            if got.shape != expected.shape or not np.allclose(got, expected, atol=PROBE_TOLERANCE):
                return False
        return True
