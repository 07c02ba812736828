"""ONNX Runtime (or OpenVINO in bf16) for the frozen image backbone: exported once, cached on disk, run for
feature extraction.

Feature extraction (no gradients) spends nearly all its time in the EfficientNet-Lite backbone, and
ONNX Runtime runs the same graph several times faster than torch on CPU (end to end at 224 px on 2
cores, ``benchmarks/bench_image_features.py``: 180-200 img/s against 40-54 for torch channels-last;
outputs equal within 2.5e-5 on values up to 15). :class:`BackboneRunner` owns that
choice for one image tower: it exports the backbone *with its stage pooling* (the exact function of
:func:`core.model.backbones.pooled_features`) to ``<folder>/<variant>@<size>-s<ends>-<weights
sha256>-v<N>.onnx`` (written atomically; a file that does not load or does not match torch on a probe
image is rebuilt), opens it with full graph optimisation and one intra-op thread per core, and
falls back to torch with a one-line warning when onnx / onnxruntime is missing or the export fails.
A ``bf16`` runner compiles the same fp32 export in OpenVINO instead (:mod:`core.model.openvino_session`),
an ``int8`` one runs its quantised copy (:mod:`core.model.quantize`).
Without a folder (or with one that cannot be written) the export lives in memory for the runner's lifetime. Training never comes here:
the tower's ``forward`` (raw pixels, gradients) stays in torch.

Trade-off accepted: opening or exporting a session costs 0.1 s (cached file) to 3 s (export), so a
job smaller than ``min_images`` stays in torch until a session is open; and the weights are keyed
by a sha256 of the state dict, recomputed only when a tensor's in-place version counter moves.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import warnings
from pathlib import Path

import numpy as np
import torch

from core.files import atomic_write
from core.model.backbones import pooled_features
from core.model.features import input_shape, size_label
from core.model.openvino_session import open_bf16
from core.model.ort_session import cpu_cores, open_session
from core.model.quantize import CALIBRATION_VERSION, MIN_PROBE_COSINE, PRECISIONS, cosine, probe_pixels, quantize

EXPORT_VERSION = 1
"""Part of every export's file name: bump when the exported graph changes (opset, wrapper, names)."""
OPSET = 17
INPUT, OUTPUT = "pixels", "features"
PROBE_TOLERANCE = 1e-3  # ORT vs torch on the probe image; they agree within ~2e-5 in practice
_MADE: dict[str, bytes] = {}  # export name -> model bytes, the few latest of this process


class _PooledBackbone(torch.nn.Module):
    """The graph that is exported: :func:`pooled_features` as a module."""

    def __init__(self, backbone: torch.nn.Module, ends: list[int]):
        super().__init__()
        self.backbone = backbone
        self.ends = list(ends)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        return pooled_features(self.backbone, pixels, self.ends)


# -- keys and files -------------------------------------------------------------------------
def weights_stamp(module: torch.nn.Module) -> tuple[int, ...]:
    """A cheap change detector: the identity and in-place version of every parameter and buffer."""
    return tuple(v for t in module.state_dict(keep_vars=True).values() for v in (id(t), t._version))


def weights_sha256(module: torch.nn.Module) -> str:
    """sha256 of the state dict (names, dtypes, shapes, values in the standard layout)."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        tensor = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}:".encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()


def export_name(variant: str, image_size: int | tuple[int, int], ends: list[int], weights: str, precision: str = "fp32") -> str:
    """``efficientnet-lite0@224-s5.10.14.15-<16 hex>-v1.onnx``: what the graph depends on; an int8
    export adds its calibration (``...-v1-int8-drawn64-minmax-v1.onnx``)."""
    stages = ".".join(map(str, ends)) or "none"
    suffix = "" if precision == "fp32" else f"-{precision}-{CALIBRATION_VERSION}"
    return f"{variant}@{size_label(image_size)}-s{stages}-{weights[:16]}-v{EXPORT_VERSION}{suffix}.onnx"


def export_backbone(backbone: torch.nn.Module, ends: list[int], image_size: int | tuple[int, int],
                    path: Path | None = None) -> bytes | Path:
    """Export the pooled backbone (dynamic batch) to ``path`` atomically, or to bytes without one."""
    wrapper = _PooledBackbone(backbone, ends).eval()  # export restores this mode: keep it eval
    example = torch.zeros(2, 3, *input_shape(image_size))

    def write(target) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer and deprecation chatter
            torch.onnx.export(wrapper, (example,), target, dynamo=False, opset_version=OPSET,
                              input_names=[INPUT], output_names=[OUTPUT],
                              dynamic_axes={INPUT: {0: "batch"}, OUTPUT: {0: "batch"}})

    if path is None:
        buffer = io.BytesIO()
        write(buffer)
        return buffer.getvalue()
    return atomic_write(path, lambda tmp: write(str(tmp)))


def probe_image(image_size: int | tuple[int, int]) -> np.ndarray:
    """A fixed, non-trivial (1, 3, height, width) input in [-1, 1] to compare ORT with torch."""
    rows, cols = (np.linspace(-1.0, 1.0, n, dtype=np.float32) for n in input_shape(image_size))
    return np.stack([np.add.outer(rows, cols) / 2, np.multiply.outer(rows, cols), np.sin(3 * np.add.outer(rows, -cols))]
                    ).astype(np.float32)[None]


# -- the runner -----------------------------------------------------------------------------
class BackboneRunner:
    """Pooled backbone features of a float32 NCHW batch: ONNX Runtime when it can, else torch.

    >>> runner = BackboneRunner("efficientnet-lite0", 224, folder=home / "cache" / "onnx")  # doctest: +SKIP
    >>> runner(backbone, ends, batch).shape                                                 # doctest: +SKIP
    (64, 1728)
    """

    def __init__(self, variant: str, image_size: int | tuple[int, int], *, folder: str | os.PathLike | None = None,
                 enabled: bool = True, min_images: int = 32, threads: int | None = None, precision: str = "fp32"):
        if precision not in PRECISIONS:
            raise ValueError(f"unknown backbone precision {precision!r}: choose {', '.join(PRECISIONS)}")
        self.precision = precision  # int8 / bf16: always the exported graph (its features are the model's), whatever the job size
        self.variant = variant
        self.image_size = input_shape(image_size)  # (height, width); a square is still named by one number
        self.folder = None if folder is None else Path(folder)
        self.enabled = enabled  # False: always torch
        self.min_images = min_images
        self.threads = threads
        self.failed: str | None = None  # why ONNX Runtime is off for this runner (warned once)
        self._session = None
        self._stamp: tuple | None = None
        self._lock = threading.Lock()

    def __getstate__(self):  # the trainer may deep-copy or pickle modules: sessions do not travel
        state = self.__dict__.copy()
        state.update(_session=None, _stamp=None, _lock=None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        """Whether the last call ran (or the next one will run) in ONNX Runtime."""
        return self._session is not None

    def __call__(self, backbone: torch.nn.Module, ends: list[int], batch: np.ndarray, *, job_size: int | None = None) -> np.ndarray:
        """Features of ``batch`` (n, 3, height, width) float32; ``job_size``: images in the whole job."""
        session = self.session(backbone, ends, job_size if job_size is not None else len(batch))
        if session is not None:
            return session.run([OUTPUT], {INPUT: np.ascontiguousarray(batch, dtype=np.float32)})[0]
        device = next(backbone.parameters()).device
        return pooled_features(backbone, torch.from_numpy(batch).to(device), ends).cpu().numpy()

    def session(self, backbone: torch.nn.Module, ends: list[int], job_size: int):
        """The open session for these weights, opening (or exporting) one for a job big enough."""
        if not self.enabled or self.failed or next(backbone.parameters()).device.type != "cpu":
            return None
        stamp = (weights_stamp(backbone), tuple(ends))
        if self._session is not None and stamp == self._stamp:
            return self._session
        if job_size < self.min_images and self.precision == "fp32":
            return None
        with self._lock:
            if self._session is None or stamp != self._stamp:
                try:
                    self._session, self._stamp = self._open(backbone, ends), stamp
                except Exception as error:  # noqa: BLE001 - any failure: torch still works
                    self._session, self.failed = None, _one_line(error)
                    approximate = f" (fp32: close to, not equal to, the {self.precision} features)" if self.precision != "fp32" else ""
                    runtime = "OpenVINO" if self.precision == "bf16" else "ONNX Runtime"
                    warnings.warn(f"image features run in torch{approximate}: {runtime} unavailable ({self.failed})",
                                  RuntimeWarning, stacklevel=3)
        return self._session

    def _open(self, backbone: torch.nn.Module, ends: list[int]):
        import onnxruntime  # noqa: F401 - fail before exporting when it is missing

        def checked(model: bytes | Path):
            if self.precision == "bf16":  # OpenVINO compiles the fp32 export in bf16
                return self._checked(open_bf16(model, self.threads or cpu_cores()), backbone, ends)
            return self._checked(open_session(model, self.threads), backbone, ends)

        graph = "int8" if self.precision == "int8" else "fp32"
        name = export_name(self.variant, self.image_size, ends, weights_sha256(backbone), graph)

        def make() -> bytes:
            if name not in _MADE:  # one export (and quantisation) per graph and process
                fp32 = export_backbone(backbone, ends, self.image_size)
                _MADE[name] = fp32 if graph == "fp32" else quantize(fp32, self.image_size, INPUT)
                while len(_MADE) > 4:
                    _MADE.pop(next(iter(_MADE)))
            return _MADE[name]

        if self.folder is None:
            return checked(make())
        path = self.folder / name
        if path.is_file():
            try:
                return checked(path)
            except Exception:  # noqa: BLE001 - corrupt, partial or stale: rebuild it below
                path.unlink(missing_ok=True)
        model = make()
        try:
            atomic_write(path, lambda tmp: Path(tmp).write_bytes(model))
        except OSError:  # a read-only or full cache folder: keep this export in memory
            return checked(model)
        return checked(path)

    def _checked(self, session, backbone: torch.nn.Module, ends: list[int]):
        """``session`` if it matches torch on :func:`probe_image`, else an error."""
        probe = probe_image(self.image_size) if self.precision != "int8" else probe_pixels(self.image_size)
        expected = pooled_features(backbone, torch.from_numpy(probe), ends).numpy()
        got = session.run([OUTPUT], {INPUT: probe})[0]
        if got.shape != expected.shape:
            raise ValueError("the exported backbone's output has the wrong shape")
        if self.precision != "fp32":  # quantised or bf16: close in direction, not equal
            if cosine(got, expected).min() < MIN_PROBE_COSINE:
                raise ValueError(f"the {self.precision} backbone is too far from torch on the probe image")
        elif not np.allclose(got, expected, rtol=PROBE_TOLERANCE, atol=PROBE_TOLERANCE):
            raise ValueError("the exported backbone does not match torch on the probe image")
        return session


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()
