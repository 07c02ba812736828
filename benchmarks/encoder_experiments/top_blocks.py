from paths import CATALOG, HOME, MODEL, OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd, torch, math, time, sys, json, argparse, copy
from torch import nn
torch.set_num_threads(2)
p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=12); p.add_argument("--bs", type=int, default=256)
p.add_argument("--lr", type=float, default=1e-3); p.add_argument("--blr", type=float, default=1e-4)
p.add_argument("--train_from", type=int, default=12, help="first trainable block index")
p.add_argument("--frozen", action="store_true", help="don't train the backbone top")
p.add_argument("--attr", type=float, default=0.2); p.add_argument("--seed", type=int, default=0)
p.add_argument("--with224", action="store_true"); p.add_argument("--flipaug", action="store_true")
p.add_argument("--bntrain", action="store_true")
a = p.parse_args()
torch.manual_seed(a.seed); np.random.seed(a.seed)
f = np.load(f"{OUT}/feats.npz", allow_pickle=True); cat = pd.read_parquet(f"{OUT}/cat.parquet")
M = torch.from_numpy(np.load(f"{OUT}/maps128.npy"))
H = torch.tensor(f["X"][:, -64:]).float()
X224 = torch.tensor(f["X"]).float()
T = torch.tensor(f["T"]); names = list(f["names"]); nidx = {n: i for i, n in enumerate(names)}
IDS = torch.tensor(f["ids"]); MASK = torch.tensor(f["mask"])
cat["t"] = cat["productDisplayName"].map(nidx)
tr = cat[cat.split == "train"].reset_index()
from core.model.towers import ImageTower
net = ImageTower("efficientnet-lite0", 128, 4, True).backbone
blocks = nn.ModuleList(net._blocks[a.train_from:]); conv_head, bn1 = net._conv_head, net._bn1
pre = nn.ModuleList(net._blocks[12:a.train_from])  # frozen blocks between the cached map and the trainable part
for m in [blocks, conv_head, bn1]: m.requires_grad_(not a.frozen)
pre.requires_grad_(False)
def top(maps):
    x = maps.float()
    with torch.no_grad():
        for b in pre: x = b(x, drop_connect_rate=None)
    pooled = []
    for i, b in enumerate(blocks, start=a.train_from):
        x = b(x, drop_connect_rate=None)
        if i in (14, 15): pooled.append(x.mean((2, 3)))
    x = net._swish(bn1(conv_head(x)))
    return torch.cat([x.mean((2, 3)), *pooled], 1)
dimin = 1280 + 192 + 320 + 64 + (X224.shape[1] if a.with224 else 0)
class Img(nn.Module):
    def __init__(s):
        super().__init__(); s.d = nn.Dropout(0.1); s.net = nn.Sequential(nn.Linear(dimin, 1024), nn.GELU(), nn.Linear(1024, 256))
    def forward(s, rows, flip=False):
        if a.frozen:
            return s.net(s.d(FROZEN[rows]))
        m = M[rows]
        if flip: m = torch.flip(m, dims=[3])
        feats = [top(m), H[rows]] + ([X224[rows]] if a.with224 else [])
        return s.net(s.d(torch.cat(feats, 1)))
class Txt(nn.Module):
    def __init__(s):
        super().__init__(); s.lin = nn.Linear(384, 256); s.bag = nn.Embedding(30522, 256); nn.init.normal_(s.bag.weight, std=0.02)
    def forward(s, t):
        m = MASK[t].unsqueeze(-1).float(); return s.lin(T[t]) + (s.bag(IDS[t]) * m).sum(1) / m.sum(1).clamp(min=1)
img, txt = Img(), Txt()
if a.frozen:
    with torch.no_grad():
        FROZEN = torch.cat([torch.cat([top(M[i:i+512]), H[i:i+512]] + ([X224[i:i+512]] if a.with224 else []), 1) for i in range(0, len(M), 512)])
attrs = ["articleType", "baseColour", "gender", "usage"]; labs = []; ncls = []
for c in attrs:
    vals = sorted(set(cat[c]) - {"Unknown"}); ix = {v: i for i, v in enumerate(vals)}
    labs.append(tr[c].map(lambda v: ix.get(v, -1)).to_numpy()); ncls.append(len(vals))
L = torch.tensor(np.stack(labs, 1))
G = torch.tensor(tr["productDisplayName"].map({n: i for i, n in enumerate(sorted(set(tr.productDisplayName)))}).to_numpy())
heads = nn.ModuleList(nn.Linear(256, n) for n in ncls)
logscale = nn.Parameter(torch.tensor(math.log(20.0)))
bparams = [p for m in [blocks, conv_head, bn1] for p in m.parameters() if p.requires_grad]
hparams = list(img.net.parameters()) + list(txt.parameters()) + list(heads.parameters()) + [logscale]
groups = [{"params": hparams, "lr": a.lr}] + ([{"params": bparams, "lr": a.blr}] if bparams else [])
opt = torch.optim.AdamW(groups, weight_decay=0.01)
steps = a.epochs * math.ceil(len(tr) / a.bs); warm = int(0.05 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
def setmode(train):
    img.train(train); txt.train(train)
    for m in [blocks, conv_head, bn1, pre]: m.train(train and a.bntrain)
def evaluate(split):
    setmode(False)
    with torch.no_grad():
        rows = cat.index[cat.split == split].to_numpy()
        gi = torch.cat([nn.functional.normalize(img(torch.tensor(rows[i:i+512])), dim=-1) for i in range(0, len(rows), 512)])
        qn = sorted(set(cat.productDisplayName[rows]))
        q = nn.functional.normalize(txt(torch.tensor([nidx[n] for n in qn])), dim=-1)
        S = q @ gi.T; gn = cat.productDisplayName.to_numpy()[rows]
        order = S.argsort(1, descending=True)[:, :10].numpy()
        r1 = r10 = mrr = 0
        for qi, n in enumerate(qn):
            hits = [k for k, j in enumerate(order[qi]) if gn[j] == n]
            if hits: r10 += 1; mrr += 1 / (hits[0] + 1); r1 += hits[0] == 0
    setmode(True); N = len(qn); return r1 / N, r10 / N, mrr / N
best = (-1, None, -1); t0 = time.time(); trrows = torch.tensor(tr["index"].to_numpy()); trt = torch.tensor(tr["t"].to_numpy())
allmods = nn.ModuleDict({"img": img, "txt": txt, "blocks": blocks, "head": conv_head, "bn": bn1})
setmode(True)
for ep in range(a.epochs):
    perm = torch.randperm(len(tr))
    for s in range(0, len(tr), a.bs):
        b = perm[s:s + a.bs]
        flip = a.flipaug and bool(torch.rand(()) < 0.5)
        ie = nn.functional.normalize(img(trrows[b], flip=flip), dim=-1); te = nn.functional.normalize(txt(trt[b]), dim=-1)
        g = G[b]; same = g[:, None] == g[None, :]; same.fill_diagonal_(False)
        lg = (logscale.exp().clamp(max=100) * ie @ te.T).masked_fill(same, float("-inf")); tgt = torch.arange(len(b))
        loss = (nn.functional.cross_entropy(lg, tgt) + nn.functional.cross_entropy(lg.T, tgt)) / 2
        for c, h in enumerate(heads):
            w = L[b][:, c]
            if (w >= 0).any(): loss = loss + a.attr * nn.functional.cross_entropy(h(ie), w, ignore_index=-1) / len(heads)
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    v = evaluate("valid"); print(ep, [round(x, 4) for x in v], round(time.time() - t0), file=sys.stderr, flush=True)
    if v[2] > best[0]: best = (v[2], copy.deepcopy(allmods.state_dict()), ep)
allmods.load_state_dict(best[1])
print(json.dumps({"args": vars(a), "best_ep": best[2], "valid": [round(x, 4) for x in evaluate("valid")], "test": [round(x, 4) for x in evaluate("test")], "s": round(time.time() - t0, 1)}))
