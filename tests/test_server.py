"""Server mode: the same index and search code against a real ``chroma run`` on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import FashionError
from core.index.backup import backup, restore
from core.index.filters import Filters
from core.index.build import build_index
from core.index.search import SearchQuery, Searcher
from core.index.store import open_client, store_location
from tests.browser import free_port, wait_until
from tests.test_search import (  # noqa: F401 - fixtures shared with the search tests
    DEMO_SIZE,
    demo_catalog,
    demo_settings,
    embedder,
    fresh_home,
)

CHROMA = Path(sys.executable).with_name("chroma")


def _heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as reply:
            return reply.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    root = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = open(root / "server.log", "wb")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(root / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(lambda: _heartbeat(port) or process.poll() is not None, timeout=60, what="chroma run")
        if process.poll() is not None:
            pytest.fail(f"chroma run exited: {(root / 'server.log').read_text()[-2000:]}")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def server_home(chroma_server, demo_settings, tmp_path):
    return fresh_home(demo_settings, tmp_path / "home").with_(chroma_host="127.0.0.1", chroma_port=chroma_server)


def test_index_and_search_through_the_server(server_home, embedder, chroma_server):
    location = store_location(server_home)
    assert (location.backend, location.port) == ("http", chroma_server)
    report = build_index(server_home, embedder, show_progress=False)
    assert report.counts == {"image": DEMO_SIZE, "text": DEMO_SIZE}
    assert f"127.0.0.1:{chroma_server}" in report.store
    assert not server_home.chroma_dir.exists()  # nothing went to the embedded store

    searcher = Searcher(server_home, embedder)
    hits = searcher.search(SearchQuery(text="red t-shirt", k=2)).hits
    assert [(h.base_colour, h.article_type) for h in hits] == [("Red", "Tshirts")] * 2
    filtered = searcher.search(SearchQuery(text="shoes", filters=Filters(gender="Women", max_price=3000), k=10))
    assert filtered.hits and all(h.gender == "Women" and h.price <= 3000 for h in filtered.hits)
    empty = searcher.search(SearchQuery(text="shirt", filters=Filters(article_type="Watches", group="topwear")))
    assert empty.hits == [] and "articleType=Watches" in empty.reason

    again = build_index(server_home, embedder, show_progress=False)  # re-run: nothing to do
    assert again.upserted == 0 and again.unchanged == DEMO_SIZE


def test_backup_from_server_restores_into_embedded(server_home, embedder, tmp_path):
    build_index(server_home, embedder, show_progress=False)
    before = [h.id for h in Searcher(server_home, embedder).search(SearchQuery(text="black watch")).hits]
    report = backup(server_home, tmp_path / "backup")
    assert sum(report.counts.values()) >= 2 * DEMO_SIZE

    local = fresh_home(server_home, tmp_path / "local")  # no chroma_host: the embedded store
    restored = restore(local, tmp_path / "backup")
    assert restored.counts == report.counts and restored.verified_queries >= 1
    assert [h.id for h in Searcher(local, embedder).search(SearchQuery(text="black watch")).hits] == before


def test_unreachable_server_is_a_clear_error(demo_settings):
    env = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(free_port())}
    with pytest.raises(FashionError, match="cannot reach the Chroma server"):
        open_client(Settings.from_env(env=env, home=demo_settings.home))
    with pytest.raises(FashionError, match="CHROMA_PORT must be a port number"):
        Settings.from_env(env={**env, "CHROMA_PORT": "eighty"}, home=demo_settings.home)
