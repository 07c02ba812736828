"""Train the lit heads on dumped frozen features with one variant switched on; print valid/test R@1, R@10, MRR@10."""
from paths import CATALOG, HOME, MODEL, OUT  # noqa: F401 - also puts the project on sys.path
import numpy as np, pandas as pd, torch, math, time, sys, json, argparse
from torch import nn
torch.set_num_threads(2)
p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=12); p.add_argument("--bs", type=int, default=256)
p.add_argument("--lr", type=float, default=1e-3); p.add_argument("--wd", type=float, default=0.01)
p.add_argument("--hidden", type=int, default=1024); p.add_argument("--dim", type=int, default=256)
p.add_argument("--drop", type=float, default=0.1); p.add_argument("--attr", type=float, default=0.2)
p.add_argument("--brand", type=float, default=0.0); p.add_argument("--scale", type=float, default=20.0)
p.add_argument("--fields", type=float, default=0.0, help="multi-field loss weight")
p.add_argument("--texthidden", type=int, default=0); p.add_argument("--seed", type=int, default=0)
p.add_argument("--nobag", action="store_true"); p.add_argument("--trainvalid", action="store_true")
p.add_argument("--featdrop", type=float, default=0.0); p.add_argument("--tokdrop", type=float, default=0.0)
p.add_argument("--hardneg", type=float, default=0.0); p.add_argument("--extra", default=""); p.add_argument("--std", action="store_true"); p.add_argument("--extrascale", type=float, default=1.0)
a = p.parse_args()
torch.manual_seed(a.seed); np.random.seed(a.seed)
f = np.load(f"{OUT}/feats.npz", allow_pickle=True); cat = pd.read_parquet(f"{OUT}/cat.parquet")
X = torch.tensor(f["X"]);
if a.extra:
    cz = np.load(f"{OUT}/colour.npz"); X = torch.cat([X] + [a.extrascale * torch.tensor(cz[k]).float() for k in a.extra.split(",")], 1)
T = torch.tensor(f["T"]); names = list(f["names"]); nidx = {n: i for i, n in enumerate(names)}
if a.std:
    trm = torch.tensor((cat_tmp := __import__("pandas").read_parquet(f"{OUT}/cat.parquet")).split.to_numpy() == "train")
    mu = X[trm].mean(0); sd = X[trm].std(0).clamp(min=1e-3); X = (X - mu) / sd
IDS = torch.tensor(f["ids"]); MASK = torch.tensor(f["mask"])
cat["t"] = cat["productDisplayName"].map(nidx)
def brand(n):
    w = n.split()
    out = []
    for x in w:
        if x in ("Men","Women","Men's","Women's","Boys","Girls","Unisex","Kids"): break
        out.append(x)
    return " ".join(out) or "?"
cat["brand"] = cat["productDisplayName"].map(brand)
splits = ["train", "valid"] if a.trainvalid else ["train"]
tr = cat[cat.split.isin(splits)].reset_index()
attrs = ["articleType", "baseColour", "gender", "usage"] + (["brand"] if a.brand else [])
labs = []; ncls = []
for c in attrs:
    vals = sorted(set(cat[c]) - {"Unknown"}); ix = {v: i for i, v in enumerate(vals)}
    labs.append(tr[c].map(lambda v: ix.get(v, -1)).to_numpy()); ncls.append(len(vals))
L = torch.tensor(np.stack(labs, 1))
G = torch.tensor(tr["productDisplayName"].map({n: i for i, n in enumerate(sorted(set(tr.productDisplayName)))}).to_numpy())
class Img(nn.Module):
    def __init__(s):
        super().__init__(); s.d = nn.Dropout(a.drop)
        s.net = nn.Sequential(nn.Linear(X.shape[1], a.hidden), nn.GELU(), nn.Linear(a.hidden, a.dim)) if a.hidden else nn.Linear(X.shape[1], a.dim)
    def forward(s, x): return s.net(s.d(x))
class Txt(nn.Module):
    def __init__(s):
        super().__init__()
        s.lin = nn.Sequential(nn.Linear(384, a.texthidden), nn.GELU(), nn.Linear(a.texthidden, a.dim)) if a.texthidden else nn.Linear(384, a.dim)
        s.bag = nn.Embedding(30522, a.dim); nn.init.normal_(s.bag.weight, std=0.02)
    def forward(s, t):
        out = s.lin(T[t])
        if not a.nobag:
            m = MASK[t].unsqueeze(-1).float()
            if s.training and a.tokdrop: m = m * (torch.rand(m.shape) > a.tokdrop).float()
            out = out + (s.bag(IDS[t]) * m).sum(1) / m.sum(1).clamp(min=1)
        return out
img, txt = Img(), Txt()
heads = nn.ModuleList(nn.Linear(a.dim, n) for n in ncls)
logscale = nn.Parameter(torch.tensor(math.log(a.scale)))
params = list(img.parameters()) + list(txt.parameters()) + list(heads.parameters()) + [logscale]
opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=a.wd)
steps = a.epochs * math.ceil(len(tr) / a.bs); warm = int(0.05 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
# field texts: colour, type, gender as text for multi-field
def field_t(col): return torch.tensor(tr[col].map(lambda v: nidx.get(v, -1)).to_numpy())
def evaluate(split, mem=None):
    img.eval(); txt.eval()
    with torch.no_grad():
        rows = cat.index[cat.split == split].to_numpy()
        gi = nn.functional.normalize(img(X[rows]), dim=-1)
        qn = sorted(set(cat.productDisplayName[rows]))
        q = nn.functional.normalize(txt(torch.tensor([nidx[n] for n in qn])), dim=-1)
        if mem is not None:
            lam, m, tau = mem
            trows = cat.index[cat.split == "train"].to_numpy()
            ti = nn.functional.normalize(img(X[trows]), dim=-1)
            tt = nn.functional.normalize(txt(torch.tensor(cat.t.to_numpy()[trows])), dim=-1)
            sims = q @ tt.T
            v, ix = sims.topk(m, dim=1)
            w = torch.softmax(v / tau, dim=1)
            proto = nn.functional.normalize((w.unsqueeze(-1) * ti[ix]).sum(1), dim=-1)
            q = nn.functional.normalize(q + lam * proto, dim=-1)
        S = q @ gi.T
        gn = cat.productDisplayName.to_numpy()[rows]
        order = S.argsort(1, descending=True)[:, :10].numpy()
        r1 = r10 = mrr = 0
        for qi, n in enumerate(qn):
            hits = [k for k, j in enumerate(order[qi]) if gn[j] == n]
            if hits: r10 += 1; mrr += 1 / (hits[0] + 1); r1 += hits[0] == 0
    img.train(); txt.train()
    N = len(qn); return r1 / N, r10 / N, mrr / N
HN = None
if a.hardneg:
    pp = pd.read_parquet(f"{HOME}/processed/pairs.parquet")
    pp = pp[pp.split == "train"]
    idname = dict(zip(cat.id, cat.productDisplayName))
    pos_of = {pid: i for i, pid in enumerate(tr.id)}
    choices = [[] for _ in range(len(tr))]
    for aid, nid in zip(pp.anchor_id, pp.negative_id):
        if aid in pos_of and nid in idname and idname[nid] != idname[aid]:
            choices[pos_of[aid]].append(nidx[idname[nid]])
    HN = choices
    print("hardneg coverage", sum(1 for c in choices if c) / len(choices), file=sys.stderr)
best = (-1, None); t0 = time.time()
for ep in range(a.epochs):
    perm = torch.randperm(len(tr))
    for s in range(0, len(tr), a.bs):
        b = perm[s:s + a.bs]
        x = X[tr.index.values[b]] if False else X[torch.tensor(tr["index"].to_numpy())[b]]
        if a.featdrop: x = x * (torch.rand(x.shape) > a.featdrop).float() / (1 - a.featdrop)
        ie = nn.functional.normalize(img(x), dim=-1)
        te = nn.functional.normalize(txt(torch.tensor(tr["t"].to_numpy())[b]), dim=-1)
        g = G[b]; same = g[:, None] == g[None, :]; same.fill_diagonal_(False)
        lg = (logscale.exp().clamp(max=100) * ie @ te.T).masked_fill(same, float("-inf"))
        tgt = torch.arange(len(b))
        if HN is not None:
            bl = b.tolist(); hn = [HN[i][np.random.randint(len(HN[i]))] if HN[i] else -1 for i in bl]
            have = torch.tensor([h >= 0 for h in hn])
            hn_t = torch.tensor([h if h >= 0 else int(tr["t"].iloc[i]) for h, i in zip(hn, bl)])
            he = nn.functional.normalize(txt(hn_t), dim=-1)
            hl = logscale.exp().clamp(max=100) * (ie * he).sum(-1, keepdim=True)
            hl = hl.masked_fill(~have[:, None], float("-inf"))
            i2t = torch.cat([lg, hl], 1)
            loss = (nn.functional.cross_entropy(i2t, tgt) + nn.functional.cross_entropy(lg.T, tgt)) / 2
        else:
            loss = (nn.functional.cross_entropy(lg, tgt) + nn.functional.cross_entropy(lg.T, tgt)) / 2
        lb = L[b]
        for c, h in enumerate(heads):
            w = lb[:, c]
            if (w >= 0).any(): loss = loss + a.attr * nn.functional.cross_entropy(h(ie), w, ignore_index=-1) / len(heads)
        if a.fields:
            for col in ("articleType", "baseColour"):
                ft = field_t(col)[b]
                fe = nn.functional.normalize(txt(ft), dim=-1)
                fl = logscale.exp().clamp(max=100) * ie @ fe.T
                samef = ft[:, None] == ft[None, :]; samef.fill_diagonal_(False)
                fl = fl.masked_fill(samef, float("-inf"))
                loss = loss + a.fields * nn.functional.cross_entropy(fl, tgt) / 2
        opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    v = evaluate("valid")
    if v[2] > best[0]: best = (v[2], {k: t.clone() for k, t in {**{"i." + k: t for k, t in img.state_dict().items()}, **{"t." + k: t for k, t in txt.state_dict().items()}}.items()}, ep)
sd = best[1]
img.load_state_dict({k[2:]: t for k, t in sd.items() if k.startswith("i.")}); txt.load_state_dict({k[2:]: t for k, t in sd.items() if k.startswith("t.")})
te = evaluate("test"); va = evaluate("valid")
mems = {}
for lam in (0.5, 1.0, 2.0):
    for m in (5, 20):
        for tau in (0.02, 0.1):
            mems[f"{lam}/{m}/{tau}"] = (evaluate("valid", (lam, m, tau)), evaluate("test", (lam, m, tau)))
bestm = max(mems, key=lambda k: mems[k][0][2])
print("MEM", bestm, [round(x,4) for x in mems[bestm][0]], [round(x,4) for x in mems[bestm][1]], file=sys.stderr)
for k, (v, t) in mems.items(): print("mem", k, [round(x,4) for x in v], [round(x,4) for x in t], file=sys.stderr)
print(json.dumps({"args": {k: v for k, v in vars(a).items()}, "best_ep": best[2], "valid": [round(x, 4) for x in va], "test": [round(x, 4) for x in te], "s": round(time.time() - t0, 1)}))
