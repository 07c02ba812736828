from paths import CATALOG, HOME, MODEL, OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd, sys
from PIL import Image
from core.config import Settings
from core.data.catalog import load_catalog
from core.model.features import colour_histogram, load_rgb
s = Settings.from_env(env={}, home=HOME, catalog=CATALOG)
cat = load_catalog(s)
def hsv_hist(img, hb=12, sb=4, vb=4, white=235):
    px = np.asarray(img, dtype=np.uint8).reshape(-1, 3)
    keep = (px < white).any(axis=1)
    if keep.sum() < 16: keep[:] = True
    hsv = np.asarray(img.convert("HSV"), dtype=np.int32).reshape(-1, 3)[keep]
    h = hsv[:, 0] * hb // 256; sa = hsv[:, 1] * sb // 256; v = hsv[:, 2] * vb // 256
    idx = (h * sb + sa) * vb + v
    c = np.bincount(idx, minlength=hb * sb * vb).astype(np.float32)
    c = np.sqrt(c / max(c.sum(), 1)); return c / max(np.linalg.norm(c), 1e-12)
def grid(img, levels=4):
    w, h = img.size; out = []
    for (x0, y0, x1, y1) in [(0, 0, w, h // 2), (0, h // 2, w, h)]:
        out.append(colour_histogram(img.crop((x0, y0, x1, y1)), levels))
    return np.concatenate(out) / np.sqrt(2)
R8, HSV, GR = [], [], []
for p in cat.image:
    im = load_rgb(p)
    R8.append(colour_histogram(im, 8)); HSV.append(hsv_hist(im)); GR.append(grid(im))
np.savez(f"{OUT}/colour.npz", rgb8=np.stack(R8), hsv=np.stack(HSV), grid=np.stack(GR))
print("ok")
