"""The generated demo catalogue: a few hundred drawn products in exactly the Kaggle format.

``generate_demo`` writes ``styles.csv`` (the real header, LF lines, no quoting needed) and
``images/{id}.jpg`` (60x80 RGB, product centred on white), so the demo goes through the same
``prepare`` path as the real "Fashion Product Images (Small)" catalogue. Attributes use the real
vocabulary (article types, colour names, genders, seasons, usages) with plausible pairings.

Trade-off: the pictures are flat silhouettes, not photos. Shape carries the article type and the
fill carries the colour, with small jitter (size, offset, tilt, mirror, shade) and a few patterns,
so the set is easy to learn but not trivial. Everything comes from ``seed``: the same seed gives
byte-identical files (for the same Pillow/libjpeg build).
"""

from __future__ import annotations

import csv
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter
from tqdm import tqdm

from core.errors import FashionError

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 around the picture centre

DEFAULT_SIZE = 300
FIRST_ID = 10001
IMAGE_SIZE = (60, 80)  # width, height, as in the Kaggle "small" set
JPEG_QUALITY = 90
COLUMNS = (
    "id", "gender", "masterCategory", "subCategory", "articleType",
    "baseColour", "season", "year", "usage", "productDisplayName",
)  # fmt: skip

COLOUR_RGB: dict[str, RGB] = {
    "Black": (30, 30, 32),
    "White": (246, 246, 243),
    "Grey": (128, 128, 132),
    "Silver": (190, 192, 198),
    "Blue": (38, 92, 196),
    "Navy Blue": (28, 38, 92),
    "Teal": (0, 128, 128),
    "Green": (40, 145, 60),
    "Olive": (108, 114, 42),
    "Yellow": (242, 208, 40),
    "Gold": (205, 160, 50),
    "Orange": (240, 128, 30),
    "Red": (205, 30, 40),
    "Maroon": (120, 22, 42),
    "Pink": (240, 140, 182),
    "Purple": (122, 52, 152),
    "Brown": (112, 70, 38),
    "Tan": (196, 146, 94),
    "Beige": (222, 203, 164),
}
"""The fill of every product: one RGB per named ``baseColour``."""

SEASON_WEIGHTS = {"Summer": 5, "Fall": 3, "Winter": 2, "Spring": 1}
YEAR_WEIGHTS = {2010: 1, 2011: 4, 2012: 5, 2013: 1, 2014: 1, 2015: 2, 2016: 3, 2017: 2, 2018: 1}

BRANDS = (
    "Aurelia", "Bramble", "Corvo", "Denali Street", "Elmswood", "Fennick", "Gullwing",
    "Harbor Lane", "Indus Loom", "Lumen", "Marlow & Finch", "Oakridge", "Quillon", "Rivet Denim",
    "Saffron Row", "Vellmora",
)  # fmt: skip
SPORT_BRANDS = ("Kestrel", "Nimbus Sport", "Pace Athletic", "Trailhead")

PATTERN_WORDS: dict[str, tuple[str, ...]] = {
    "stripes": ("Striped",),
    "checks": ("Check", "Checked"),
    "dots": ("Polka Dot",),
    "logo": ("Printed", "Graphic", "Logo"),
    "fade": ("Washed", "Faded"),
    "pleats": ("Pleated",),
    "sidestripe": ("Track", "Side Stripe"),
    "chrono": ("Chronograph",),
}
"""Words a name uses for a pattern, so a striped picture is called striped."""

SHARED_NAME_RATE = 0.08
"""Share of products that repeat an earlier product's name (the real catalogue has ~10%)."""

_SCALE = 4  # draw at 4x and downsample: smooth edges like a photo, not pixel art
_WHITE = (255, 255, 255)
_SILVER = (200, 201, 206)
_GOLD = (212, 172, 60)
_RUBBER = (236, 233, 224)


@dataclass(frozen=True)
class DemoResult:
    """Where :func:`generate_demo` wrote the catalogue and how many products it holds."""

    out_dir: Path
    styles_csv: Path
    n_products: int

    @property
    def images_dir(self) -> Path:
        return self.out_dir / "images"


# -- colours ---------------------------------------------------------------------------------
def _luma(rgb: RGB) -> float:
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    """``a`` moved a fraction ``t`` towards ``b``."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))  # type: ignore[return-value]


def _accent(rgb: RGB) -> RGB:
    """A seam/detail shade that shows on ``rgb``: darker on light colours, lighter on dark ones."""
    return _mix(rgb, (0, 0, 0), 0.4) if _luma(rgb) > 70 else _mix(rgb, _WHITE, 0.35)


def _contrast(rgb: RGB) -> RGB:
    """A print/stripe colour: white on dark or saturated colours, navy on light ones."""
    return (245, 245, 245) if _luma(rgb) < 165 else (30, 40, 90)


# -- the drawing surface ---------------------------------------------------------------------
class _Sketch:
    """One product at 4x. Body shapes go into a mask that is filled with the colour (and pattern)
    and outlined; details go on an overlay drawn on top. Coordinates are 60x80 pixels with the
    origin at the centre of the picture, y down."""

    def __init__(self, colour: RGB, rng: random.Random):
        self.colour = colour
        self.rng = rng
        w, h = IMAGE_SIZE[0] * _SCALE, IMAGE_SIZE[1] * _SCALE
        self.mask = Image.new("L", (w, h), 0)
        self.overlay = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        self.fill = Image.new("RGB", (w, h), colour)
        self._mask = ImageDraw.Draw(self.mask)
        self._over = ImageDraw.Draw(self.overlay)
        self._fill = ImageDraw.Draw(self.fill)
        self.zoom = rng.uniform(0.88, 1.04)
        self.dx = rng.uniform(-2.5, 2.5)
        self.dy = rng.uniform(-3.0, 3.0)

    # geometry
    def p(self, x: float, y: float) -> tuple[float, float]:
        return (
            (IMAGE_SIZE[0] / 2 + self.dx + x * self.zoom) * _SCALE,
            (IMAGE_SIZE[1] / 2 + self.dy + y * self.zoom) * _SCALE,
        )

    def box(self, x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [*self.p(x0, y0), *self.p(x1, y1)]

    def w(self, width: float) -> int:
        return max(1, round(width * self.zoom * _SCALE))

    # body: filled with the product colour, outlined
    def poly(self, *pts: tuple[float, float]) -> None:
        self._mask.polygon([self.p(*q) for q in pts], fill=255)

    def rect(self, x0: float, y0: float, x1: float, y1: float, radius: float = 0) -> None:
        radius *= self.zoom * _SCALE
        self._mask.rounded_rectangle(self.box(x0, y0, x1, y1), radius=radius, fill=255)

    def ellipse(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self._mask.ellipse(self.box(x0, y0, x1, y1), fill=255)

    def pieslice(self, box: Box, start: float, end: float) -> None:
        self._mask.pieslice(self.box(*box), start, end, fill=255)

    def arc(self, box: Box, start: float, end: float, width: float) -> None:
        self._mask.arc(self.box(*box), start, end, fill=255, width=self.w(width))

    def band(self, pts: list[tuple[float, float]], width: float) -> None:
        self._mask.line([self.p(*q) for q in pts], fill=255, width=self.w(width), joint="curve")

    # pattern: painted on the fill, so it only shows inside the body
    def stripes(self, colour: RGB, gap: float, width: float, vertical: bool = False) -> None:
        offset = self.rng.uniform(0, gap)
        for i in range(-20, 21):
            c = i * gap + offset
            pts = [self.p(c, -45), self.p(c, 45)] if vertical else [self.p(-35, c), self.p(35, c)]
            self._fill.line(pts, fill=colour, width=self.w(width))

    def dots(self, colour: RGB, gap: float, radius: float) -> None:
        for row in range(-9, 10):
            for col in range(-7, 8):
                x, y = col * gap + (gap / 2 if row % 2 else 0), row * gap
                box = self.box(x - radius, y - radius, x + radius, y + radius)
                self._fill.ellipse(box, fill=colour)

    def blotch(self, colour: RGB, box: Box) -> None:
        self._fill.ellipse(self.box(*box), fill=colour)

    # details: drawn over the finished body
    def line(self, pts: list[tuple[float, float]], colour: RGB, width: float = 1) -> None:
        self._over.line([self.p(*q) for q in pts], fill=colour, width=self.w(width), joint="curve")

    def dot(self, x: float, y: float, r: float, colour: RGB) -> None:
        self._over.ellipse(self.box(x - r, y - r, x + r, y + r), fill=colour)

    def shape(self, pts: list[tuple[float, float]], colour: RGB) -> None:
        self._over.polygon([self.p(*q) for q in pts], fill=colour)

    def disc(self, box: Box, fill=None, outline=None, width: float = 1) -> None:
        self._over.ellipse(self.box(*box), fill=fill, outline=outline, width=self.w(width))

    def frame(self, box: Box, fill=None, outline=None, width: float = 1, radius: float = 0) -> None:
        radius *= self.zoom * _SCALE
        self._over.rounded_rectangle(
            self.box(*box), radius=radius, fill=fill, outline=outline, width=self.w(width)
        )

    def render(self, tilt: float, mirror: bool) -> Image.Image:
        """Compose at 4x (white, filled body, outline, details), tilt, mirror, downsample."""
        img = Image.new("RGB", self.mask.size, _WHITE)
        img.paste(self.fill, mask=self.mask)
        # Dilate by 2 px: same result as MaxFilter(5), about 8x faster.
        grown = self.mask.filter(ImageFilter.BoxBlur(2)).point(lambda v: 255 if v else 0)
        ring = ImageChops.subtract(grown, self.mask)
        img.paste(_mix(self.colour, (0, 0, 0), 0.45), mask=ring)
        img.paste(self.overlay, mask=self.overlay)
        img = img.rotate(tilt, resample=Image.Resampling.BILINEAR, fillcolor=_WHITE)
        if mirror:
            img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        return img.resize(IMAGE_SIZE, Image.Resampling.LANCZOS)


# -- one drawing per article type (toe/brim to the right; mirroring varies it) ----------------
def _draw_tshirt(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-6, -27), (-13, -25), (-25, -15), (-20, -6), (-14, -11), (-14, 27), (14, 27), (14, -11),
        (20, -6), (25, -15), (13, -25), (6, -27), (3, -24), (0, -23), (-3, -24),
    )  # fmt: skip
    if pattern == "stripes":
        s.stripes(_contrast(c), gap=5, width=1.6)
    s.line([(-6, -27), (-3, -24), (0, -23), (3, -24), (6, -27)], _accent(c), 1.4)
    s.line([(-24.5, -13.5), (-19.5, -8)], _accent(c), 1.2)
    s.line([(24.5, -13.5), (19.5, -8)], _accent(c), 1.2)
    if pattern == "logo":
        if s.rng.random() < 0.5:
            s.disc((-6, -14, 6, -2), fill=_contrast(c))
        else:
            s.frame((-8, -13, 8, -3), fill=_contrast(c), radius=1)
            s.line([(-5, -8), (5, -8)], c, 1.5)


def _draw_shirt(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-6, -28), (-13, -26), (-19, -22), (-24, 20), (-18, 21), (-14, -6), (-14, 28), (14, 28),
        (14, -6), (18, 21), (24, 20), (19, -22), (13, -26), (6, -28), (0, -22),
    )  # fmt: skip
    if pattern == "stripes":
        s.stripes(_contrast(c), gap=4, width=1.1, vertical=True)
    elif pattern == "checks":
        s.stripes(_contrast(c), gap=6, width=1.3, vertical=True)
        s.stripes(_contrast(c), gap=6, width=1.3)
    collar = _mix(c, _WHITE, 0.25) if _luma(c) < 200 else _mix(c, (0, 0, 0), 0.1)
    for sign in (-1, 1):
        s.shape([(sign * 7, -29), (0, -22), (sign * 6, -17), (sign * 10, -26)], collar)
        s.line([(sign * 7, -29), (0, -22), (sign * 6, -17), (sign * 10, -26)], _accent(c), 0.8)
        s.line([(sign * 23.5, 17), (sign * 18.3, 18)], _accent(c), 1.2)  # cuff
    s.line([(0, -22), (0, 28)], _accent(c), 0.9)
    for y in (-17, -10, -3, 4, 11, 18, 24):
        s.dot(1.6, y, 0.9, _accent(c))
    if s.rng.random() < 0.5:
        s.frame((-11, -15, -5, -8), outline=_accent(c), width=0.8)


def _draw_jeans(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.rect(-13, -34, 13, -28)
    s.poly((-13, -28.5), (13, -28.5), (15.5, 34), (3, 34), (0, -6), (-3, 34), (-15.5, 34))
    if pattern == "fade":
        light = _mix(c, _WHITE, 0.12)
        s.blotch(light, (-12.5, -22, -4, 20))
        s.blotch(light, (4, -22, 12.5, 20))
    stitch = _GOLD
    s.line([(-13, -28.5), (13, -28.5)], _accent(c), 1)
    s.line([(0, -28.5), (0, -14), (-3, -10)], stitch, 0.8)
    s.line([(-12, -24), (-7, -27.8)], stitch, 0.8)
    s.line([(12, -24), (7, -27.8)], stitch, 0.8)
    for x in (-9, 9):
        s.frame((x - 0.8, -34.5, x + 0.8, -28), fill=_accent(c))
    s.dot(0, -31, 1.2, _SILVER)


def _draw_shorts(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.rect(-15, -17, 15, -11)
    s.poly((-15, -11.5), (15, -11.5), (18.5, 15), (2, 16), (0, 1), (-2, 16), (-18.5, 15))
    s.line([(-15, -11.5), (15, -11.5)], _accent(c), 1)
    s.line([(0, -11.5), (0, -2)], _accent(c), 0.8)
    s.line([(-18, 12.5), (-2.2, 13.5)], _accent(c), 0.8)
    s.line([(18, 12.5), (2.2, 13.5)], _accent(c), 0.8)
    if pattern == "sidestripe":
        for sign in (-1, 1):
            s.line([(sign * 15.3, -10), (sign * 18, 13.5)], _contrast(c), 2)
        s.line([(-1, -14), (-2, -6)], _contrast(c), 0.8)
        s.line([(1, -14), (2, -6)], _contrast(c), 0.8)


def _draw_dress(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-10, -24), (-4.5, -24), (0, -19), (4.5, -24), (10, -24), (8, -8), (21, 31), (-21, 31),
        (-8, -8),
    )  # fmt: skip
    s.band([(-8.5, -33), (-8.5, -23)], 2.2)
    s.band([(8.5, -33), (8.5, -23)], 2.2)
    if pattern == "dots":
        s.dots(_contrast(c), gap=5, radius=1.1)
    elif pattern == "stripes":
        s.stripes(_contrast(c), gap=5, width=1.5)
    s.line([(-8, -8), (8, -8)], _accent(c), 1.6)
    for x0, x1 in ((-3, -9), (3, 9), (0, 0)):
        s.line([(x0, -6), (x1, 29)], _accent(c), 0.6)


def _draw_skirt(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.rect(-11, -21, 11, -15.5)
    s.poly((-11, -16), (11, -16), (21, 19), (-21, 19))
    if pattern == "dots":
        s.dots(_contrast(c), gap=5, radius=1.1)
    s.line([(-11, -16), (11, -16)], _accent(c), 1)
    if pattern == "pleats":
        for i in range(-4, 5):
            s.line([(i * 2.2, -15), (i * 4.3, 18.5)], _accent(c), 0.7)
    else:
        s.line([(-3, -15), (-6, 18)], _accent(c), 0.6)
        s.line([(3, -15), (6, 18)], _accent(c), 0.6)


def _draw_casual_shoe(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-23, 6), (-24, -2), (-21, -8), (-12, -7), (-8, -12.5), (-3, -12.5), (0, -9), (14, -3),
        (22, 0), (25.5, 6),
    )  # fmt: skip
    sole = _RUBBER if _luma(c) < 215 else (205, 205, 205)
    s.frame((-24.5, 5, 26.5, 11), fill=sole, radius=2.5)
    s.line([(-24, 7.5), (26, 7.5)], _accent(sole), 0.5)
    s.shape([(17, 5), (21, 0.8), (25.5, 5)], sole)  # toe cap
    lace = _WHITE if _luma(c) < 200 else (60, 60, 70)
    for i in range(4):
        x = -5 + i * 4.5
        s.line([(x, -9.5 + i * 1.5), (x + 3, -6 + i * 1.5)], lace, 1)
        s.dot(x, -9.5 + i * 1.5, 0.6, _accent(c))
    s.line([(-21, -7.5), (-23, 4)], _accent(c), 0.8)


def _draw_sports_shoe(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-23, 4), (-25, -5), (-22, -11), (-14, -10), (-10, -15), (-4, -14), (2, -8), (15, -3),
        (24, 1), (26, 5),
    )  # fmt: skip
    sole = _RUBBER if _luma(c) < 215 else (150, 150, 158)
    s.shape([(-26, 2), (26.5, 4.5), (26.5, 8), (23, 11), (-23, 13), (-26.5, 10.5)], sole)
    s.line([(-25, 8), (25, 7)], _accent(sole), 0.8)
    swoosh = _contrast(c)
    s.line([(-18, -1), (-6, 1), (8, -3), (16, -6)], swoosh, 2.2)
    lace = _WHITE if _luma(c) < 200 else (60, 60, 70)
    for i in range(4):
        x = -7 + i * 4
        s.line([(x, -11 + i * 1.5), (x + 3, -8 + i * 1.5)], lace, 1)
    s.line([(-23, -9), (-15, -8.5)], _accent(c), 1.2)  # padded collar


def _draw_heels(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-23, -17), (-17, -15.5), (-6, -8), (4, -3), (14, -1), (22, 2), (25.5, 7), (23, 10),
        (10, 10), (-6, 1), (-18, -5), (-23, -6),
    )  # fmt: skip
    s.poly((-22.5, -6), (-18, -5), (-19.7, 11), (-21, 11))  # stiletto
    s.line([(-22.5, -16.6), (-17, -15), (-6, -7.5), (4, -2.5)], _accent(c), 1)  # lining
    s.line([(-18, -4.5), (-6, 1.6), (10, 10.4), (23, 10.4)], _mix(c, (0, 0, 0), 0.55), 0.9)  # sole
    s.frame((-21.5, 9.5, -19, 11.5), fill=(40, 40, 40))


def _draw_sandals(s: _Sketch, pattern: str) -> None:
    """A pair seen from above: footbeds with two straps each (side views are for shoes)."""
    c = s.colour
    strap = _mix(c, (0, 0, 0), 0.3) if _luma(c) > 60 else _mix(c, _WHITE, 0.25)
    for x in (-10.5, 10.5):
        s.ellipse(x - 8, -29, x + 8, 8)  # forefoot
        s.ellipse(x - 6.5, -8, x + 6.5, 29)  # heel
        s.poly((x - 7.6, -8), (x + 7.6, -8), (x + 6.5, 18), (x - 6.5, 18))
        for box in ((x - 9, -18, x + 9, -11), (x - 8.5, -2, x + 8.5, 4.5)):
            s.frame(box, fill=strap, outline=_accent(strap), width=0.6, radius=2)
        s.disc((x - 5, 13, x + 5, 24), fill=_mix(c, (0, 0, 0), 0.12))  # worn heel seat


def _draw_watch(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.rect(-7, -36, 7, 36, radius=3)
    s.ellipse(-15, -15, 15, 15)
    s.rect(14, -2.5, 17.5, 2.5, radius=0.8)  # crown
    dial = _WHITE if _luma(c) < 140 else (34, 34, 38)
    ink = _contrast(dial)
    s.disc((-11.5, -11.5, 11.5, 11.5), fill=dial, outline=_accent(c), width=0.8)
    for x, y in ((0, -9), (9, 0), (0, 9), (-9, 0)):
        s.dot(x, y, 0.9, ink)
    if pattern == "chrono":
        for x, y in ((-4.5, 0), (4.5, 0), (0, 5)):
            s.disc((x - 2.2, y - 2.2, x + 2.2, y + 2.2), outline=ink, width=0.5)
    s.line([(0, 0), (0, -8)], ink, 1)
    s.line([(0, 0), (5.5, 2.5)], ink, 1.2)
    for y in (21, 25, 29):
        s.dot(0, y, 0.9, _accent(c))


def _draw_handbag(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.poly((-18, -6), (18, -6), (23, 25), (-23, 25))
    s.arc((-12, -25, 12, 13), 180, 360, 3.2)  # handle
    metal = _GOLD if s.rng.random() < 0.5 else _SILVER
    s.line([(-18, -6), (0, 6), (18, -6)], _accent(c), 1.2)  # flap
    s.frame((-2.5, 4, 2.5, 9), fill=metal, radius=0.8)
    s.line([(-22, 21), (22, 21)], _accent(c), 0.6)


def _draw_cap(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.pieslice((-20, -13, 14, 23), 180, 360)  # crown, flat base at y=5
    s.poly((8, 1.5), (20, 2.5), (28, 5.5), (25, 9), (8, 6.5))  # brim
    s.ellipse(-4.5, -15.5, -0.5, -11.5)  # button
    s.line([(-3, -12), (-12, -3), (-14, 5)], _accent(c), 0.8)
    s.line([(-1.5, -12), (4, -6), (6, 4.5)], _accent(c), 0.8)
    s.line([(-20, 5), (9, 5)], _accent(c), 1)
    s.dot(-9, -6, 0.8, _accent(c))
    if pattern == "logo":
        s.frame((-6, -5, 2, 0), fill=_contrast(c), radius=1)  # badge


def _draw_sunglasses(s: _Sketch, pattern: str) -> None:
    c = s.colour
    for sign in (-1, 1):
        s.poly(
            (sign * 2.5, -8), (sign * 24, -9), (sign * 23, 1), (sign * 19.5, 8.5), (sign * 7, 8.5),
            (sign * 3, 1),
        )  # fmt: skip
    s.rect(-26.5, -9, -22, -5.5)  # temples
    s.rect(22, -9, 26.5, -5.5)
    s.rect(-4, -8, 4, -4.5)  # bridge
    lens = _mix(c, (15, 15, 20), 0.6)
    glint = _mix(lens, _WHITE, 0.35)
    for sign in (-1, 1):
        s.shape(
            [(sign * 4.5, -5.8), (sign * 21.8, -6.8), (sign * 21, 0.5), (sign * 18.3, 6.3),
             (sign * 8, 6.3), (sign * 5.2, 0.5)],
            lens,
        )  # fmt: skip
        s.line([(sign * 9, 2), (sign * 14, -4)], glint, 1)


def _draw_belt(s: _Sketch, pattern: str) -> None:
    c = s.colour
    s.rect(-21, -4.5, 25, 4.5)
    s.poly((24.5, -4.5), (29, 0), (24.5, 4.5))  # tip
    warm = c[0] > c[2] + 50 and _luma(c) < 170  # brown and tan leather get brass
    metal = _GOLD if warm or s.rng.random() < 0.3 else _SILVER
    s.frame((-29, -8, -19, 8), outline=metal, width=2, radius=1.5)  # buckle
    s.line([(-24, 0), (-16, 0)], metal, 1.2)  # prong
    for x in (8, 12, 16, 20):
        s.dot(x, 0, 0.9, _mix(c, (0, 0, 0), 0.6))
    s.line([(-18, -3), (24, -3)], _accent(c), 0.5)
    s.line([(-18, 3), (24, 3)], _accent(c), 0.5)


# -- what the catalogue holds ----------------------------------------------------------------
def _weights(spec: str) -> dict[str, int]:
    """``"Navy Blue 3, Red 1"`` -> ``{"Navy Blue": 3, "Red": 1}``, to keep the table readable."""
    pairs = (item.strip().rsplit(" ", 1) for item in spec.split(","))
    return {key: int(weight) for key, weight in pairs}


@dataclass(frozen=True)
class _Article:
    article_type: str
    master: str
    sub: str
    draw: Callable[[_Sketch, str], None]
    nouns: tuple[str, ...]
    plain_words: tuple[str, ...]  # descriptors of a solid product ("" = none)
    genders: dict[str, int]
    usages: dict[str, int]
    colours: dict[str, int]
    patterns: dict[str, int]
    seasons: dict[str, int] = field(default_factory=lambda: dict(SEASON_WEIGHTS))


_APPAREL = _weights(
    "Black 4, White 4, Blue 4, Navy Blue 3, Red 3, Grey 3, Green 3, Yellow 2, Pink 2, Purple 2,"
    "Maroon 2, Orange 1, Olive 1, Teal 1, Brown 1, Beige 1"
)
_SOLID = {"solid": 1}

ARTICLES: tuple[_Article, ...] = (
    _Article(
        "Tshirts", "Apparel", "Topwear", _draw_tshirt, ("T-shirt", "Tshirt", "Polo T-shirt"),
        ("Slim Fit", "Round Neck", "Solid", "Basic", ""),
        _weights("Men 6, Women 2, Boys 1, Girls 1, Unisex 1"), _weights("Casual 6, Sports 2"),
        _APPAREL, _weights("solid 4, stripes 2, logo 2"),
    ),
    _Article(
        "Shirts", "Apparel", "Topwear", _draw_shirt, ("Shirt",),
        ("Slim Fit", "Formal", "Regular Fit", "Solid", ""),
        _weights("Men 7, Women 2, Boys 1"), _weights("Casual 5, Formal 3, Party 1"),
        _APPAREL, _weights("solid 3, stripes 2, checks 2"),
    ),
    _Article(
        "Jeans", "Apparel", "Bottomwear", _draw_jeans, ("Jeans",),
        ("Slim Fit", "Skinny Fit", "Regular Fit", ""),
        _weights("Men 4, Women 4, Boys 1, Girls 1"), _weights("Casual 1"),
        _weights("Blue 6, Navy Blue 3, Black 3, Grey 2, White 1"), _weights("solid 3, fade 2"),
    ),
    _Article(
        "Shorts", "Apparel", "Bottomwear", _draw_shorts, ("Shorts",),
        ("Cargo", "Solid", "Casual", ""),
        _weights("Men 5, Boys 2, Women 2, Girls 1"), _weights("Casual 3, Sports 2"),
        _APPAREL, _weights("solid 3, sidestripe 1"),
    ),
    _Article(
        "Dresses", "Apparel", "Dress", _draw_dress, ("Dress", "Maxi Dress", "Shift Dress"),
        ("Solid", "A-Line", ""),
        _weights("Women 4, Girls 1"), _weights("Casual 5, Party 2, Formal 1"),
        _APPAREL, _weights("solid 3, dots 2, stripes 1"),
    ),
    _Article(
        "Skirts", "Apparel", "Bottomwear", _draw_skirt, ("Skirt",),
        ("A-Line", "Flared", "Solid", ""),
        _weights("Women 4, Girls 1"), _weights("Casual 5, Formal 1, Party 1"),
        _APPAREL, _weights("solid 3, pleats 2, dots 1"),
    ),
    _Article(
        "Casual Shoes", "Footwear", "Shoes", _draw_casual_shoe, ("Casual Shoes", "Sneakers"),
        ("Canvas", "Lace-Up", "Classic", ""),
        _weights("Men 6, Women 2, Unisex 1, Boys 1"), _weights("Casual 1"),
        _weights("Black 4, White 4, Brown 3, Grey 2, Blue 2, Red 2, Navy Blue 2, Olive 1, Tan 1"),
        _SOLID,
    ),
    _Article(
        "Sports Shoes", "Footwear", "Shoes", _draw_sports_shoe, ("Sports Shoes", "Running Shoes"),
        ("Running", "Training", "Mesh", ""),
        _weights("Men 6, Women 3, Unisex 1"), _weights("Sports 1"),
        _weights(
            "White 4, Black 4, Grey 3, Blue 2, Navy Blue 2, Red 2, Orange 1, Pink 1, Yellow 1"
        ),
        _SOLID,
    ),
    _Article(
        "Heels", "Footwear", "Shoes", _draw_heels, ("Heels", "Stilettos", "Pumps"),
        ("Pointed", "Party", "Classic", ""),
        _weights("Women 1"), _weights("Casual 4, Party 2, Formal 1, Ethnic 1"),
        _weights("Black 4, Red 3, Beige 2, Gold 2, Silver 2, Pink 2, Blue 1, Brown 2, White 1"),
        _SOLID, _weights("Winter 4, Summer 2, Fall 1, Spring 1"),
    ),
    _Article(
        "Sandals", "Footwear", "Sandal", _draw_sandals, ("Sandals", "Floaters"),
        ("Strappy", "Comfort", "Leather", ""),
        _weights("Men 5, Women 2, Unisex 1, Girls 1"), _weights("Casual 6, Ethnic 1"),
        _weights("Black 4, Brown 4, Tan 2, Olive 1, Blue 1, Grey 1, Red 1, Navy Blue 1"),
        _SOLID,
    ),
    _Article(
        "Watches", "Accessories", "Watches", _draw_watch, ("Watch", "Analog Watch"),
        ("Dial", "Analog", "Classic", ""),
        _weights("Men 5, Women 4, Unisex 1"), _weights("Casual 5, Formal 2, Sports 1"),
        _weights("Black 4, Silver 3, Gold 2, Brown 2, White 2, Blue 1, Pink 1, Red 1"),
        _weights("solid 2, chrono 1"), _weights("Winter 6, Summer 1, Fall 1"),
    ),
    _Article(
        "Handbags", "Accessories", "Bags", _draw_handbag, ("Handbag", "Shoulder Bag", "Tote Bag"),
        ("Leather", "Structured", ""),
        _weights("Women 9, Unisex 1"), _weights("Casual 5, Formal 1, Party 1"),
        _weights(
            "Black 3, Brown 3, Beige 2, Tan 2, Red 2, Blue 1, Pink 1, Purple 1, Olive 1, White 1,"
            "Maroon 1"
        ),
        _SOLID,
    ),
    _Article(
        "Caps", "Accessories", "Headwear", _draw_cap, ("Cap", "Baseball Cap"),
        ("Solid", "Sports", ""),
        _weights("Men 3, Unisex 3, Women 1"), _weights("Casual 3, Sports 2"),
        _weights(
            "Black 3, Blue 3, Red 2, Navy Blue 2, White 1, Grey 1, Green 1, Yellow 1, Orange 1,"
            "Pink 1"
        ),
        _weights("solid 3, logo 1"),
    ),
    _Article(
        "Sunglasses", "Accessories", "Eyewear", _draw_sunglasses,
        ("Sunglasses", "Wayfarer Sunglasses"),
        ("UV Protected", "Classic", ""),
        _weights("Men 4, Women 3, Unisex 2"), _weights("Casual 5, Sports 1"),
        _weights("Black 5, Brown 3, Gold 1, Silver 1, Grey 1, Blue 1, Red 1, Purple 1"),
        _SOLID, _weights("Winter 6, Summer 2"),
    ),
    _Article(
        "Belts", "Accessories", "Belts", _draw_belt, ("Belt",),
        ("Leather", "Reversible", "Formal", ""),
        _weights("Men 6, Women 4"), _weights("Casual 4, Formal 2"),
        _weights("Black 5, Brown 5, Tan 2, Red 1, Blue 1, Beige 1, White 1, Navy Blue 1"),
        _SOLID,
    ),
)
"""Every article type the demo draws, with its real category path and plausible attributes."""

DEMO_ARTICLE_TYPES = tuple(a.article_type for a in ARTICLES)


# -- generation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Product:
    id: int
    article: _Article
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
    rng: random.Random, article: _Article, gender: str, colour: str, usage: str, pattern: str
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
    sketch = _Sketch(shade, rng)  # type: ignore[arg-type]
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
        partial = styles_csv.with_name(styles_csv.name + ".partial")
        with partial.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(p.row() for p in products)
        os.replace(partial, styles_csv)
    except OSError as exc:
        raise FashionError(f"cannot write the demo catalogue to {out_dir}: {exc}") from exc
    return DemoResult(out_dir=out_dir, styles_csv=styles_csv, n_products=len(products))
