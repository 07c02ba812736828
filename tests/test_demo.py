"""The generated demo catalogue: Kaggle format, real vocabulary, balance, plausibility, seeds."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.data.demo.articles import COLOUR_RGB, DEMO_ARTICLE_TYPES
from core.data.demo.generate import DemoResult, draw_product, generate_demo
from core.errors import FashionError

HEADER = [
    "id", "gender", "masterCategory", "subCategory", "articleType",
    "baseColour", "season", "year", "usage", "productDisplayName",
]  # fmt: skip

# (masterCategory, subCategory) exactly as the real Kaggle styles.csv spells them.
REAL_CATEGORY = {
    "Tshirts": ("Apparel", "Topwear"),
    "Shirts": ("Apparel", "Topwear"),
    "Jeans": ("Apparel", "Bottomwear"),
    "Shorts": ("Apparel", "Bottomwear"),
    "Skirts": ("Apparel", "Bottomwear"),
    "Dresses": ("Apparel", "Dress"),
    "Casual Shoes": ("Footwear", "Shoes"),
    "Sports Shoes": ("Footwear", "Shoes"),
    "Heels": ("Footwear", "Shoes"),
    "Sandals": ("Footwear", "Sandal"),
    "Watches": ("Accessories", "Watches"),
    "Handbags": ("Accessories", "Bags"),
    "Caps": ("Accessories", "Headwear"),
    "Sunglasses": ("Accessories", "Eyewear"),
    "Belts": ("Accessories", "Belts"),
}
REAL_COLOURS = {
    "Black", "White", "Blue", "Navy Blue", "Red", "Green", "Yellow", "Pink", "Purple", "Grey",
    "Brown", "Beige", "Orange", "Maroon", "Olive", "Silver", "Gold", "Tan", "Teal",
}  # fmt: skip
WOMENSWEAR = {"Heels", "Dresses", "Skirts", "Handbags"}


def _rows(styles_csv: Path) -> list[dict[str, str]]:
    with styles_csv.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def demo60(tmp_path_factory) -> DemoResult:
    return generate_demo(tmp_path_factory.mktemp("demo") / "catalog", size=60, seed=0)


@pytest.fixture(scope="module")
def rows60(demo60) -> list[dict[str, str]]:
    return _rows(demo60.styles_csv)


def test_result_points_at_what_was_written(demo60):
    assert demo60.n_products == 60
    assert demo60.styles_csv == demo60.out_dir / "styles.csv"
    assert sorted(p.name for p in demo60.out_dir.iterdir()) == ["images", "styles.csv"]


def test_styles_csv_is_kaggle_format(demo60):
    text = demo60.styles_csv.read_text(encoding="utf-8")
    assert "\r" not in text and text.endswith("\n")
    lines = list(csv.reader(text.splitlines()))
    assert lines[0] == HEADER
    assert len(lines) == 61
    assert all(len(line) == 10 for line in lines)
    ids = [int(line[0]) for line in lines[1:]]
    assert all(i > 0 for i in ids) and len(set(ids)) == len(ids)
    assert '"' not in text  # no field needs quoting, like the real file


def test_every_row_has_a_60x80_rgb_jpeg(demo60, rows60):
    images = demo60.out_dir / "images"
    assert sorted(p.name for p in images.iterdir()) == sorted(f"{r['id']}.jpg" for r in rows60)
    for row in rows60:
        with Image.open(images / f"{row['id']}.jpg") as img:
            img.load()
            assert (img.format, img.size, img.mode) == ("JPEG", (60, 80), "RGB")
            corners = [img.getpixel(xy) for xy in ((0, 0), (59, 0), (0, 79), (59, 79))]
            assert all(min(px) > 235 for px in corners), f"{row['id']}: background is not white"


def test_uses_the_real_vocabulary(rows60):
    for row in rows60:
        assert (row["masterCategory"], row["subCategory"]) == REAL_CATEGORY[row["articleType"]]
        assert row["baseColour"] in REAL_COLOURS
        assert row["gender"] in {"Men", "Women", "Unisex", "Boys", "Girls"}
        assert row["season"] in {"Summer", "Fall", "Winter", "Spring"}
        assert row["usage"] in {"Casual", "Formal", "Sports", "Ethnic", "Party"}
        assert 2010 <= int(row["year"]) <= 2018
    assert set(DEMO_ARTICLE_TYPES) == set(REAL_CATEGORY)
    assert set(COLOUR_RGB) == REAL_COLOURS


def test_every_type_is_present_at_size_60(rows60):
    counts = Counter(row["articleType"] for row in rows60)
    assert set(counts) == set(REAL_CATEGORY)
    assert min(counts.values()) >= 3


def test_gender_usage_and_names_are_plausible(rows60):
    for row in rows60:
        if row["articleType"] in WOMENSWEAR:
            assert row["gender"] not in {"Men", "Boys"}, row
        if row["articleType"] == "Sports Shoes":
            assert row["usage"] == "Sports"
        name = row["productDisplayName"]
        assert f" {row['gender']} " in name and row["baseColour"] in name, name
        assert "," not in name and "  " not in name and name == name.strip()


def test_some_names_are_shared_but_most_are_unique(tmp_path):
    rows = _rows(generate_demo(tmp_path, size=150, seed=0).styles_csv)
    names = Counter(row["productDisplayName"] for row in rows)
    shared = sum(1 for n in names.values() if n > 1)
    assert 1 <= shared and len(names) >= 0.85 * len(rows)
    for name in (n for n, k in names.items() if k > 1):  # a shared name is one product
        same = [r for r in rows if r["productDisplayName"] == name]
        twins = {(r["articleType"], r["gender"], r["baseColour"]) for r in same}
        assert len(twins) == 1


def test_same_seed_gives_identical_files(tmp_path, demo60):
    again = generate_demo(tmp_path / "again", size=60, seed=0)
    assert _digest(again.out_dir) == _digest(demo60.out_dir)


def test_different_seed_gives_a_different_catalogue(tmp_path, demo60):
    other = generate_demo(tmp_path / "other", size=60, seed=1)
    assert other.styles_csv.read_bytes() != demo60.styles_csv.read_bytes()
    assert _digest(other.out_dir / "images") != _digest(demo60.out_dir / "images")


@pytest.mark.parametrize("size", [0, -5, 2.5, True, "60", None])
def test_bad_size_is_a_clear_error(tmp_path, size):
    with pytest.raises(FashionError, match="size"):
        generate_demo(tmp_path / "demo", size=size)
    assert not (tmp_path / "demo").exists()


def test_one_product_is_allowed(tmp_path):
    result = generate_demo(tmp_path, size=1)
    assert result.n_products == 1 and len(_rows(result.styles_csv)) == 1


def test_a_file_in_the_way_is_a_clear_error(tmp_path):
    (tmp_path / "demo").write_text("not a folder")
    with pytest.raises(FashionError, match="cannot write"):
        generate_demo(tmp_path / "demo", size=3)


def test_overwrites_its_own_files_and_keeps_others(tmp_path):
    out = tmp_path / "demo"
    generate_demo(out, size=20, seed=7)
    (out / "README.txt").write_text("mine")
    result = generate_demo(out, size=15, seed=0)
    fresh = generate_demo(tmp_path / "fresh", size=15, seed=0)
    assert result.styles_csv.read_bytes() == fresh.styles_csv.read_bytes()
    for row in _rows(fresh.styles_csv):
        name = f"{row['id']}.jpg"
        assert (out / "images" / name).read_bytes() == (fresh.images_dir / name).read_bytes()
    assert (out / "README.txt").read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "images", "styles.csv"]  # no temporary file left


def _product_pixels(img: Image.Image) -> np.ndarray:
    px = np.asarray(img, dtype=np.float32).reshape(-1, 3)
    return px[px.min(axis=1) < 200]


def test_fill_is_the_named_colour():
    """Known answer: a red t-shirt reads red, blue jeans read blue."""
    red = _product_pixels(draw_product("Tshirts", "Red", seed=3)).mean(axis=0)
    blue = _product_pixels(draw_product("Jeans", "Blue", seed=3)).mean(axis=0)
    assert red[0] > red[2] + 80 and blue[2] > blue[0] + 80


def test_shape_tells_the_type():
    """Learnable: 1-nearest-neighbour on silhouettes separates the types across jitter seeds."""

    def silhouette(article_type: str, seed: int) -> np.ndarray:
        img = draw_product(article_type, "Black", seed=seed).convert("L").resize((20, 27))
        return (np.asarray(img) < 200).astype(np.float32).ravel()

    train = [(t, silhouette(t, s)) for t in DEMO_ARTICLE_TYPES for s in range(4)]
    hits = 0
    for t in DEMO_ARTICLE_TYPES:
        for s in (100, 101):
            probe = silhouette(t, s)
            guess = min(train, key=lambda ex: float(np.abs(ex[1] - probe).sum()))[0]
            hits += guess == t
    assert hits >= 0.8 * 2 * len(DEMO_ARTICLE_TYPES)


def test_draw_product_rejects_unknown_names():
    with pytest.raises(FashionError, match="Tshirts"):
        draw_product("Kurtas", "Red")
    with pytest.raises(FashionError, match="Navy Blue"):
        draw_product("Tshirts", "Chartreuse")
