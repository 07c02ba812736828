"""The perceptual colour descriptor: CIELab conversion, the product's pixels only, and the tower option."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core.model.colour import LAB_PROTOTYPES, lab_histogram, srgb_to_lab
from core.model.features import decode_images
from core.model.towers import ImageTower


@pytest.mark.parametrize("rgb, lab", [
    ((255, 255, 255), (100.0, 0.0, 0.0)),
    ((0, 0, 0), (0.0, 0.0, 0.0)),
    ((255, 0, 0), (53.24, 80.09, 67.20)),  # published sRGB (D65) values
    ((0, 0, 255), (32.30, 79.19, -107.86)),
    ((128, 128, 128), (53.59, 0.0, 0.0)),
])
def test_srgb_to_lab_matches_published_values(rgb, lab):
    np.testing.assert_allclose(srgb_to_lab(np.array([rgb]))[0], lab, atol=0.15)


def _product(colour, size=(60, 80), box=(12, 10, 48, 70)) -> Image.Image:
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste(colour, box)
    return image


def _nearest(hist: np.ndarray) -> np.ndarray:
    return LAB_PROTOTYPES[int(np.argmax(hist))]


def test_the_histogram_describes_the_product_not_the_white_background():
    red, navy = lab_histogram(_product((200, 20, 30))), lab_histogram(_product((20, 30, 90)))
    assert red.shape == (len(LAB_PROTOTYPES),) == (77,) and red.dtype == np.float32
    assert np.isclose(np.linalg.norm(red), 1.0) and (red >= 0).all()
    lightness, a, b = _nearest(red)
    assert a > 20 and b > 0  # a red prototype
    lightness, a, b = _nearest(navy)
    assert b < -10 and lightness <= 55  # a dark blue one
    assert float(red @ navy) < 0.5
    small_box = lab_histogram(_product((200, 20, 30), box=(25, 30, 35, 50)))
    assert float(red @ small_box) > 0.99  # the amount of white around does not matter


def test_a_white_product_on_white_is_still_described():
    hist = lab_histogram(Image.new("RGB", (60, 80), (250, 250, 250)))
    lightness, a, b = _nearest(hist)
    assert lightness == 90 and a == 0 and b == 0


def test_the_tower_appends_it_and_names_its_own_features():
    plain, lab = ImageTower(image_size=64), ImageTower(image_size=64, colour_lab=True)
    assert lab.dim == plain.dim + 77 and lab.cache_namespace.replace("-lab77", "") == plain.cache_namespace
    assert "-lab77" in lab.cache_namespace
    image = _product((200, 20, 30))
    decoded = decode_images([image], [0], 64, 4, lab=True)
    np.testing.assert_array_equal(decoded.hists[0][-77:], lab_histogram(image))
    got, failed = lab.features([image])
    assert failed == [] and got.shape == (1, lab.dim)
    np.testing.assert_allclose(got[0, -77:], lab_histogram(image), atol=1e-6)
    config = {k: v for k, v in lab.get_config_dict().items() if k != "colour_lab"}  # saved before the option
    assert not ImageTower(**config, load_pretrained=False).colour_lab
