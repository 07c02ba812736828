"""Benchmark of the curation suggestions: counts per kind and compute time cold and warm.

    python -m benchmarks.bench_curation --home /tmp/fh \
        --catalog /work/shared/datasets/fashion-product-images-small [--cold-features] [--json]

Measures, on the latest model's index in HOME:
1. cold: the suggestions recomputed from the index (``refresh=True``): reading the stored image
   vectors and metadata, embedding the type / colour phrases and every product name (through the
   home's frozen-feature cache, as the dashboard does), the three rules, writing the cache file;
2. warm: the same call again, answered from the cache file (what the Curation screen pays on
   every visit after the first);
3. with ``--cold-features``: the cold run once more with an empty temporary feature cache, so the
   text tower really encodes every name (a home whose names were never embedded);
4. with ``--sheets DIR``: a seeded random sample (``--sample`` near-duplicates and as many label
   errors, ``--seed``) drawn as one contact sheet PNG per suggestion (images, ids, names, labels,
   evidence) plus ``sample.json``, for checking by eye.

Writes only the suggestions cache file under HOME/cache/curation/, the sheets under ``--sheets``
(and a temporary folder for ``--cold-features``, removed afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import textwrap
import time
from pathlib import Path


from core.config import Settings
from core.curation.suggestions import compute_suggestions


def contact_sheet(suggestion, products, path: Path, title: str) -> None:
    """Images (2x) of the suggestion's products with id, name and labels, then the evidence."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default()
    tile_w, tile_h, pad = 240, 200, 10
    evidence = textwrap.wrap(suggestion.evidence, 110)
    width = max(2, len(suggestion.ids)) * (tile_w + pad) + pad
    height = 30 + tile_h + 60 + 14 * len(evidence) + pad
    sheet = Image.new("RGB", (max(width, 700), height), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((pad, 8), title, fill="black", font=font)
    for n, pid in enumerate(suggestion.ids):
        x = pad + n * (tile_w + pad)
        row = products.get(pid, {})
        if row.get("image") and Path(row["image"]).is_file():
            with Image.open(row["image"]) as img:
                img = img.convert("RGB")
                img = img.resize((img.width * 2, img.height * 2))
                img.thumbnail((tile_w, tile_h))
                sheet.paste(img, (x, 30))
        lines = [f"id {pid}", str(row.get("productDisplayName", ""))[:40],
                 f"{row.get('gender', '')} / {row.get('articleType', '')} / {row.get('baseColour', '')}"]
        for k, line in enumerate(lines):
            draw.text((x, 30 + tile_h + 4 + 13 * k), line, fill="black", font=font)
    for k, line in enumerate(evidence):
        draw.text((pad, 30 + tile_h + 50 + 14 * k), line, fill=(120, 0, 0), font=font)
    sheet.save(path)


def write_sheets(settings: Settings, result, out: Path, per_kind: int, seed: int) -> list[dict]:
    from core.data.catalog import load_catalog

    products = {int(r["id"]): r for r in load_catalog(settings).to_dict("records")}
    rng = random.Random(seed)
    sample = []
    for kind in ("near-duplicate", "label-error"):
        pool = [s for s in result.suggestions if s.kind == kind]
        sample += rng.sample(pool, min(per_kind, len(pool)))
    out.mkdir(parents=True, exist_ok=True)
    listing = []
    for n, suggestion in enumerate(sample, 1):
        name = f"{n:02d}-{suggestion.kind}-{'-'.join(map(str, suggestion.ids))}.png"
        contact_sheet(suggestion, products, out / name, f"#{n} {suggestion.kind} {suggestion.ids} score {suggestion.score:.3f}")
        listing.append({"n": n, "file": name, **suggestion.to_dict()})
    (out / "sample.json").write_text(json.dumps(listing, indent=2))
    return listing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True)
    parser.add_argument("--catalog")
    parser.add_argument("--model", help="model folder (default: the latest in HOME)")
    parser.add_argument("--cold-features", action="store_true", help="also time a run with an empty feature cache")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--sheets", metavar="DIR", help="write contact sheets of a random sample here")
    parser.add_argument("--sample", type=int, default=10, help="suggestions per kind in the sample (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    from core.model.load import load_embedder
    from core.model.registry import resolve_model
    from core.index.store import open_client

    settings = Settings.from_env(home=args.home, catalog=args.catalog)
    model = resolve_model(settings, args.model)
    started = time.perf_counter()
    embedder = load_embedder(model, cache_dir=settings.cache_dir)
    client = open_client(settings)
    load_s = time.perf_counter() - started

    stages: list[tuple[str, float]] = []  # (stage, seconds it took)
    current, last = [""], [time.perf_counter()]

    def progress(stage: str, fraction: float) -> None:
        now = time.perf_counter()
        if current[0]:
            stages.append((current[0], round(now - last[0], 3)))
        current[0], last[0] = stage, now

    cold = compute_suggestions(settings, embedder, client=client, refresh=True, progress=progress)
    warm = compute_suggestions(settings, embedder, client=client)
    figures = {
        "model": model.name,
        "products": cold.products,
        "counts": cold.counts(),
        "identical_file_pairs": sum(s.details.get("reason") == "identical-file" for s in cold.suggestions),
        "load_model_s": round(load_s, 2),
        "cold_s": round(cold.seconds, 2),
        "warm_s": round(warm.seconds, 4),
        "warm_from_cache": warm.from_cache,
        "cold_stages_s": stages,
    }
    if args.cold_features:
        tmp = Path(tempfile.mkdtemp(prefix="bench-curation-features-"))
        try:
            fresh = load_embedder(model, cache_dir=tmp)
            colder = compute_suggestions(settings, fresh, client=client, refresh=True)
            figures["cold_empty_feature_cache_s"] = round(colder.seconds, 2)
            figures["same_result_with_empty_feature_cache"] = (
                [s.key for s in colder.suggestions] == [s.key for s in cold.suggestions])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    if args.sheets:
        listing = write_sheets(settings, cold, Path(args.sheets), args.sample, args.seed)
        figures["sheets"] = {"dir": args.sheets, "files": [row["file"] for row in listing]}

    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    print(f"model {figures['model']}, {figures['products']:,} products")
    for kind, count in figures["counts"].items():
        print(f"  {kind:15s} {count}")
    print(f"  (near-duplicates with identical image files: {figures['identical_file_pairs']})")
    print(f"load model + client {figures['load_model_s']} s")
    print(f"cold (recompute) {figures['cold_s']} s: " + ", ".join(f"{s} {t}s" for s, t in stages))
    print(f"warm (cache)     {figures['warm_s']} s, from cache: {figures['warm_from_cache']}")
    if "cold_empty_feature_cache_s" in figures:
        print(f"cold with an empty feature cache {figures['cold_empty_feature_cache_s']} s "
              f"(same suggestions: {figures['same_result_with_empty_feature_cache']})")
    if "sheets" in figures:
        print(f"{len(figures['sheets']['files'])} contact sheets in {args.sheets}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
