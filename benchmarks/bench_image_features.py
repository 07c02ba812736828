"""Benchmark image feature extraction end to end: torch vs ONNX Runtime, at a few batch sizes.

    python -m benchmarks.bench_image_features [--catalog DIR] [--images 1024] [--torch-images 256] \
        [--batches 16,32,64] [--repeat 3] [--threads 2]

Each run goes through ``ImageTower.features`` on N catalogue images with a cold feature cache in a
temporary folder: content keys, decoding and preprocessing (prefetched in a thread), the backbone,
the colour histogram and the cache write. Variants: torch NCHW and torch channels-last (what the
torch path runs; one pass each, they are slow), ONNX Runtime per batch size, and ONNX Runtime
without the decode prefetch (round robin). The export and the session opening are timed apart. The machine may be shared: the load average
(``/proc/loadavg``, which counts this benchmark too) is printed before and after each run, with the
cores this process got (CPU time / wall time: below the machine's cores, others were running).
``--int8`` adds a probe of static int8 quantisation of the export (tower only, features compared
to fp32), for a possible future feature version; the product does not run int8. Nothing here asserts.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import core.model.towers as towers
from benchmarks import loadavg

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fashion-product-images-small"


def file_sha1(path: str) -> str:
    from core.model.features import file_sha1 as sha1

    return sha1(path)


class TorchNCHW:
    """The tower's graph in torch's default NCHW layout (given a backbone that is not channels-last)."""

    folder = None  # the tower's attach_cache sets it; nothing is exported

    def __call__(self, backbone, ends, batch, **_):
        import torch

        from core.model.backbones import pooled_features

        with torch.no_grad():
            return pooled_features(backbone, torch.from_numpy(batch), list(ends), channels_last=False).numpy()


def one_pass(tower, paths: list[str], folder: Path, onnx_dir: Path) -> dict:
    """One cold-cache pass of ``tower.features`` over ``paths`` (cache in ``folder``)."""
    tower.attach_cache(folder)
    tower.runner.folder = onnx_dir
    before = loadavg()
    started, cpu = time.perf_counter(), time.process_time()
    matrix, failed = tower.features(paths)
    seconds = time.perf_counter() - started
    cpu = (time.process_time() - cpu) / seconds  # cores this process got: below the cores = others ran
    assert not failed and len(tower.cache) == len({file_sha1(p) for p in paths})  # identical files share a row
    tower.cache.close()
    return {"seconds": seconds, "cpu": cpu, "load_before": before, "load_after": loadavg(), "matrix": matrix}


def summary(name: str, images: int, passes: list[dict]) -> dict:
    """The fastest pass's figures (the least disturbed by others on a shared machine), with every
    pass's img/s and cores in run order."""
    best = min(passes, key=lambda p: p["seconds"])
    return {"variant": name, "images": images, "img_s": images / best["seconds"],
            "all_img_s": [f"{images / p['seconds']:.1f} ({p['cpu']:.1f} cores)" for p in passes], **best}


@contextmanager
def decoding_inline(inline: bool):
    """Decode each batch just before it runs (no prefetch thread) while ``inline``."""
    prefetched = towers.prefetched
    if inline:
        towers.prefetched = lambda function, parts, depth=2: map(function, parts)
    try:
        yield
    finally:
        towers.prefetched = prefetched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", default=str(DEFAULT_CATALOG), help="folder with images/ (read only)")
    parser.add_argument("--images", type=int, default=1024, help="images per ONNX Runtime run")
    parser.add_argument("--torch-images", type=int, default=256, help="images per torch run (slow)")
    parser.add_argument("--batches", default="16,32,64", help="ONNX Runtime batch sizes")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (ORT uses the cores)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per variant (the fastest is shown)")
    parser.add_argument("--int8", action="store_true",
                        help="also probe static int8 quantisation of the export (tower only; not what the product runs)")
    args = parser.parse_args(argv)

    import copy

    import numpy as np
    import torch

    from core.model.onnx_backbone import BackboneRunner, cpu_cores
    from core.model.towers import ImageTower

    torch.set_num_threads(args.threads)
    images = sorted(Path(args.catalog, "images").glob("*.jpg"))
    paths = [str(p) for p in images[: max(args.images, args.torch_images) + 64]]
    for path in paths:  # the page cache warm for every variant alike
        Path(path).read_bytes()
    warmup, paths = paths[:64], paths[64:]
    print(f"{len(images)} images in the catalogue; {cpu_cores()} cores; torch threads {args.threads}; load {loadavg()}")

    tower = ImageTower(image_size=args.image_size)
    default_batch = tower.batch_size
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-image-features-") as tmp:
        root, onnx_dir = Path(tmp), Path(tmp, "onnx")
        started = time.perf_counter()
        tower.runner = BackboneRunner(tower.variant, tower.image_size, folder=onnx_dir)
        tower.runner.session(tower.backbone, tower._pooled_stages, job_size=10**9)
        print(f"ONNX export + open + probe check: {time.perf_counter() - started:.2f} s (failed: {tower.runner.failed})")
        started = time.perf_counter()
        tower.runner = BackboneRunner(tower.variant, tower.image_size, folder=onnx_dir)
        tower.runner.session(tower.backbone, tower._pooled_stages, job_size=10**9)
        print(f"ONNX open of the cached export + probe check: {time.perf_counter() - started:.2f} s")

        torch_tower = ImageTower(image_size=args.image_size)
        torch_tower.runner.enabled = False
        nchw_tower = ImageTower(image_size=args.image_size)
        nchw_tower.backbone = copy.deepcopy(nchw_tower.backbone).to(memory_format=torch.contiguous_format)
        nchw_tower.runner = TorchNCHW()
        subset = paths[: args.torch_images]
        for name, item in ((f"torch-nchw b{default_batch}", nchw_tower), (f"torch-channels-last b{default_batch}", torch_tower)):
            item.features(warmup[:8])
            results.append(summary(name, len(subset), [one_pass(item, subset, root / name, onnx_dir)]))
            print(_row(results[-1]), flush=True)

        onnx_paths = paths[: args.images]
        variants = [(f"onnx b{b}", int(b), False) for b in args.batches.split(",")]
        variants.append((f"onnx b{default_batch} no prefetch", default_batch, True))
        for _, batch, _ in variants:  # the session's first runs at each shape are slow
            tower.batch_size, tower.cache = batch, None
            tower.features(warmup[: 2 * batch])
        passes: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
        for attempt in range(args.repeat):  # round robin: a change in load hits every variant alike
            for name, batch, inline in variants:
                tower.batch_size = batch
                with decoding_inline(inline):
                    passes[name].append(one_pass(tower, onnx_paths, root / f"{name}-{attempt}", onnx_dir))
        for name, _, _ in variants:
            results.append(summary(name, len(onnx_paths), passes[name]))
            print(_row(results[-1]), flush=True)
        if args.int8:
            int8_probe(tower, onnx_dir, calibration=warmup, timed=onnx_paths[:256], repeat=args.repeat)

    reference = next(r for r in results if r["variant"].startswith("torch-channels-last"))
    for result in results:
        rows = min(len(reference["matrix"]), len(result["matrix"]))
        diff = np.abs(result["matrix"][:rows] - reference["matrix"][:rows]).max()
        print(f"max |{result['variant']} - torch channels-last| = {diff:.2e}")
    return 0


def int8_probe(tower, onnx_dir: Path, *, calibration: list[str], timed: list[str], repeat: int) -> None:
    """Static int8 (QDQ, per-channel weights, uint8 activations) of the fp32 export, calibrated on
    ``calibration`` images: tower-only img/s against fp32 on pre-decoded ``timed`` images, and how
    close the features stay (cosine to fp32). A probe for a future feature version: features change."""
    import numpy as np
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    from core.model.features import decode_images
    from core.model.onnx_backbone import open_session

    def batches(items: list[str], size: int) -> list[np.ndarray]:
        return [decode_images(items, list(range(start, min(start + size, len(items)))), tower.image_size, 0).pixels
                for start in range(0, len(items), size)]

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.left = iter(batches(calibration, 16))

        def get_next(self):
            batch = next(self.left, None)
            return None if batch is None else {"pixels": batch}

    source = next(onnx_dir.glob("*.onnx"))
    prepared, quantised = onnx_dir / "int8-pre.onnx", onnx_dir / "int8.onnx"
    started = time.perf_counter()
    quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
    quantize_static(str(prepared), str(quantised), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    print(f"int8 probe: quantised in {time.perf_counter() - started:.1f} s on {len(calibration)} calibration images")
    data = batches(timed, tower.batch_size)
    sessions = {"fp32": open_session(source), "int8": open_session(quantised)}
    rates: dict[str, list[float]] = {name: [] for name in sessions}
    for _ in range(max(1, repeat)):  # round robin
        for name, session in sessions.items():
            started = time.perf_counter()
            for batch in data:
                session.run(None, {"pixels": batch})
            rates[name].append(len(timed) / (time.perf_counter() - started))
    for name, values in rates.items():
        print(f"int8 probe: {name} tower only {max(values):.1f} img/s (passes {', '.join(f'{v:.1f}' for v in values)})")
    fp32, int8 = (np.concatenate([s.run(None, {"pixels": b})[0] for b in data]) for s in sessions.values())
    cosine = (fp32 * int8).sum(1) / (np.linalg.norm(fp32, axis=1) * np.linalg.norm(int8, axis=1))
    print(f"int8 probe: feature cosine to fp32 median {np.median(cosine):.4f}, min {cosine.min():.4f} "
          f"over {len(timed)} images")


def _row(result: dict) -> str:
    spread = f"  (passes in run order: {', '.join(map(str, result['all_img_s']))})" if len(result["all_img_s"]) > 1 else ""
    return (f"{result['variant']:<26} {result['images']:>5} img {result['seconds']:7.2f} s "
            f"{result['img_s']:7.1f} img/s {result['cpu']:4.1f} cores   load {result['load_before']} -> {result['load_after']}{spread}")


if __name__ == "__main__":
    raise SystemExit(main())
