"""``prepare``: raw Kaggle-format catalogue -> ``processed/{catalog,pairs}.parquet`` + ``report.json``.

Steps: read ``styles.csv`` (recovering unquoted commas), clean, check that every image exists and
decodes, add group / description / price / split, build contrastive pairs, and write everything
with a report of what was read, recovered and skipped (and why), whose counts must add up (rows
read = usable products + skipped lines + skipped images; recovered lines are usable). The raw
catalogue is never modified. Outputs are written to temporary files and renamed, so an
interrupted run leaves the previous outputs intact; the same input gives byte-identical outputs.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
from PIL import Image
from tqdm.auto import tqdm

from core.config import Settings
from core.data.catalog import PREPARED_COLUMNS, clean_styles, read_styles
from core.data.enrich import describe, simulated_price
from core.data.groups import group_of
from core.data.pairs import build_pairs
from core.data.splits import assign_splits
from core.errors import CatalogError
from core.files import atomic_write, file_sha256, write_text_atomic

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class PrepareResult:
    catalog_path: Path
    pairs_path: Path
    report_path: Path
    products: int
    report: dict


def check_image(path: Path) -> tuple[str | None, tuple[int, int, str] | None]:
    """``(problem, None)`` when the image is missing or does not decode, else ``(None, (w, h, mode))``."""
    if not path.is_file():
        return "missing", None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()  # a truncated file fails here, not at open()
                return None, (image.width, image.height, image.mode)
    except Exception as error:  # noqa: BLE001 - any decoder failure means "corrupt", with its reason
        return f"corrupt: {type(error).__name__}: {error}", None


def _distribution(series: pd.Series) -> dict[str, int]:
    counts = series.astype(str).value_counts()
    return {str(k): int(v) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


def prepare(settings: Settings, *, progress: Progress | None = None) -> PrepareResult:
    """Run the whole preparation; ``progress(done, total, stage)`` is called while images are checked."""
    if settings.uses_demo and not settings.styles_csv.is_file():
        from core.data.demo.generate import generate_demo

        generate_demo(settings.demo_dir)
    catalog_dir = settings.catalog_dir
    if not catalog_dir.is_dir():
        raise CatalogError(f"catalogue folder {catalog_dir} does not exist")
    if not settings.images_dir.is_dir():
        raise CatalogError(f"no images/ folder in {catalog_dir}: expected images/{{id}}.jpg beside styles.csv")

    table = read_styles(settings.styles_csv)
    frame, missing_values, rebuilt_names = clean_styles(table.frame)

    # Images: every kept product must have one that decodes.
    paths = [settings.images_dir / f"{pid}.jpg" for pid in frame["id"]]
    problems: dict[int, str] = {}
    shapes: list[tuple[int, int, str] | None] = []
    for done, (pid, path) in enumerate(
        tqdm(list(zip(frame["id"], paths)), desc="checking images", unit="img", disable=progress is not None), 1
    ):
        problem, shape = check_image(path)
        if problem:
            problems[int(pid)] = problem
        shapes.append(shape)
        if progress and (done % 250 == 0 or done == len(paths)):
            progress(done, len(paths), "checking images")
    usable = np.array([s is not None for s in shapes], dtype=bool)
    frame = frame.loc[usable].reset_index(drop=True)
    frame["image"] = [str(p.resolve()) for p, ok in zip(paths, usable) if ok]
    kept_shapes = [s for s in shapes if s is not None]

    frame["group"] = [group_of(a, s, m) for a, s, m in zip(frame["articleType"], frame["subCategory"], frame["masterCategory"])]
    frame["description"] = [
        describe(name=n, gender=g, colour=c, article_type=a, usage=u, season=s)
        for n, g, c, a, u, s in zip(
            frame["productDisplayName"], frame["gender"], frame["baseColour"],
            frame["articleType"], frame["usage"], frame["season"],
        )
    ]
    frame["price"] = pd.Series(
        [simulated_price(int(i), a, g, settings.seed) for i, a, g in zip(frame["id"], frame["articleType"], frame["group"])],
        dtype="int64",
    )
    frame["split"] = assign_splits(frame, seed=settings.seed)
    if frame.empty:
        raise CatalogError(f"no usable product in {catalog_dir}: every row was skipped (see the reasons above)")
    catalog = frame[list(PREPARED_COLUMNS)]
    pairs = build_pairs(catalog, seed=settings.seed)
    if table.rows_read != len(catalog) + len(table.skipped) + len(problems):  # checked before anything is written
        raise RuntimeError(f"internal error: rows read {table.rows_read} != usable products {len(catalog)}"
                           f" + skipped lines {len(table.skipped)} + skipped images {len(problems)}")

    atomic_write(settings.catalog_parquet, lambda p: catalog.to_parquet(p, index=False))
    atomic_write(settings.pairs_parquet, lambda p: pairs.to_parquet(p, index=False))

    missing_ids = sorted(i for i, p in problems.items() if p == "missing")
    corrupt = [{"id": i, "reason": p} for i, p in sorted(problems.items()) if p != "missing"]
    skipped_reasons = Counter(issue.reason.split(":")[0].split(" (")[0] for issue in table.skipped)
    skipped_reasons.update({"missing image": len(missing_ids), "corrupt image": len(corrupt)})
    prices = catalog["price"]
    report = {
        "catalog": str(catalog_dir),
        "source": "demo" if settings.uses_demo else "configured",
        "styles_sha256": file_sha256(settings.styles_csv),
        "encoding": table.encoding,
        "rows_read": table.rows_read,
        "products": len(catalog),
        "lines": {"read": table.rows_read, "clean": table.clean, "recovered": len(table.recovered),
                  "skipped": len(table.skipped)},
        "recovered_lines": [vars(i) for i in table.recovered],
        "skipped": {k: v for k, v in sorted(skipped_reasons.items()) if v},
        "skipped_lines": [vars(i) for i in table.skipped],
        "encoding_fallback_lines": [vars(i) for i in table.fallback_decoded],
        "images": {
            "missing": missing_ids,
            "corrupt": corrupt,
            "sizes": _distribution(pd.Series([f"{w}x{h}" for w, h, _ in kept_shapes])),
            "modes": _distribution(pd.Series([m for _, _, m in kept_shapes])),
        },
        "missing_values": missing_values,
        "names_rebuilt": rebuilt_names,
        "distributions": {
            column: _distribution(catalog[column])
            for column in ("group", "gender", "masterCategory", "articleType", "baseColour", "season", "usage", "year", "split")
        },
        "price": {
            "currency": "INR",
            **{k: int(v) for k, v in zip(("min", "p25", "median", "p75", "max"), np.percentile(prices, [0, 25, 50, 75, 100]).round())},
        },
        "pairs": {"total": len(pairs), "by_kind": _distribution(pairs["kind"]), "synthesised": int((pairs["negative_id"] < 0).sum())},
        "outputs": {
            "catalog.parquet": file_sha256(settings.catalog_parquet),
            "pairs.parquet": file_sha256(settings.pairs_parquet),
        },
    }
    write_text_atomic(settings.report_json, json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return PrepareResult(settings.catalog_parquet, settings.pairs_parquet, settings.report_json, len(catalog), report)
