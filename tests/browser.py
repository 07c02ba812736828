"""Helpers for the browser tests: a real ``streamlit run`` on loopback, driven by Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, *, timeout: float, what: str, interval: float = 0.1):
    """Poll ``check`` until it returns a truthy value or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def streamlit_server(env: dict[str, str], log_path: Path):
    """``streamlit run Home.py`` headless on a free loopback port; yields its URL; always stopped."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "Home.py"), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=os.environ | env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until(lambda: process.poll() is not None or _healthy(url), timeout=60, what="streamlit to start")
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log_path.read_text()}")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_for_script(page, *, timeout_ms: int = 60_000) -> None:
    """Wait until the script run finished (Streamlit marks the app ``notRunning``)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms)
    # Widgets render after the run ends; a screenshot taken before shows grey skeletons.
    # (Images keep a skeleton sibling while they load lazily; those don't count.)
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=\"stSkeleton\"]')]"
        ".every(e => e.closest('[data-testid=\"stImageContainer\"], [data-testid=\"stImage\"]'))",
        timeout=timeout_ms,
    )


def nav_links(page) -> list[str]:
    """The sidebar's page titles (without their icon names)."""
    texts = page.eval_on_selector_all('[data-testid="stSidebarNavLink"]', "els => els.map(e => e.innerText)")
    return [t.split("\n")[-1].strip() for t in texts]


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]
