"""prepare end to end on small built catalogues: images, groups, prices, splits, pairs, report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core.config import Settings
from core.data.catalog import PREPARED_COLUMNS
from core.data.enrich import PRICE_RANGES_BY_GROUP, price_range, simulated_price
from core.data.prepare import prepare
from core.data.splits import assign_splits, name_key
from core.errors import CatalogError
from tests.conftest import make_catalog, write_jpg

COLOURS = ["Red", "Blue", "Black", "White", "Green"]
TYPES = [("Apparel", "Topwear", "Tshirts"), ("Apparel", "Bottomwear", "Jeans"), ("Footwear", "Shoes", "Heels"),
         ("Accessories", "Watches", "Watches")]


def _lines(n: int) -> list[str]:
    out = []
    for i in range(1, n + 1):
        master, sub, article = TYPES[i % len(TYPES)]
        colour = COLOURS[i % len(COLOURS)]
        gender = "Women" if article == "Heels" or i % 3 else "Men"
        usage = ["Casual", "Formal", "Sports"][i % 3]
        # every 7th product shares its name with the previous one (colour variants, re-listings)
        name_no = i - 1 if i % 7 == 0 else i
        out.append(f"{i},{gender},{master},{sub},{article},{colour},Summer,2012,{usage},Brand{name_no} {gender} {article}")
    return out


@pytest.fixture
def catalog_dir(tmp_path):
    return make_catalog(tmp_path / "cat", _lines(120), images=list(range(1, 121)))


def _settings(tmp_path, catalog_dir) -> Settings:
    return Settings.from_env(home=tmp_path / "home", catalog=catalog_dir)


def test_prepare_writes_catalogue_pairs_and_report(tmp_path, catalog_dir):
    result = prepare(_settings(tmp_path, catalog_dir))
    catalog = pd.read_parquet(result.catalog_path)
    assert tuple(catalog.columns) == PREPARED_COLUMNS
    assert len(catalog) == result.products == 120
    assert catalog["id"].dtype == "int64" and catalog["price"].dtype == "int64"
    assert set(catalog["group"]) == {"topwear", "bottomwear", "footwear", "watches"}
    assert catalog["description"].str.len().min() > 20
    assert catalog["image"].map(lambda p: p.endswith(".jpg")).all()
    report = json.loads(result.report_path.read_text())
    assert report["rows_read"] == 120 and report["products"] == 120
    assert report["images"]["sizes"] == {"60x80": 120}
    assert report["distributions"]["group"]["topwear"] == 30
    assert sum(report["distributions"]["split"].values()) == 120


def test_missing_and_corrupt_images_are_excluded_and_reported(tmp_path):
    root = make_catalog(tmp_path / "cat", _lines(12), images=[i for i in range(1, 13) if i not in (3, 5)])
    full = (root / "images" / "7.jpg").read_bytes()
    (root / "images" / "7.jpg").write_bytes(full[: len(full) // 2])  # truncated jpg
    (root / "images" / "9.jpg").write_text("not an image at all")
    write_jpg(root / "images" / "11.jpg", mode="L")  # grayscale is fine
    result = prepare(_settings(tmp_path, root))
    report = result.report
    assert report["images"]["missing"] == [3, 5]
    assert [c["id"] for c in report["images"]["corrupt"]] == [7, 9]
    assert all(c["reason"].startswith("corrupt: ") for c in report["images"]["corrupt"])
    assert report["skipped"] == {"corrupt image": 2, "missing image": 2}
    assert report["images"]["modes"] == {"RGB": 7, "L": 1}
    assert result.products == 8


def test_rerun_is_byte_identical_and_raw_data_untouched(tmp_path, catalog_dir):
    before = {p.name: p.read_bytes() for p in catalog_dir.rglob("*") if p.is_file()}
    settings = _settings(tmp_path, catalog_dir)
    first = prepare(settings)
    digests = {p: p.read_bytes() for p in (first.catalog_path, first.pairs_path, first.report_path)}
    prepare(settings)
    assert {p: p.read_bytes() for p in digests} == digests
    assert {p.name: p.read_bytes() for p in catalog_dir.rglob("*") if p.is_file()} == before


def test_no_name_in_two_splits_and_roughly_80_10_10(tmp_path):
    frame = pd.DataFrame([dict(id=i, productDisplayName=f"Name {i // 3}", group="topwear") for i in range(1, 601)])
    splits = assign_splits(frame)
    per_name = frame.assign(split=splits, key=frame["productDisplayName"].map(name_key)).groupby("key")["split"].nunique()
    assert (per_name == 1).all()
    shares = splits.value_counts(normalize=True)
    assert 0.75 < shares["train"] < 0.85 and 0.06 < shares["valid"] < 0.14 and 0.06 < shares["test"] < 0.14
    assert assign_splits(frame).equals(splits)  # deterministic


def test_names_differing_only_in_case_share_a_split():
    frame = pd.DataFrame([
        dict(id=i, productDisplayName=("Puma Red Tee" if i % 2 else "PUMA  red tee"), group="topwear") for i in range(40)
    ])
    assert assign_splits(frame).nunique() == 1


@pytest.mark.parametrize(
    "article, group",
    [("Tshirts", "topwear"), ("Watches", "watches"), ("Lipstick", "personal-care"), ("Mystery", "other")],
)
def test_prices_are_deterministic_and_in_range(article, group):
    low, high = price_range(article, group)
    prices = [simulated_price(pid, article, group) for pid in range(1, 2001)]
    assert prices == [simulated_price(pid, article, group) for pid in range(1, 2001)]
    assert min(prices) >= low and max(prices) <= high
    assert all(p % 10 == 9 for p in prices)
    assert len(set(prices)) > 50  # spread across the range, not a constant
    assert simulated_price(1, article, group, seed=1) != simulated_price(1, article, group, seed=0) or low == high


def test_every_group_has_a_price_range():
    from core.data.groups import GROUPS

    assert set(GROUPS) == set(PRICE_RANGES_BY_GROUP)


def test_negatives_never_describe_the_anchor(tmp_path, catalog_dir):
    result = prepare(_settings(tmp_path, catalog_dir))
    catalog = pd.read_parquet(result.catalog_path).set_index("id")
    pairs = pd.read_parquet(result.pairs_path)
    assert len(pairs) > 0 and set(pairs["kind"]) == {"colour", "gender", "usage"}
    assert (pairs["negative"] != pairs["positive"]).all()
    column = {"colour": "baseColour", "gender": "gender", "usage": "usage"}
    for row in pairs.itertuples():
        anchor = catalog.loc[row.anchor_id]
        assert row.positive == anchor["description"]
        if row.negative_id >= 0:
            negative = catalog.loc[row.negative_id]
            assert negative[column[row.kind]] != anchor[column[row.kind]]
            assert negative["articleType"] == anchor["articleType"]
        else:
            assert anchor["productDisplayName"] not in row.negative
    assert (pairs["split"] == catalog.loc[pairs["anchor_id"], "split"].to_numpy()).all()


@pytest.mark.parametrize("remove, message", [("styles.csv", "no styles.csv"), ("images", "no images/ folder")])
def test_missing_parts_of_the_catalogue(tmp_path, catalog_dir, remove, message):
    import shutil

    target = catalog_dir / remove
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    with pytest.raises(CatalogError, match=message):
        prepare(_settings(tmp_path, catalog_dir))


def test_every_row_unusable_is_a_clear_error(tmp_path):
    root = make_catalog(tmp_path / "cat", _lines(3), images=[])
    with pytest.raises(CatalogError, match="no usable product"):
        prepare(_settings(tmp_path, root))


def test_shared_catalogue_headline_counts(tmp_path, shared_catalog):
    result = prepare(Settings.from_env(home=tmp_path / "home", catalog=shared_catalog))
    report = result.report
    assert report["rows_read"] == 9375 and result.products == 9375
    assert [r["id"] for r in report["recovered_lines"]] == ["23112", "3418"]
    assert report["skipped"] == {}
    assert report["images"]["modes"]["L"] == 108
    catalog = pd.read_parquet(result.catalog_path)
    name = catalog.set_index("id").loc[3418, "productDisplayName"]
    assert name == "Myntra Men's Take my advice, I don't use it anyway Black T-shirt"
    assert catalog.groupby(catalog["productDisplayName"].map(name_key))["split"].nunique().max() == 1


def test_brand_holdout_splits_keep_whole_brands_out_of_training():
    from core.data.brands import brand_of
    from core.data.splits import assign_splits, brand_holdout_splits

    brands = [f"Brand{i}" for i in range(40)]
    names = [f"{brands[i % 40]} {'Men' if i % 3 else 'Women'} Shirt {i % 7}" for i in range(800)]
    names += [f"Plain Shirt {i}" for i in range(60)]  # no gender word: no brand
    frame = pd.DataFrame({"id": range(len(names)), "productDisplayName": names,
                          "group": ["topwear" if i % 2 else "footwear" for i in range(len(names))]})
    split = brand_holdout_splits(frame, seed=1)
    assert split.equals(brand_holdout_splits(frame, seed=1)) and not split.equals(brand_holdout_splits(frame, seed=2))
    brand = frame["productDisplayName"].map(brand_of)
    per_brand = pd.crosstab(brand.dropna(), split[brand.notna()])
    assert ((per_brand > 0).sum(axis=1) == 1).all()  # each brand wholly in one split
    shares = split[brand.notna()].value_counts(normalize=True)
    assert 0.09 <= shares["test"] <= 0.13 and 0.09 <= shares["valid"] <= 0.13
    unbranded = brand.isna()
    assert split[unbranded].equals(assign_splits(frame, seed=1)[unbranded])  # those keep the name split
