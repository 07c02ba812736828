"""Dashboard render times in a real browser: server start to Home rendered, then each screen warm.

    python -m benchmarks.bench_dashboard --home /tmp/w4bench [--catalog DIR] [--rounds 3]

Starts ``streamlit run Home.py`` on loopback against an already built home (prepare + train +
index done), drives Debian's Chromium with Playwright, and prints, per screen, the time from
navigation to "script finished and the screen's marker visible": the first visit (cold caches)
and the median of ``--rounds`` later visits (warm caches). ``--screenshots DIR`` saves a full-page
screenshot of every screen after its first visit (``DIR/<screen>.png``), e.g. on the shared catalogue:

    python -m benchmarks.bench_dashboard --home H --catalog ../shared/datasets/fashion-product-images-small \
        --screenshots test-output/screenshots-shared
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from tests.browser import CHROMIUM, CHROMIUM_ARGS, exceptions, streamlit_server, wait_for_script

ROOT = Path(__file__).resolve().parents[1]

SCREENS = [("", "Products"), ("dataset", "Usable products"), ("search", "Type a query"),
           ("embedding_map", "drag a box or lasso"), ("curation", "Pending"),
           ("training", "Validation metrics per epoch"), ("retrieval_quality", "Median rank"),
           ("stylist", "Provider:")]


def visit(page, url: str, marker: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.get_by_text(marker).first.wait_for(timeout=300_000)
    wait_for_script(page, timeout_ms=300_000)
    elapsed = time.perf_counter() - started
    if exceptions(page):
        raise RuntimeError(f"{url}: {exceptions(page)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", required=True)
    parser.add_argument("--catalog", default="")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--screenshots", metavar="DIR", help="save a full-page screenshot of every screen here")
    args = parser.parse_args()
    shots = Path(args.screenshots) if args.screenshots else None
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    env = {"FASHION_HOME": args.home, "FASHION_CATALOG": args.catalog}
    started = time.perf_counter()
    with streamlit_server(env, Path(args.home) / "bench-streamlit.log") as url, sync_playwright() as playwright:
        server_ready = time.perf_counter() - started
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        home_first = visit(page, url + "/", "Products")
        if shots:
            page.wait_for_timeout(1500)
            page.screenshot(path=str(shots / "home.png"), full_page=True)
        print(f"server ready {server_ready:.2f} s; Home rendered {server_ready + home_first:.2f} s after `streamlit run`")
        print(f"{'screen':18s} {'first visit':>12s} {'warm median':>12s}")
        for path, marker in SCREENS:
            first = home_first if path == "" else visit(page, f"{url}/{path}", marker)
            if shots and path:
                page.wait_for_timeout(1500)  # pictures and charts finish drawing after the script
                page.screenshot(path=str(shots / f"{path}.png"), full_page=True)
            warm = [visit(page, f"{url}/{path}", marker) for _ in range(args.rounds)]
            print(f"{path or 'home':18s} {first:11.2f}s {statistics.median(warm):11.2f}s")
        browser.close()


if __name__ == "__main__":
    main()
