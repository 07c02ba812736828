from paths import CATALOG, HOME, MODEL, OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd, sys
from core.config import Settings
from core.data.catalog import load_catalog
from core.model.towers import load_embedder
s = Settings.from_env(env={}, home=HOME, catalog=CATALOG)
cat = load_catalog(s); te = cat[cat.split == "test"].reset_index(drop=True)
e = load_embedder(f"{HOME}/models/{MODEL}", cache_dir=s.cache_dir)
G = e.encode_image_files(te.image.tolist()); names = sorted(set(te.productDisplayName)); Q = e.encode_texts(names)
S = Q @ G.T; top = S.argmax(1)
from collections import Counter
c = Counter(); ex = []
def brand(n):
    out=[]
    for x in n.split():
        if x in ("Men","Women","Boys","Girls","Unisex","Kids"): break
        out.append(x)
    return " ".join(out)
for qi, n in enumerate(names):
    rel = te[te.productDisplayName == n].iloc[0]; t = te.iloc[top[qi]]
    if t.productDisplayName == n: c["hit"] += 1; continue
    same_attr = (t.articleType == rel.articleType) and (t.gender == rel.gender) and (t.baseColour == rel.baseColour)
    same_brand = brand(t.productDisplayName) == brand(n)
    c[("attr" if same_attr else "noattr") + ("+brand" if same_brand else "")] += 1
    if not same_attr and len(ex) < 25: ex.append((n, t.productDisplayName))
print(c, len(names))
for x in ex: print(x)
# how many test names have an attribute-twin (same type/gender/colour, different name) in the gallery
twins = 0
for n in names:
    rel = te[te.productDisplayName == n].iloc[0]
    m = te[(te.articleType == rel.articleType) & (te.gender == rel.gender) & (te.baseColour == rel.baseColour) & (te.productDisplayName != n)]
    twins += len(m) > 0
print("names with attribute twins", twins)
