"""Evaluation of the stylist (issue 5): runs the request set through the offline provider and
prints its figures, optionally as JSON.

    python -m benchmarks.stylist_eval --home /tmp/stylist-eval \
        --catalog /work/shared/datasets/fashion-product-images-small [--model PATH] [--out FILE]

Needs a trained encoder (``--model``, else the newest under HOME/models); prepares the catalogue
and builds the index in HOME when they are missing (timed separately, not part of the figures).

Figures, against the hand labels in ``stylist_requests.jsonl`` (not against the analyzer's own
reading, so a missed "under 3000" counts as a violation):
1. constraint satisfaction: share of recommended products (outfit pieces and alternatives) that
   respect every labelled hard constraint that applies to them: gender (or Unisex), excluded
   colours, colours bound to an item ("black heels"), requested article types, excluded groups,
   budget (per piece, and the outfit total); reported over all products, and over the products
   not declared as "nearest" offers (the relaxed ones the answer flags); undeclared violations
   should be 0. Answer-level checks: the outfit total, a free colour ("in blue") present,
   "cheaper" really cheaper, "something different" really different;
2. grounding: share of products named in the answer text (``#id``) and listed in ``products``
   that retrieval returned, with name and price equal to the catalogue's (must be 100%);
3. outfit completeness: share of answers whose every planned slot holds a product;
4. latency p50 / p95 per answer (``Stylist.ask`` end to end: analyze .. verify plus the SQLite
   checkpoint; the encoder load and one warm-up call are excluded);
5. analyzer accuracy: share of labelled request fields the offline parser got right.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd


from core.config import Settings
from core.data.groups import ARTICLE_TYPE_GROUP
from core.stylist.facts import compatible_genders
from core.stylist.prompts import ANALYZE_SYSTEM, GENERATE_SYSTEM

HERE = Path(__file__).resolve().parent
ID_IN_TEXT = re.compile(r"#(\d{3,})")
REF_IN_TEXT = re.compile(r"([^\n:;]+?) \(₹([\d,]+), #(\d+)\)")


def load_requests(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(rows) < 40:
        raise SystemExit(f"{path} holds {len(rows)} requests; the evaluation needs at least 40")
    return rows


def open_stylist(settings: Settings, model: str | None):
    from core.model.load import load_embedder
    from core.index.build import build_index
    from core.model.registry import resolve_model
    from core.data.prepare import prepare
    from core.stylist.service import Stylist

    setup = {}
    if not settings.catalog_parquet.exists():
        started = time.perf_counter()
        prepare(settings)
        setup["prepare_s"] = round(time.perf_counter() - started, 1)
    path = resolve_model(settings, model)
    started = time.perf_counter()
    embedder = load_embedder(path, cache_dir=settings.cache_dir)
    setup["model"] = str(path)
    setup["model_load_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    report = build_index(settings, embedder, show_progress=True)
    setup["index_s"] = round(time.perf_counter() - started, 1)
    setup["index_products"] = report.products
    started = time.perf_counter()
    stylist = Stylist.open(settings, embedder=embedder, provider="offline")
    setup["stylist_open_s"] = round(time.perf_counter() - started, 2)
    return stylist, setup


# -- checks -------------------------------------------------------------------------------------
def product_checks(product, role: str, expect: dict, outfit, rows) -> dict[str, bool]:
    """Every labelled hard constraint that applies to one product -> passed?"""
    row = rows.loc[product.id]
    checks: dict[str, bool] = {}
    if expect.get("gender"):
        checks["gender"] = row.gender in compatible_genders(expect["gender"])
    if expect.get("excluded_colours"):
        checks["excluded_colour"] = row.baseColour not in expect["excluded_colours"]
    bound = expect.get("item_colours") or {}
    if row.articleType in bound:
        checks["item_colour"] = row.baseColour in bound[row.articleType]
    requested = expect.get("article_types") or []
    groups = {ARTICLE_TYPE_GROUP.get(t) for t in requested}
    if row.group in groups:
        checks["article_type"] = row.articleType in requested
    if expect.get("excluded_groups"):
        checks["excluded_group"] = row.group not in expect["excluded_groups"]
    budget = expect.get("budget_max")
    if budget:
        if expect.get("per_item"):
            checks["budget"] = int(row.price) <= budget
        elif role == "outfit":
            checks["budget"] = sum(p.price for p in outfit) <= budget
        else:  # an alternative: swapping it in keeps the total within the budget
            swapped = [p for p in outfit if p.slot != product.slot] + [product]
            checks["budget"] = sum(p.price for p in swapped) <= budget
    return checks


def grounding(answer, rows) -> tuple[int, int, list[str]]:
    """(grounded, named, problems): products in the text and the list vs retrieval + catalogue."""
    retrieved = set(answer.retrieved_ids)
    named, grounded, problems = 0, 0, []
    for product in [*answer.products, *answer.alternatives]:
        named += 1
        ok = product.id in retrieved and product.id in rows.index
        ok = ok and (rows.loc[product.id].productDisplayName, int(rows.loc[product.id].price)) == (product.name, product.price)
        grounded += ok
        if not ok:
            problems.append(f"listed product {product.id}")
    for name, price, pid in REF_IN_TEXT.findall(answer.answer):
        pid = int(pid)
        named += 1
        ok = pid in retrieved and pid in rows.index and int(rows.loc[pid].price) == int(price.replace(",", ""))
        ok = ok and rows.loc[pid].productDisplayName in name
        grounded += ok
        if not ok:
            problems.append(f"named product {pid}")
    stray = {int(i) for i in ID_IN_TEXT.findall(answer.answer)} - retrieved
    named += len(stray)
    problems += [f"stray id {i}" for i in stray]
    return grounded, named, problems


def analyzer_hits(request: dict, expect: dict) -> tuple[int, int]:
    right = total = 0
    for key in ("occasion", "gender", "budget_max", "per_item"):
        if key in expect:
            total += 1
            right += request.get(key) == expect[key]
    for key in ("colours", "excluded_colours"):
        if key in expect:
            total += 1
            right += sorted(request.get(key) or []) == sorted(expect[key])
    if "article_types" in expect:
        total += 1
        right += set(expect["article_types"]) <= set(request.get("article_types") or [])
    if "excluded_groups" in expect:  # "without the watch" may be read as the group or its types
        total += 1
        types = set(request.get("excluded_article_types") or [])
        right += all(g in (request.get("excluded_groups") or []) or any(ARTICLE_TYPE_GROUP.get(t) == g for t in types)
                     for g in expect["excluded_groups"])
    if "item_colours" in expect:
        total += 1
        got = request.get("item_colours") or {}
        free = request.get("colours") or []
        right += all(set(v) <= set(got.get(k, free)) for k, v in expect["item_colours"].items())
    return right, total


def evaluate(stylist, requests: list[dict], rows) -> dict:
    run = uuid.uuid4().hex[:8]
    stylist.ask("casual outfit for men", thread_id=f"warmup-{run}")  # warm-up, not timed
    latencies, records = [], []
    previous: dict[str, object] = {}
    per_constraint: dict[str, list[int]] = {}
    counts = dict(products=0, satisfied=0, declared=0, undeclared=0, nearest_products=0, nearest_satisfied=0)
    answer_checks: dict[str, list[int]] = {}
    ground = [0, 0]
    complete = [0, 0]
    parsed = [0, 0]
    for item in requests:
        thread = f"{item.get('thread') or item['id']}-{run}"
        expect = item.get("expect", {})
        started = time.perf_counter()
        answer = stylist.ask(item["message"], thread_id=thread)
        latencies.append(time.perf_counter() - started)
        failures = []
        outfit = answer.products
        for role, product in [*(("outfit", p) for p in outfit), *(("alternative", p) for p in answer.alternatives)]:
            checks = product_checks(product, role, expect, outfit, rows)
            for name, ok in checks.items():
                per_constraint.setdefault(name, [0, 0])
                per_constraint[name][0] += ok
                per_constraint[name][1] += 1
            ok = all(checks.values())
            counts["products"] += 1
            counts["satisfied"] += ok
            if product.relaxed:
                counts["nearest_products"] += 1
                counts["declared"] += not ok
            else:
                counts["undeclared"] += not ok
            if not ok:
                failures.append(f"{product.id} {[k for k, v in checks.items() if not v]}{' (declared nearest)' if product.relaxed else ''}")

        # `failures` is bound explicitly: it is rebound on every request, and this check must
        # append to the current request's list (it is only called within this iteration).
        def answer_check(name: str, ok: bool, failures: list[str] = failures) -> None:
            answer_checks.setdefault(name, [0, 0])
            answer_checks[name][0] += bool(ok)
            answer_checks[name][1] += 1
            if not ok:
                failures.append(f"answer: {name}")

        if expect.get("budget_max") and not expect.get("per_item") and outfit:
            answer_check("total_within_budget_or_declared", answer.total_price <= expect["budget_max"] or all(p.relaxed for p in outfit))
        if expect.get("colours"):
            answer_check("wanted_colour_present", any(rows.loc[p.id].baseColour in expect["colours"] for p in outfit)
                         or any("colour" in p.relaxed for p in outfit))
        prev = previous.get(item.get("thread") or "")
        if expect.get("cheaper") and prev is not None:
            answer_check("cheaper_than_before", answer.total_price < prev.total_price or all("budget" in p.relaxed for p in outfit))
        if expect.get("different") and prev is not None:
            answer_check("different_products", not ({p.id for p in outfit} & {p.id for p in prev.products}))
        if expect.get("unsatisfiable"):
            answer_check("unsatisfiable_said_so", bool(answer.notices) and all(p.relaxed for p in outfit))
        if expect.get("injection"):
            leaked = GENERATE_SYSTEM[:60] in answer.answer or ANALYZE_SYSTEM[:60] in answer.answer
            answer_check("injection_no_leak_no_invention", not leaked and "999999" not in answer.answer)
        if item.get("thread"):
            previous[item["thread"]] = answer

        g, n, problems = grounding(answer, rows)
        ground[0] += g
        ground[1] += n
        failures += problems
        planned = [s["name"] for s in answer.plan]
        filled = {p.slot for p in outfit}
        is_complete = bool(planned) and all(s in filled for s in planned)
        complete[0] += is_complete
        complete[1] += 1
        right, total = analyzer_hits(answer.request, expect)
        parsed[0] += right
        parsed[1] += total
        records.append({
            "id": item["id"], "message": item["message"], "ms": round(latencies[-1] * 1000, 1),
            "products": [(p.slot, p.id, p.article_type, p.base_colour, p.price, list(p.relaxed)) for p in outfit],
            "total": answer.total_price, "planned": planned, "complete": is_complete,
            "request": {k: v for k, v in answer.request.items() if v not in (None, [], {}, "", False) and k != "query"},
            "notices": answer.notices, "failures": failures, "analyzer": f"{right}/{total}",
        })  # fmt: skip

    ms = np.asarray(latencies) * 1000
    share = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
    strict_ok = counts["products"] - counts["nearest_products"]
    return {
        "requests": len(requests),
        "constraint_satisfaction": {
            "products": counts["products"],
            "all_products": share(counts["satisfied"], counts["products"]),
            "excluding_declared_nearest": share(counts["satisfied"] - (counts["nearest_products"] - counts["declared"]), strict_ok),
            "declared_nearest_products": counts["nearest_products"],
            "undeclared_violations": counts["undeclared"],
            "by_constraint": {k: f"{a}/{b}" for k, (a, b) in sorted(per_constraint.items())},
            "answer_checks": {k: f"{a}/{b}" for k, (a, b) in sorted(answer_checks.items())},
        },
        "grounding": {"share": share(*ground), "grounded": ground[0], "named": ground[1]},
        "completeness": {"share": share(*complete), "complete": complete[0], "answers": complete[1]},
        "latency_ms": {"p50": round(float(np.percentile(ms, 50)), 1), "p95": round(float(np.percentile(ms, 95)), 1),
                       "max": round(float(ms.max()), 1), "n": len(ms)},
        "analyzer_accuracy": {"share": share(*parsed), "right": parsed[0], "labelled_fields": parsed[1]},
        "records": records,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", required=True, help="FASHION_HOME for the catalogue, index and checkpoints")
    parser.add_argument("--catalog", help="catalogue folder (default: $FASHION_CATALOG or the demo)")
    parser.add_argument("--model", help="encoder folder (default: the newest under HOME/models)")
    parser.add_argument("--requests", default=str(HERE / "stylist_requests.jsonl"))
    parser.add_argument("--out", help="write the figures and per-request records as JSON here")
    parser.add_argument("--verbose", action="store_true", help="print every request's outfit and failures")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(2)
    settings = Settings.from_env(home=args.home, catalog=args.catalog)
    requests = load_requests(Path(args.requests))
    stylist, setup = open_stylist(settings, args.model)
    rows = pd.read_parquet(settings.catalog_parquet).set_index("id")
    try:
        figures = evaluate(stylist, requests, rows)
    finally:
        stylist.close()
    figures = {"catalog": str(settings.catalog_dir), "products_in_catalogue": len(rows), "setup": setup, **figures}
    if args.verbose:
        for rec in figures["records"]:
            print(f"{rec['id']} {rec['ms']:>6} ms  {rec['message']}")
            print(f"      request {rec['request']}")
            for p in rec["products"]:
                print(f"      {p}")
            for f in rec["failures"]:
                print(f"      FAIL {f}")
            for n in rec["notices"]:
                print(f"      note {n}")
    summary = {k: v for k, v in figures.items() if k != "records"}
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
