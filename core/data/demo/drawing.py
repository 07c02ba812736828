"""Drawing the demo products: a 4x sketch surface and one silhouette function per article type.

Each ``draw_*`` function draws one article type on a :class:`Sketch` (jittered in size and offset),
toe or brim to the right; the sketch fills the body with the colour and pattern, outlines it, adds
details, then tilts, mirrors and downsamples to 60x80. Trade-off: flat silhouettes, not photos
(shape carries the type, fill the colour): easy to learn but not trivial, and the same random
stream gives byte-identical pictures (for the same Pillow/libjpeg build).
"""

from __future__ import annotations

import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

RGB = tuple[int, int, int]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 around the picture centre

IMAGE_SIZE = (60, 80)  # width, height, as in the Kaggle "small" set

_SCALE = 4  # draw at 4x and downsample: smooth edges like a photo, not pixel art
_WHITE = (255, 255, 255)
_SILVER = (200, 201, 206)
_GOLD = (212, 172, 60)
_RUBBER = (236, 233, 224)


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
class Sketch:
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
def draw_tshirt(s: Sketch, pattern: str) -> None:
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


def draw_shirt(s: Sketch, pattern: str) -> None:
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


def draw_jeans(s: Sketch, pattern: str) -> None:
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


def draw_shorts(s: Sketch, pattern: str) -> None:
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


def draw_dress(s: Sketch, pattern: str) -> None:
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


def draw_skirt(s: Sketch, pattern: str) -> None:
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


def draw_casual_shoe(s: Sketch, pattern: str) -> None:
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


def draw_sports_shoe(s: Sketch, pattern: str) -> None:
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


def draw_heels(s: Sketch, pattern: str) -> None:
    c = s.colour
    s.poly(
        (-23, -17), (-17, -15.5), (-6, -8), (4, -3), (14, -1), (22, 2), (25.5, 7), (23, 10),
        (10, 10), (-6, 1), (-18, -5), (-23, -6),
    )  # fmt: skip
    s.poly((-22.5, -6), (-18, -5), (-19.7, 11), (-21, 11))  # stiletto
    s.line([(-22.5, -16.6), (-17, -15), (-6, -7.5), (4, -2.5)], _accent(c), 1)  # lining
    s.line([(-18, -4.5), (-6, 1.6), (10, 10.4), (23, 10.4)], _mix(c, (0, 0, 0), 0.55), 0.9)  # sole
    s.frame((-21.5, 9.5, -19, 11.5), fill=(40, 40, 40))


def draw_sandals(s: Sketch, pattern: str) -> None:
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


def draw_watch(s: Sketch, pattern: str) -> None:
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


def draw_handbag(s: Sketch, pattern: str) -> None:
    c = s.colour
    s.poly((-18, -6), (18, -6), (23, 25), (-23, 25))
    s.arc((-12, -25, 12, 13), 180, 360, 3.2)  # handle
    metal = _GOLD if s.rng.random() < 0.5 else _SILVER
    s.line([(-18, -6), (0, 6), (18, -6)], _accent(c), 1.2)  # flap
    s.frame((-2.5, 4, 2.5, 9), fill=metal, radius=0.8)
    s.line([(-22, 21), (22, 21)], _accent(c), 0.6)


def draw_cap(s: Sketch, pattern: str) -> None:
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


def draw_sunglasses(s: Sketch, pattern: str) -> None:
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


def draw_belt(s: Sketch, pattern: str) -> None:
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
