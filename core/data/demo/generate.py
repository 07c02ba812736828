"""The generated demo catalogue: a few hundred drawn products in exactly the Kaggle format.

``generate_demo`` writes ``styles.csv`` (the real header, LF lines, no quoting needed) and
``images/{id}.jpg`` (60x80 RGB, product centred on white), so the demo goes through the same
``prepare`` path as the real "Fashion Product Images (Small)" catalogue. This module plans the
products (attributes and names, from one seeded stream) and writes them; what each article type
may be is in :mod:`core.data.demo.articles`, how it looks in :mod:`core.data.demo.drawing`.

Trade-off: the pictures are flat silhouettes, not photos, with small jitter (size, offset, tilt,
mirror, shade) and a few patterns. Everything comes from ``seed``: the same seed gives
byte-identical files (for the same Pillow/libjpeg build).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from core.data.catalog import COLUMNS
from core.data.demo.articles import (
    ARTICLES,
    BRANDS,
    COLOUR_RGB,
    DEMO_ARTICLE_TYPES,
    PATTERN_WORDS,
    SPORT_BRANDS,
    YEAR_WEIGHTS,
    Article,
)
from core.data.demo.drawing import Sketch
from core.errors import FashionError
from core.files import atomic_write

DEFAULT_SIZE = 300
FIRST_ID = 10001
JPEG_QUALITY = 90
SHARED_NAME_RATE = 0.08
"""Share of products that repeat an earlier product's name (the real catalogue has ~10%)."""


@dataclass(frozen=True)
class DemoResult:
    """Where :func:`generate_demo` wrote the catalogue and how many products it holds."""

    out_dir: Path
    styles_csv: Path
    n_products: int

    @property
    def images_dir(self) -> Path:
        return self.out_dir / "images"


# -- generation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Product:
    id: int
    article: Article
    gender: str
    colour: str
    season: str
    year: int
    usage: str
    pattern: str
    name: str

    def row(self) -> list[str | int]:
        a = self.article
        return [
            self.id, self.gender, a.master, a.sub, a.article_type,
            self.colour, self.season, self.year, self.usage, self.name,
        ]  # fmt: skip


def _pick(rng: random.Random, weights: dict) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _name(
    rng: random.Random, article: Article, gender: str, colour: str, usage: str, pattern: str
) -> str:
    """Like the real names: "<Brand> Men Red Slim Fit T-shirt" or "<Brand> Men Striped Red ..."."""
    brand = rng.choice(SPORT_BRANDS if usage == "Sports" else BRANDS)
    words = PATTERN_WORDS.get(pattern) or article.plain_words
    descriptor = rng.choice(words)
    noun = rng.choice(article.nouns)
    if rng.random() < 0.6:
        parts = [brand, gender, colour, descriptor, noun]
    else:
        parts = [brand, gender, descriptor, colour, noun]
    return " ".join(p for p in parts if p)


def _plan(size: int, seed: int) -> list[_Product]:
    """All rows, from one seeded stream: types round-robin (so every type is present from
    ``size >= len(ARTICLES)``) in shuffled order, then random attributes."""
    rng = random.Random(f"demo-catalogue:{seed}")
    articles = [ARTICLES[i % len(ARTICLES)] for i in range(size)]
    rng.shuffle(articles)
    products: list[_Product] = []
    by_type: dict[str, list[_Product]] = {}
    for i, article in enumerate(articles):
        season = _pick(rng, article.seasons)
        year = int(_pick(rng, YEAR_WEIGHTS))
        earlier = by_type.get(article.article_type, [])
        if earlier and rng.random() < SHARED_NAME_RATE:
            # Same product listed twice (another shoot or season), as in the real catalogue.
            twin = rng.choice(earlier)
            gender, colour, usage, pattern = twin.gender, twin.colour, twin.usage, twin.pattern
            name = twin.name
        else:
            gender = _pick(rng, article.genders)
            colour = _pick(rng, article.colours)
            usage = _pick(rng, article.usages)
            pattern = _pick(rng, article.patterns)
            name = _name(rng, article, gender, colour, usage, pattern)
        product = _Product(
            FIRST_ID + i, article, gender, colour, season, year, usage, pattern, name
        )
        products.append(product)
        by_type.setdefault(article.article_type, []).append(product)
    return products


def _write_styles(path: Path, products: list[_Product]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(p.row() for p in products)


def draw_product(
    article_type: str, colour: str, pattern: str = "solid", seed: int | str = 0
) -> Image.Image:
    """One 60x80 RGB picture of ``article_type`` in ``colour`` (names from :data:`ARTICLES` and
    :data:`COLOUR_RGB`); ``seed`` picks the jitter. E.g. ``draw_product("Jeans", "Blue")``."""
    article = next((a for a in ARTICLES if a.article_type == article_type), None)
    if article is None:
        choices = ", ".join(DEMO_ARTICLE_TYPES)
        raise FashionError(f"unknown demo article type {article_type!r}; choose from {choices}")
    if colour not in COLOUR_RGB:
        raise FashionError(f"unknown demo colour {colour!r}; choose from {', '.join(COLOUR_RGB)}")
    rng = random.Random(f"demo-image:{seed}")
    base = COLOUR_RGB[colour]
    jitter = rng.randint(-10, 10)
    shade = tuple(min(255, max(0, v + jitter + rng.randint(-4, 4))) for v in base)
    sketch = Sketch(shade, rng)  # type: ignore[arg-type]
    article.draw(sketch, pattern)
    return sketch.render(tilt=rng.uniform(-4, 4), mirror=rng.random() < 0.5)


def generate_demo(out_dir: Path, size: int = DEFAULT_SIZE, seed: int = 0) -> DemoResult:
    """Write a Kaggle-format demo catalogue of ``size`` products to ``out_dir``.

    Writes ``out_dir/styles.csv`` and ``out_dir/images/{id}.jpg``, overwriting those files and
    leaving anything else in ``out_dir`` alone. ``styles.csv`` is written last (atomically), so
    its presence means the images are complete. E.g. ``generate_demo(Path("/tmp/demo"), 60)``.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise FashionError(f"demo size must be a whole number, at least 1 (got {size!r})")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise FashionError(f"demo seed must be an integer (got {seed!r})")
    out_dir = Path(out_dir)
    images_dir = out_dir / "images"
    try:
        images_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:
        raise FashionError(
            f"cannot write the demo catalogue to {out_dir}: a file is in the way ({exc})"
        ) from exc
    except OSError as exc:
        raise FashionError(f"cannot write the demo catalogue to {out_dir}: {exc}") from exc

    products = _plan(size, seed)
    styles_csv = out_dir / "styles.csv"
    try:
        for product in tqdm(products, desc="demo catalogue", unit="img", disable=None):
            article_type, jitter_seed = product.article.article_type, f"{seed}:{product.id}"
            image = draw_product(article_type, product.colour, product.pattern, jitter_seed)
            image.save(images_dir / f"{product.id}.jpg", "JPEG", quality=JPEG_QUALITY)
        atomic_write(styles_csv, lambda tmp: _write_styles(tmp, products))  # last: the images are complete
    except OSError as exc:
        raise FashionError(f"cannot write the demo catalogue to {out_dir}: {exc}") from exc
    return DemoResult(out_dir=out_dir, styles_csv=styles_csv, n_products=len(products))
