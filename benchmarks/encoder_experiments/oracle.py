"""Expected R@1 of a ranking that knows some attributes perfectly and breaks ties at random (test split)."""
from paths import OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd
from core.model.attributes import brand_of
cat = pd.read_parquet(f"{OUT}/cat.parquet")
cat["brand"] = cat.productDisplayName.map(lambda n: brand_of(n) or "?")
t = cat[cat.split == "test"]
for keys in (["articleType", "gender", "baseColour"], ["brand"], ["articleType", "brand"],
             ["articleType", "gender", "baseColour", "brand"]):
    r1 = []
    for name, group in t.groupby("productDisplayName"):
        row = group.iloc[0]
        same = np.ones(len(t), bool)
        for k in keys:
            same &= t[k].to_numpy() == row[k]
        r1.append((t.productDisplayName[same] == name).mean())
    print(" + ".join(keys), round(float(np.mean(r1)), 3))
