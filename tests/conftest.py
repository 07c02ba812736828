"""Shared fixtures: tiny real catalogues on disk, the network blocked, nothing written to the tree."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from PIL import Image

# The real catalogue: $FASHION_CATALOG as .ci/run sets it, else ../shared beside the checkout.
SHARED_CATALOG = Path(
    os.environ.get("FASHION_CATALOG")
    or Path(__file__).resolve().parents[2] / "shared" / "datasets" / "fashion-product-images-small"
)
HEADER = "id,gender,masterCategory,subCategory,articleType,baseColour,season,year,usage,productDisplayName"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Only loopback connections: a test that reaches for a hub fails loudly instead of hanging."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise OSError(f"network blocked in tests: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Settings.from_env() in a test never points at the real data/ folder or a user's catalogue."""
    monkeypatch.setenv("FASHION_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FASHION_CATALOG", raising=False)
    monkeypatch.delenv("CHROMA_HOST", raising=False)
    monkeypatch.delenv("CHROMA_PORT", raising=False)


def write_jpg(path: Path, colour=(200, 30, 30), size=(60, 80), mode="RGB") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour if mode == "RGB" else colour[0]).save(path, "JPEG")


def make_catalog(root: Path, lines: list[str], *, images: list[int] | None = None, header: str = HEADER) -> Path:
    """A Kaggle-format catalogue: ``styles.csv`` with ``lines`` and a jpg per id in ``images``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "styles.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    (root / "images").mkdir(exist_ok=True)
    for pid in images or []:
        write_jpg(root / "images" / f"{pid}.jpg")
    return root


@pytest.fixture
def shared_catalog() -> Path:
    if not (SHARED_CATALOG / "styles.csv").is_file():
        pytest.skip("the shared real catalogue is not beside this checkout")
    return SHARED_CATALOG


@pytest.fixture(scope="session")
def built_demo_home(tmp_path_factory) -> Path:
    """The demo catalogue prepared, a small encoder trained and the index built: once per session.

    Tests that read it must not write into it (copy it first if they need to).
    """
    from core.config import Settings
    from core.pipeline import build

    home = tmp_path_factory.mktemp("built-demo-home")
    build(Settings.from_env(env={}, home=home), epochs=6)
    return home


@pytest.fixture
def fresh_streamlit_caches():
    """Empty Streamlit's caches around an AppTest test, so no test sees another's cached state."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def output_dir(tmp_path_factory) -> Path:
    """Where browser tests put screenshots: ``$FASHION_TEST_OUTPUT/screenshots`` or a temporary folder."""
    folder = Path(os.environ.get("FASHION_TEST_OUTPUT") or tmp_path_factory.mktemp("screens")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for every browser test; skipped where it is not installed."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
