"""Benchmark image feature extraction end to end: torch vs ONNX Runtime vs OpenVINO bf16, at a few batch sizes.

    python -m benchmarks.bench_image_features [--catalog DIR] [--images 1024] [--torch-images 256] \
        [--batches 16,32,64] [--repeat 3] [--threads 2]

Each run goes through ``ImageTower.features`` on N catalogue images with a cold feature cache in a
temporary folder: content keys, decoding and preprocessing (prefetched in a thread), the backbone,
the colour histogram and the cache write. Variants: torch NCHW and torch channels-last (what the
torch path runs; one pass each, they are slow), ONNX Runtime fp32 and int8 (the quantised export
of ``core.model.quantize``) and OpenVINO bf16 (``core.model.openvino_session``, where the CPU computes
bf16) per batch size, and each without the decode
prefetch (round robin). The export and the session opening are timed apart. The machine may be shared: the load average
(``/proc/loadavg``, which counts this benchmark too) is printed before and after each run, with the
cores this process got (CPU time / wall time: below the machine's cores, others were running).
The int8 and bf16 features' cosine to fp32 is printed (median and minimum). Nothing here asserts.
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
    parser.add_argument("--image-size", type=int, default=224, help="input height")
    parser.add_argument("--image-width", type=int, default=0, help="input width (0 = square)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (ORT uses the cores)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per variant (the fastest is shown)")
    args = parser.parse_args(argv)

    import copy

    import numpy as np
    import torch

    from core.model.onnx_backbone import BackboneRunner, cpu_cores
    from core.model.openvino_session import bf16_support
    from core.model.quantize import cosine, int8_support
    from core.model.towers import ImageTower

    torch.set_num_threads(args.threads)
    images = sorted(Path(args.catalog, "images").glob("*.jpg"))
    paths = [str(p) for p in images[: max(args.images, args.torch_images) + 64]]
    for path in paths:  # the page cache warm for every variant alike
        Path(path).read_bytes()
    warmup, paths = paths[:64], paths[64:]
    print(f"{len(images)} images in the catalogue; {cpu_cores()} cores; torch threads {args.threads}; load {loadavg()}")

    tower = ImageTower(image_size=args.image_size, image_width=args.image_width)
    default_batch = tower.batch_size
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-image-features-") as tmp:
        root, onnx_dir = Path(tmp), Path(tmp, "onnx")
        started = time.perf_counter()
        tower.runner = BackboneRunner(tower.variant, tower.input_size, folder=onnx_dir)
        tower.runner.session(tower.backbone, tower._pooled_stages, job_size=10**9)
        print(f"ONNX export + open + probe check: {time.perf_counter() - started:.2f} s (failed: {tower.runner.failed})")
        started = time.perf_counter()
        tower.runner = BackboneRunner(tower.variant, tower.input_size, folder=onnx_dir)
        tower.runner.session(tower.backbone, tower._pooled_stages, job_size=10**9)
        print(f"ONNX open of the cached export + probe check: {time.perf_counter() - started:.2f} s")

        torch_tower = ImageTower(image_size=args.image_size, image_width=args.image_width)
        torch_tower.runner.enabled = False
        nchw_tower = ImageTower(image_size=args.image_size, image_width=args.image_width)
        nchw_tower.backbone = copy.deepcopy(nchw_tower.backbone).to(memory_format=torch.contiguous_format)
        nchw_tower.runner = TorchNCHW()
        subset = paths[: args.torch_images]
        for name, item in ((f"torch-nchw b{default_batch}", nchw_tower), (f"torch-channels-last b{default_batch}", torch_tower)):
            item.features(warmup[:8])
            results.append(summary(name, len(subset), [one_pass(item, subset, root / name, onnx_dir)]))
            print(_row(results[-1]), flush=True)

        kinds = [("fp32", tower)]
        if int8_support() is None:
            int8_tower = ImageTower(image_size=args.image_size, image_width=args.image_width, precision="int8")
            int8_tower.runner.folder = onnx_dir
            started = time.perf_counter()
            int8_tower.runner.session(int8_tower.backbone, int8_tower._pooled_stages, job_size=1)
            print(f"int8: export + quantise + open + probe check: {time.perf_counter() - started:.2f} s "
                  f"(failed: {int8_tower.runner.failed})")
            kinds.append(("int8", int8_tower))
        else:
            print(f"int8: not measured ({int8_support()})")
        if bf16_support() is None:
            bf16_tower = ImageTower(image_size=args.image_size, image_width=args.image_width, precision="bf16")
            bf16_tower.runner.folder = onnx_dir
            started = time.perf_counter()
            bf16_tower.runner.session(bf16_tower.backbone, bf16_tower._pooled_stages, job_size=1)
            print(f"bf16 (OpenVINO): compile + probe check: {time.perf_counter() - started:.2f} s (failed: {bf16_tower.runner.failed})")
            kinds.append(("bf16", bf16_tower))
        else:
            print(f"bf16: not measured ({bf16_support()})")
        onnx_paths = paths[: args.images]
        runtime = {"bf16": "openvino"}  # every other kind runs in ONNX Runtime
        variants = [(f"{runtime.get(kind, 'onnx')} {kind} b{b}", item, int(b), False) for kind, item in kinds
                    for b in args.batches.split(",")]
        variants += [(f"{runtime.get(kind, 'onnx')} {kind} b{default_batch} no prefetch", item, default_batch, True)
                     for kind, item in kinds]
        for _, item, batch, _ in variants:  # the session's first runs at each shape are slow
            item.batch_size, item.cache = batch, None
            item.features(warmup[: 2 * batch])
        passes: dict[str, list[dict]] = {name: [] for name, _, _, _ in variants}
        for attempt in range(args.repeat):  # round robin: a change in load hits every variant alike
            for name, item, batch, inline in variants:
                item.batch_size = batch
                with decoding_inline(inline):
                    passes[name].append(one_pass(item, onnx_paths, root / f"{name}-{attempt}", onnx_dir))
        for name, _, _, _ in variants:
            results.append(summary(name, len(onnx_paths), passes[name]))
            print(_row(results[-1]), flush=True)
        fp32 = next(r["matrix"] for r in results if r["variant"].startswith("onnx fp32"))
        for kind, _ in kinds[1:]:
            close = cosine(fp32, next(r["matrix"] for r in results if f" {kind} " in r["variant"]))
            print(f"{kind} vs fp32 features (with the colour histogram): cosine median {np.median(close):.4f}, "
                  f"min {close.min():.4f} over {len(close)} images")

    reference = next(r for r in results if r["variant"].startswith("torch-channels-last"))
    for result in (r for r in results if "int8" not in r["variant"] and "bf16" not in r["variant"]):
        rows = min(len(reference["matrix"]), len(result["matrix"]))
        diff = np.abs(result["matrix"][:rows] - reference["matrix"][:rows]).max()
        print(f"max |{result['variant']} - torch channels-last| = {diff:.2e}")
    return 0


def _row(result: dict) -> str:
    spread = f"  (passes in run order: {', '.join(map(str, result['all_img_s']))})" if len(result["all_img_s"]) > 1 else ""
    return (f"{result['variant']:<26} {result['images']:>5} img {result['seconds']:7.2f} s "
            f"{result['img_s']:7.1f} img/s {result['cpu']:4.1f} cores   load {result['load_before']} -> {result['load_after']}{spread}")


if __name__ == "__main__":
    raise SystemExit(main())
