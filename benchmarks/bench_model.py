"""Benchmark the embedding model end to end on a real catalogue and print the figures.

    python -m benchmarks.bench_model --catalog /path/to/fashion-product-images-small \
        --home /tmp/fashion-bench [--cold] [--epochs 20] [--image-size 224] [--json]

Steps: prepare (if needed), extract the frozen-tower features (timed: images/s; ``--cold`` empties
the feature cache first), train + evaluate (timed, warm), then the evaluation protocol on the test
split next to the published KAGL anchors. Numbers depend on the machine; nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time


ANCHORS = {"FashionCLIP 2.0": 0.122, "Marqo-FashionCLIP": 0.159, "Marqo-FashionSigLIP": 0.179}
"""Published text→image R@1 on KAGL (44k gallery), for context only: other gallery, other products."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, help="Kaggle-format catalogue (styles.csv + images/)")
    parser.add_argument("--home", default="/tmp/fashion-bench", help="working folder (caches, models)")
    parser.add_argument("--cold", action="store_true", help="empty the feature cache first")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument("--text-layers", type=int, default=None)
    parser.add_argument("--config", help="TrainConfig JSON file")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from core.config import Settings
    from core.model.lit import build_lit, towers
    from core.model.evaluate import format_report, headline
    from core.data.prepare import prepare
    from core.model.train import TrainConfig, load_prepared, train, warm_features

    settings = Settings.from_env(home=args.home, catalog=args.catalog)
    if not settings.catalog_parquet.is_file():
        prepare(settings)
    catalog = load_prepared(settings)
    config = TrainConfig.from_file(args.config) if args.config else TrainConfig()
    if args.epochs is not None:
        config.epochs = args.epochs
    if args.image_size is not None:
        config.lit.image_size = args.image_size
    if args.text_layers is not None:
        config.lit.text_trainable_layers = args.text_layers

    figures: dict = {"products": len(catalog), "config": {"epochs": config.epochs, "lit": vars(config.lit)}}
    if args.cold and (settings.cache_dir / "features").exists():
        shutil.rmtree(settings.cache_dir / "features")
    started = time.time()
    model = build_lit(config.lit, cache_dir=settings.cache_dir)
    warm_features(model, catalog, config.text_field, progress=True)
    extract = time.time() - started
    misses = sum(t.cache.misses for t in towers(model) if t.cache is not None and hasattr(t, "image_size"))
    figures["features_s"] = round(extract, 1)
    figures["images_computed"] = misses
    figures["images_per_s"] = round(misses / extract, 1) if misses else None
    del model

    started = time.time()
    result = train(settings, config, progress=False)
    figures["train_and_evaluate_s"] = round(time.time() - started, 1)
    figures["total_s"] = round(extract + figures["train_and_evaluate_s"], 1)
    figures["model"] = str(result.model_dir)
    figures["before"] = headline(result.metrics_before)
    figures["after"] = headline(result.metrics_after)
    figures["by_group"] = {g: {k: round(v, 3) for k, v in m.items()} for g, m in
                           result.metrics_after.get("text_to_image_by_group", {}).items()}
    from core.model.registry import read_card

    rescoring = read_card(result.model_dir).get("rescoring") or {}
    figures["rescoring_weight"] = rescoring.get("weight")
    figures["after_cosine_only"] = rescoring.get("test_after_cosine_only")
    if args.json:
        print(json.dumps(figures, indent=2, default=str))
        return 0
    print(f"catalogue {args.catalog}: {len(catalog)} products")
    rate = f"{figures['images_per_s']} img/s" if figures["images_per_s"] else "all cached"
    print(f"features: {extract:.1f} s ({misses} images computed, {rate})")
    print(f"train + evaluate: {figures['train_and_evaluate_s']:.1f} s; total {figures['total_s']:.1f} s")
    print(f"model {result.model_dir}")
    print("before training:", figures["before"])
    if figures["after_cosine_only"]:
        print(f"cosine alone (no attribute re-scoring): {figures['after_cosine_only']}")
        print(f"attribute re-scoring weight {figures['rescoring_weight']} (chosen on valid); re-scored:")
    print(format_report(result.metrics_after))
    print("published KAGL text→image R@1 (44k gallery, other products): "
          + ", ".join(f"{k} {v:.3f}" for k, v in ANCHORS.items())
          + f"; ours, whole-catalogue gallery: {figures['after'].get('t2i_full_r1', float('nan')):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
