"""What each attribute is worth: a trained model's test R@1 if its image classifiers knew more.

    python -m benchmarks.attribute_headroom --home /tmp/levers/runs/baseline-split \
        [--model HOME/models/lit-v1] [--shares 0.1,0.2,0.4] [--seed 0] [--catalog DIR]

The re-scored ranking (``core.model.attributes``) adds, to the cosine, the log-probabilities the
image classifiers give the brand, colour, type and gender the query asks for. Two questions about a
model trained in HOME, each answered with the model card's protocol (test queries against the test
gallery and against the whole catalogue, ranked by ``core.model.ranking``):

- **oracles**: a ranking that knows some attributes of every product exactly and ranks first the
  products whose attributes equal those of the query's product, the model's own score breaking the
  ties (so the figure says what the model's score does inside the right attribute group);
- **shares**: the model's classifiers, except that on a random share of the labelled products one
  attribute's posterior is replaced by the truth (0.999 on the true class). The classifier's test
  accuracy then rises by about that share of its errors, and R@1 says what such a classifier would
  buy: the accuracy a goal needs, against what the levers measured (``docs/experiments.md``).

Nothing is trained and nothing is written to HOME (the towers read the feature cache).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fashion-product-images-small"
ORACLES = (("baseColour",), ("articleType", "gender"), ("articleType", "gender", "baseColour"), ("brand",),
           ("brand", "articleType", "gender", "baseColour"))
ORACLE_BONUS = 100.0
"""Added to the score of a product whose attributes equal the query product's: above any score."""
CERTAIN = 0.999
"""The probability a replaced posterior gives the true class (the rest spread over the others)."""


def spans(scorer) -> dict[str, slice]:
    """Each attribute's columns in the scorer's image blocks (``ATTRIBUTES`` order)."""
    from core.model.attributes import ATTRIBUTES

    out, start = {}, 0
    for attribute in ATTRIBUTES:
        width = max(len(scorer.vocab.values[attribute]), 1)
        out[attribute] = slice(start, start + width)
        start += width
    return out


def figures(emb, catalog) -> dict[str, float]:
    """Test R@1 / R@10 against the test gallery and against the whole catalogue."""
    from core.model.evaluate import text_to_image_ranks
    from core.model.ranking import metrics_from_ranks

    test = np.flatnonzero(catalog["split"].to_numpy() == "test")
    split = metrics_from_ranks(text_to_image_ranks(emb, catalog, test, test))
    whole = metrics_from_ranks(text_to_image_ranks(emb, catalog, test, np.arange(len(catalog))))
    return {"r1": split["r1"], "r10": split["r10"], "whole_r1": whole["r1"], "whole_r10": whole["r10"]}


def oracle(emb, catalog, labels: np.ndarray, columns: list[int]):
    """``emb`` with ``ORACLE_BONUS`` added where every one of ``columns`` of ``labels`` matches the
    query product's (a query's product: the first catalogue row with its name; -1 never matches)."""
    from core.model.evaluate import NAME, Embeddings

    # one combined key per row: products match when all the chosen attributes match
    keys = [tuple(row) if (row >= 0).all() else None for row in labels[:, columns]]
    index = {key: i for i, key in enumerate(sorted({k for k in keys if k is not None}))}
    onehot = np.zeros((len(catalog), len(index) + 1), np.float32)  # the last column: unknown, never set
    for row, key in enumerate(keys):
        if key is not None:
            onehot[row, index[key]] = 1.0
    first = {}
    for row, name in enumerate(catalog[NAME].to_numpy()):
        first.setdefault(name, row)
    images = np.hstack([emb.gallery(np.arange(len(catalog))), ORACLE_BONUS * onehot])
    names = {name: np.concatenate([emb.query(name), onehot[first[name]]]) for name in emb.names}
    return Embeddings(emb.images, emb.names, emb.types, images, names)


def headroom(settings, model_path, *, shares=(0.1, 0.2, 0.4), seed: int = 0) -> list[dict]:
    """Rows of the table: the model as trained, the oracles, each attribute (and all four) at each share."""
    from core.model.attributes import ATTRIBUTES, AttributeScorer
    from core.model.evaluate import attribute_inputs, embed_catalog
    from core.model.load import SentenceTransformerEmbedder, load_model
    from core.model.train import load_prepared

    catalog = load_prepared(settings)
    scorer = AttributeScorer.load(model_path)
    if scorer is None:
        raise SystemExit(f"{model_path} has no attribute scorer: nothing to measure")
    model = load_model(model_path, cache_dir=settings.cache_dir)
    plain = embed_catalog(SentenceTransformerEmbedder(model, "training"), catalog)  # the cosine; re-scored below
    blocks, dists = attribute_inputs(SentenceTransformerEmbedder(model, "training", scorer), catalog)
    labels = scorer.vocab.labels(catalog)
    test = catalog["split"].to_numpy() == "test"
    columns = spans(scorer)

    def accuracy(candidate: np.ndarray) -> dict[str, float]:
        out = {}
        for i, attribute in enumerate(ATTRIBUTES):
            known = test & (labels[:, i] >= 0)
            out[attribute] = float((candidate[known, columns[attribute]].argmax(1) == labels[known, i]).mean())
        return out

    rescored = plain.with_weight(scorer, scorer.weight, blocks, dists)
    rows = [{"row": "model as trained", **figures(rescored, catalog), "accuracy": accuracy(blocks)}]
    for chosen in ORACLES:
        rows.append({"row": "oracle " + "+".join(chosen),
                     **figures(oracle(rescored, catalog, labels, [ATTRIBUTES.index(a) for a in chosen]), catalog)})
    for share in shares:
        for chosen in [(a,) for a in ATTRIBUTES] + [tuple(ATTRIBUTES)]:
            rng = np.random.default_rng(seed)
            changed = blocks.copy()
            for attribute in chosen:
                i, span = ATTRIBUTES.index(attribute), columns[attribute]
                width = span.stop - span.start
                replace = (labels[:, i] >= 0) & (rng.random(len(catalog)) < share)
                certain = np.full((int(replace.sum()), width), (1 - CERTAIN) / max(width - 1, 1), np.float32)
                certain[np.arange(len(certain)), labels[replace, i]] = CERTAIN
                changed[np.flatnonzero(replace)[:, None], np.arange(span.start, span.stop)] = np.maximum(
                    0.0, np.log(certain / scorer.eps))
            rows.append({"row": f"{'all four' if len(chosen) > 1 else chosen[0]} right on {share:.0%} more",
                         **figures(plain.with_weight(scorer, scorer.weight, changed, dists), catalog),
                         "accuracy": accuracy(changed)})
    return rows


def render(rows: list[dict]) -> str:
    lines = ["| row | test R@1 | test R@10 | whole R@1 | whole R@10 | test accuracy (brand / colour / type / gender) |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        acc = row.get("accuracy")
        acc_text = " / ".join(f"{acc[a]:.3f}" for a in ("brand", "baseColour", "articleType", "gender")) if acc else "–"
        lines.append(f"| {row['row']} | {row['r1']:.3f} | {row['r10']:.3f} | {row['whole_r1']:.3f} | {row['whole_r10']:.3f} | {acc_text} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="the home the model was trained in (its prepared splits)")
    parser.add_argument("--model", help="the model folder (default: the newest HOME/models/lit-v*)")
    parser.add_argument("--shares", default="0.1,0.2,0.4", help="comma-separated shares of the products made right")
    parser.add_argument("--seed", type=int, default=0, help="which products a share draws")
    parser.add_argument("--catalog", default=str(DEFAULT_CATALOG), help="the catalogue folder (read only)")
    args = parser.parse_args(argv)

    from core.config import Settings

    settings = Settings.from_env(env={}, home=args.home, catalog=args.catalog)
    models = sorted((Path(args.home) / "models").glob("lit-v*"))
    model = args.model or (str(models[-1]) if models else None)
    if model is None:
        parser.error(f"no model under {args.home}/models: pass --model")
    shares = tuple(float(s) for s in args.shares.split(",") if s.strip())
    print(render(headroom(settings, model, shares=shares, seed=args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
