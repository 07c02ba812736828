"""Post-hoc: one model's embeddings re-scored with another model's attribute scorer, on the test split.

    python -m benchmarks.posthoc_rescoring --home /tmp/levers/runs/text-top-1-split \
        --model /tmp/levers/runs/text-top-1-split/models/lit-v1 \
        --scorer /tmp/levers/runs/baseline-split/models/lit-v1 [--catalog DIR]

The attribute re-scoring (``core.model.attributes``) reads only frozen features: the image
classifiers the image tower's, the query side the query's words and MiniLM's pooled features. So a
scorer trained beside one model can re-score another's cosine, e.g. a model whose text tower trains
its top layer (which the product's recipe cannot combine with re-scoring yet). The weight is chosen
on the valid split as training does (``decide_weight`` over the recipe's weights); the figures are
the model card's protocol (test gallery and whole catalogue, 95% bootstrap intervals). The scorer's
own model is used for the scorer's inputs. Nothing here writes to the homes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fashion-product-images-small"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="the home the model was trained in (its prepared splits)")
    parser.add_argument("--model", required=True, help="the model whose embeddings are ranked")
    parser.add_argument("--scorer", required=True, help="the model whose attribute scorer re-scores them")
    parser.add_argument("--catalog", default=str(DEFAULT_CATALOG), help="the catalogue folder (read only)")
    args = parser.parse_args(argv)

    from core.config import Settings
    from core.model.attributes import AttributeScorer
    from core.model.evaluate import attribute_inputs, embed_catalog, protocol, text_to_image_ranks
    from core.model.intervals import decide_weight
    from core.model.load import SentenceTransformerEmbedder, load_model
    from core.model.recipe import TrainConfig
    from core.model.train import load_prepared

    settings = Settings.from_env(env={}, home=args.home, catalog=args.catalog)
    catalog = load_prepared(settings)
    model, base = (load_model(path, cache_dir=settings.cache_dir) for path in (args.model, args.scorer))
    scorer = AttributeScorer.load(args.scorer)
    if scorer is None:
        parser.error(f"{args.scorer} has no attribute scorer")

    def inputs(frame):
        plain = embed_catalog(SentenceTransformerEmbedder(model, "training"), frame)
        return plain, *attribute_inputs(SentenceTransformerEmbedder(base, "training", scorer), frame)

    valid = catalog[catalog["split"] == "valid"].reset_index(drop=True)
    plain, blocks, dists = inputs(valid)
    rows = np.arange(len(valid))
    ranks = {w: text_to_image_ranks(plain if w <= 0 else plain.with_weight(scorer, w, blocks, dists), valid, rows, rows)
             for w in sorted({0.0, *TrainConfig().rescoring_weights})}
    weight = decide_weight(ranks)["weight"]
    plain, blocks, dists = inputs(catalog)
    report("cosine alone", protocol(plain, catalog, "test"))
    if weight > 0:
        rescored = plain.with_weight(scorer, weight, blocks, dists)
        report(f"re-scored, weight {weight:g} (chosen on valid)", protocol(rescored, catalog, "test"))
    else:
        print("re-scoring earned no weight on valid")
    return 0


def report(label: str, out: dict) -> None:
    test, whole, ci = out["text_to_image"], out["text_to_image_full_gallery"], out["intervals"]
    print(f"{label}: test R@1 {test['r1']:.3f} {ci['text_to_image']['r1']} R@10 {test['r10']:.3f} MRR@10 "
          f"{test['mrr10']:.3f}; whole catalogue R@1 {whole['r1']:.3f} {ci['text_to_image_full_gallery']['r1']} "
          f"R@10 {whole['r10']:.3f}; image→text R@1 {out['image_to_text']['r1']:.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
