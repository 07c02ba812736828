"""Dump the frozen tower features of every product (through the feature cache) into OUT/feats.npz."""
from paths import CATALOG, HOME, MODEL, OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd, sys
from core.config import Settings
from core.data.catalog import load_catalog
from core.model.towers import load_model, towers, ImageTower, TextTower
s = Settings.from_env(env={}, home=HOME, catalog=CATALOG)
cat = load_catalog(s)
model = load_model(f"{HOME}/models/{MODEL}", cache_dir=s.cache_dir)
img = [t for t in towers(model) if isinstance(t, ImageTower)][0]
txt = [t for t in towers(model) if isinstance(t, TextTower)][0]
X, failed = img.features(cat["image"].tolist())
print("img", X.shape, failed[:5])
names = sorted(set(cat["productDisplayName"]) | set(cat["articleType"]))
T = txt.features(names)
print("txt", T.shape)
tok = txt._tokenize(names)
cat[["id","productDisplayName","articleType","baseColour","gender","usage","group","split","masterCategory","subCategory","season"]].to_parquet(f"{OUT}/cat.parquet")
np.savez(f"{OUT}/feats.npz", X=X, T=T, names=np.array(names, dtype=object), ids=tok["input_ids"].numpy(), mask=tok["attention_mask"].numpy())
