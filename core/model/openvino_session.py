"""OpenVINO sessions in bfloat16 for the image backbone's ONNX export, where the CPU computes bf16.

On CPUs with bf16 arithmetic (Intel AMX / AVX512_BF16, AMD Zen 4 and later) OpenVINO runs the pooled
EfficientNet-Lite export about twice as fast in bf16 as ONNX Runtime or OpenVINO in fp32 (2 cores,
224 px, batch 32: 230-267 img/s against 125-137; ``benchmarks/bench_image_features.py``). The
features move a little (cosine to fp32 >= 0.998 on random inputs), so bf16 is a feature *version* of
its own, like int8 (:mod:`core.model.quantize`): cached under its own name, never mixed with fp32.
On a CPU without bf16 arithmetic OpenVINO would quietly compute in fp32; :func:`open_bf16` refuses
instead, and the tower then runs (and caches) plain fp32 features, which are within that cosine.

Its outputs are deterministic: the same image gives the same bits at any batch size and thread
count (checked on 1 vs 32 images, 1 vs 2 threads), so a query image matches the index's rows.

Trade-off accepted: a second runtime (``openvino``, ~180 MB installed) beside ONNX Runtime, for the
one network every catalogue pays for; compiling the export takes ~0.3 s per process.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np


class Bf16Unavailable(RuntimeError):
    """OpenVINO is missing, or this CPU has no bf16 arithmetic."""


@functools.lru_cache(maxsize=1)
def bf16_support() -> str | None:
    """None when bf16 features can run here; else why not (one line)."""
    try:
        import openvino as ov
    except ImportError:
        return "openvino is not installed (`pip install openvino`)"
    try:
        capabilities = ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception as error:  # noqa: BLE001 - no CPU plugin: nothing runs in it
        return f"OpenVINO has no CPU device ({type(error).__name__})"
    return None if "BF16" in capabilities else "this CPU has no bf16 arithmetic"


def runnable_precision(precision: str) -> str:
    """``precision``, except where this machine cannot compute it: fp32 then (warned once a process).
    bf16 needs bf16 arithmetic (:func:`bf16_support`), int8 VNNI on x86 (:func:`core.model.quantize.int8_support`)."""
    from core.model import quantize

    support = {"bf16": bf16_support, "int8": quantize.int8_support}.get(precision)
    reason = None if support is None else support()
    if reason is None:
        return precision
    closeness = {"bf16": "~0.002", "int8": "~0.01"}[precision]
    _warn_once(f"{precision} image features are not available here ({reason}): fp32 features instead, "
               f"within {closeness} cosine of them")
    return "fp32"


@functools.lru_cache(maxsize=4)
def _warn_once(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=4)


class OpenVinoSession:
    """A compiled model with ONNX Runtime's ``run(output_names, feeds)`` call: a batch is split across
    the compiled model's streams (one core each), which run at once."""

    def __init__(self, compiled, streams: int):
        self.compiled, self.streams = compiled, max(1, streams)

    def run(self, output_names: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        (name, batch), = feeds.items()
        parts = np.array_split(np.arange(len(batch)), min(self.streams, len(batch))) if len(batch) else [np.arange(0)]
        requests = [self.compiled.create_infer_request() for _ in parts]
        for request, part in zip(requests, parts):
            request.start_async({name: np.ascontiguousarray(batch[part])})
        for request in requests:
            request.wait()
        return [np.concatenate([np.array(r.get_tensor(self.compiled.output(o)).data, dtype=np.float32) for r in requests])
                for o in output_names]


def open_bf16(model: bytes | Path, threads: int) -> OpenVinoSession:
    """The ONNX ``model`` compiled for the CPU in bf16 with ``threads`` threads (:class:`Bf16Unavailable`
    where it cannot run in bf16)."""
    reason = bf16_support()
    if reason:
        raise Bf16Unavailable(reason)
    import openvino as ov

    core = ov.Core()
    network = core.read_model(model=model if isinstance(model, bytes) else str(model))
    compiled = core.compile_model(network, "CPU", {
        "INFERENCE_PRECISION_HINT": "bf16", "INFERENCE_NUM_THREADS": int(threads), "PERFORMANCE_HINT": "THROUGHPUT",
        "NUM_STREAMS": int(threads)})
    if compiled.get_property("INFERENCE_PRECISION_HINT") != ov.Type.bf16:
        raise Bf16Unavailable(f"OpenVINO compiled in {compiled.get_property('INFERENCE_PRECISION_HINT')}, not bf16")
    return OpenVinoSession(compiled, int(compiled.get_property("NUM_STREAMS")))
