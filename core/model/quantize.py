"""Static int8 quantisation of the image backbone's ONNX export, for feature extraction.

The pooled EfficientNet-Lite export (:mod:`core.model.onnx_backbone`) runs about twice as fast in
ONNX Runtime once its convolutions are int8 (QDQ format, per-channel int8 weights, uint8
activations): ``benchmarks/bench_image_features.py --int8`` measured 301 against 149 img/s for the
tower alone on 2 cores. Features move a little (cosine to fp32 median 0.995, 5th percentile 0.989 on
512 real catalogue images), so int8 is a feature *version* of its own: a model trained on int8
features is served with int8 features (the tower's ``precision``), and the two never share a cache.
It is opt-in (``train --precision int8``): on the shared catalogue the int8 model scored test
text→image R@1 0.452 / R@10 0.912 against 0.473 / 0.907 for fp32 (20 epochs, same seed), and
whole-catalogue R@1 0.131 against 0.145, outside the 0.005 the quality bar allows.

Activation ranges are calibrated (min/max) on :data:`CALIBRATION_IMAGES` pictures drawn by the demo
generator, never on the user's catalogue: the export, and so every feature, depends only on the
backbone weights and this module's :data:`CALIBRATION_VERSION`. Calibrating on 64 drawn products
or on 64 real photos gave the same closeness to fp32 on real photos (median 0.995 vs 0.992).

Trade-off accepted: quantising takes 10-15 s once per home (the result is cached beside the fp32
export), and ``onnx`` plus ``onnxruntime.quantization`` must be importable; without them the runner
falls back to fp32 torch with a warning and the features approximate the int8 ones.
"""

from __future__ import annotations

import functools
import platform
import tempfile
import warnings
from pathlib import Path

import numpy as np

CALIBRATION_IMAGES = 64
CALIBRATION_BATCH = 16
CALIBRATION_VERSION = "drawn64-minmax-v2"
"""Part of the int8 export's name: bump when the calibration images or method change."""
PRECISIONS = ("fp32", "int8", "bf16")  # bf16: core.model.openvino_session
MIN_PROBE_COSINE = 0.95
"""The int8 export must stay this close (cosine) to torch fp32 on the probe image to be used."""


VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


def cpu_flags() -> frozenset[str] | None:
    """The x86 feature flags of this CPU (Linux ``/proc/cpuinfo``); None where they cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            line = next((line for line in info if line.startswith("flags")), None)
    except OSError:
        return None
    return None if line is None else frozenset(line.split(":", 1)[1].split())


@functools.lru_cache(maxsize=1)
def int8_support() -> str | None:
    """None when int8 features can run here; else why not (one line).

    On an x86 CPU without VNNI, ONNX Runtime multiplies uint8 activations by int8 weights with
    ``VPMADDUBSW``, whose 16-bit pair sums saturate: this export's features then lose their direction
    (cosine to fp32 0.61-0.81 on the probe images on an AVX2-only AMD EPYC; 7-bit weights 0.85-0.96).
    Elsewhere (VNNI, AMX, ARM) the probe images stay above 0.98. Where the flags cannot be read, the
    export's own probe check (``MIN_PROBE_COSINE``) still refuses a bad export.
    """
    if platform.machine().lower() not in ("x86_64", "amd64", "i386", "i686"):
        return None
    flags = cpu_flags()
    if flags is None or flags & VNNI_FLAGS:
        return None
    return "this CPU has no VNNI, without which ONNX Runtime's int8 convolutions saturate"


def drawn_pixels(image_size: int, count: int, first_seed: int = 0) -> np.ndarray:
    """``count`` drawn products (every demo article type and colour in turn, seeds from
    ``first_seed``), preprocessed as catalogue images are."""
    from core.data.demo.articles import ARTICLES
    from core.data.demo.generate import COLOUR_RGB, draw_product
    from core.model.features import decode_images

    colours = list(COLOUR_RGB)
    images = [draw_product(ARTICLES[i % len(ARTICLES)].article_type, colours[(i * 7) % len(colours)], seed=i)
              for i in range(first_seed, first_seed + count)]
    return decode_images(images, range(len(images)), image_size, 0).pixels


def calibration_pixels(image_size: int) -> np.ndarray:
    """The calibration batch: :data:`CALIBRATION_IMAGES` drawn products."""
    return drawn_pixels(image_size, CALIBRATION_IMAGES)


def probe_pixels(image_size: int) -> np.ndarray:
    """Four drawn products outside the calibration set: the int8 export's check against torch."""
    return drawn_pixels(image_size, 4, first_seed=10_000)


def quantize(source: bytes | Path, image_size: int, input_name: str) -> bytes:
    """The int8 (QDQ) model of the fp32 export ``source``, calibrated on :func:`calibration_pixels`."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    pixels = calibration_pixels(image_size)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter(np.array_split(pixels, max(1, len(pixels) // CALIBRATION_BATCH)))

        def get_next(self):
            batch = next(self.batches, None)
            return None if batch is None else {input_name: np.ascontiguousarray(batch)}

    with tempfile.TemporaryDirectory(prefix="int8-export-") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folder = Path(tmp)
        fp32, prepared, int8 = folder / "fp32.onnx", folder / "prepared.onnx", folder / "int8.onnx"
        fp32.write_bytes(source if isinstance(source, bytes) else Path(source).read_bytes())
        quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quantize_static(str(prepared), str(int8), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax)
        return int8.read_bytes()


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine of two (n, d) arrays."""
    return (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
