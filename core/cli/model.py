"""``python -m core train`` and ``python -m core evaluate``: the model commands.

``register(subparsers, common)`` adds both (``common`` holds ``--home/--catalog``); ``core.cli.main``
calls ``args.func(args, settings)``. User errors raise :class:`FashionError` (one line, exit 2).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path



def register(subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``train`` and ``evaluate`` to ``python -m core``."""
    train = subparsers.add_parser("train", parents=[common], help="fine-tune the dual encoder and register a new model version")
    train.add_argument("--config", help="JSON file of training options (TrainConfig fields; 'lit' nested)")
    train.add_argument("--epochs", type=int, help="passes over the training split (default 20)")
    train.add_argument("--batch-size", type=int, help="in-batch negatives per step (default 256)")
    train.add_argument("--lr", type=float, dest="learning_rate", help="peak learning rate (default 1e-3)")
    train.add_argument("--name", help="registry name; models are saved as HOME/models/<name>-v<N> (default lit)")
    train.add_argument("--backend", choices=["lit", "clip"], help="lit (packaged towers, default) or clip")
    train.add_argument("--base-model", help="clip backend: a local sentence-transformers CLIP folder")
    train.add_argument("--image-size", type=int, help="lit: image tower input height (default 224)")
    train.add_argument("--image-width", type=int, help="lit: image tower input width (0 = square, padded)")
    train.add_argument("--precision", choices=("fp32", "int8", "bf16"),
                       help="lit: image backbone arithmetic for features (default bf16: OpenVINO where the CPU computes "
                            "bf16, fp32 features elsewhere; int8: quantised, test R@1 0.452 against 0.473 on the shared catalogue)")
    train.add_argument("--text-layers", type=int, help="lit: top MiniLM layers to train (default 0)")
    train.add_argument("--no-token-bag", action="store_true",
                       help="lit: plain linear text head (no trainable token bag)")
    train.add_argument("--final-on-all", action="store_true", default=None,
                       help="then train the shipped model on every labelled product (the split model's best epoch "
                            "count and re-scoring weight; its card keeps the split model's figures)")
    train.add_argument("--push-to-hub", metavar="REPO", help="also push to this hub repo (needs HF_TOKEN)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(func=cmd_train)

    evaluate = subparsers.add_parser("evaluate", parents=[common], help="retrieval metrics (Marqo KAGL protocol) of a model")
    evaluate.add_argument("--model", help="model folder (default: the latest trained version)")
    evaluate.add_argument("--split", default="test", choices=["test", "valid", "train", "all"],
                          help="products to evaluate (default test; 'all' for a catalogue never trained on)")
    evaluate.add_argument("--json", action="store_true", help="print the full result as JSON")
    evaluate.set_defaults(func=cmd_evaluate)


def _train_config(args):
    from core.model.lit import LitConfig
    from core.model.train import TrainConfig

    overrides = {
        key: getattr(args, key)
        for key in ("epochs", "batch_size", "learning_rate", "name", "backend", "base_model")
        if getattr(args, key, None) is not None
    }
    config = TrainConfig.from_file(args.config, **overrides) if args.config else TrainConfig(**overrides)
    lit = config.lit if isinstance(config.lit, LitConfig) else LitConfig(**config.lit)
    if args.image_size is not None:
        lit.image_size = args.image_size
    if getattr(args, "image_width", None) is not None:
        lit.image_width = args.image_width
    if getattr(args, "precision", None) is not None:
        lit.precision = args.precision
    if args.text_layers is not None:
        lit.text_trainable_layers = args.text_layers
    if args.no_token_bag:
        lit.token_bag = False
    if getattr(args, "final_on_all", None):
        config.final_on_all = True
    config.lit = lit
    return config


def cmd_train(args: argparse.Namespace, settings) -> int:
    from core.model.evaluate import headline
    from core.model.final import train_shipped

    config = _train_config(args)
    token = settings.hf_token if args.push_to_hub else None
    result = train_shipped(settings, config, progress=not args.quiet, push_to_hub=args.push_to_hub, hub_token=token)
    if result.metrics_after:
        before, after = headline(result.metrics_before), headline(result.metrics_after)
        print("test text→image  before R@1 {t2i_r1:.3f} R@10 {t2i_r10:.3f}".format(**before),
              " after R@1 {t2i_r1:.3f} R@10 {t2i_r10:.3f} MRR@10 {t2i_mrr10:.3f}".format(**after))
    for skipped in result.skipped_images:
        print(f"skipped image {skipped['image']}: {skipped['reason']}")
    print(f"saved {result.model_dir} in {result.wall_time_s:.1f} s (log: {result.log_path})")
    return 0


def cmd_evaluate(args: argparse.Namespace, settings) -> int:
    from core.model.load import load_embedder
    from core.model.evaluate import evaluate, format_report
    from core.model.registry import resolve_model

    model_dir = resolve_model(settings, args.model)
    catalog = _prepared_catalog(settings)
    embedder = load_embedder(model_dir, cache_dir=settings.cache_dir)
    result = evaluate(embedder, catalog, args.split)
    result["model"] = str(model_dir)
    result["version"] = embedder.version
    if args.json:
        print(json.dumps(result, indent=2, default=float))
    else:
        print(f"model {embedder.version} ({model_dir})")
        print(format_report(result))
    return 0


def _prepared_catalog(settings):
    """The prepared table of ``settings.catalog_dir``: HOME's own, or (for another catalogue, e.g.
    ``--catalog DIR --split all`` on products never trained on) one prepared in a scratch folder;
    the feature cache stays HOME's."""
    import tempfile

    from core.data.prepare import prepare
    from core.model.train import load_prepared

    report = Path(settings.report_json)
    if report.is_file():
        try:
            prepared_from = json.loads(report.read_text()).get("catalog")
        except ValueError:
            prepared_from = None
        if prepared_from and Path(prepared_from).resolve() == Path(settings.catalog_dir).resolve():
            return load_prepared(settings)
    if not Path(settings.styles_csv).is_file():
        return load_prepared(settings)  # no catalogue to prepare either: the usual clear error
    with tempfile.TemporaryDirectory(prefix="fashion-eval-") as scratch:
        scratch_settings = settings.with_(home=Path(scratch))
        prepare(scratch_settings)
        return load_prepared(scratch_settings)
