"""Cache EfficientNet-Lite0 maps at 128 px after block 11 (end of stage 5) for all products."""
from paths import CATALOG, HOME, MODEL, OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd, sys, torch, time
torch.set_num_threads(2)
from core.model.towers import ImageTower
from core.model.features import load_rgb, image_to_array
size = int(sys.argv[1]) if len(sys.argv) > 1 else 128
from core.config import Settings
from core.data.catalog import load_catalog
s = Settings.from_env(env={}, home=HOME, catalog=CATALOG)
cat = load_catalog(s)
tower = ImageTower("efficientnet-lite0", size, 4, True)
net = tower.backbone
out = None; t0 = time.time()
paths = cat.image.tolist()
with torch.no_grad():
    for st in range(0, len(paths), 64):
        arr = np.stack([image_to_array(load_rgb(p), size) for p in paths[st:st+64]])
        x = net._swish(net._bn0(net._conv_stem(torch.from_numpy(arr))))
        for i, b in enumerate(net._blocks[:12]):
            x = b(x, drop_connect_rate=None)
        if out is None: out = np.zeros((len(paths),) + tuple(x.shape[1:]), np.float16); print(out.shape)
        out[st:st+64] = x.numpy().astype(np.float16)
        if st % 1280 == 0: print(st, time.time() - t0, flush=True)
np.save(f"{OUT}/maps{size}.npy", out); print("done", time.time() - t0)
