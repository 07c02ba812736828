"""Losing the Chroma server: one clear error naming it and saying what to do, then a clean resume.

A real ``chroma run`` is started on a free loopback port, killed with SIGKILL mid-operation and
started again on the same path and port: the index run and the searches fail with a
``ServerUnavailableError`` (exit 2 on the command line, an error box on the Search screen) and
work again once it is back, without duplicates. The error kinds a killed server produces at other
moments (reset, closed mid-reply) are replayed through a fake client, without a server.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import httpx
import pytest

from core.config import Settings
from core.errors import FashionError, ServerUnavailableError
from core.index.build import build_index
from core.index.search import SearchQuery, Searcher
from core.index.store import collection_name, get_existing, open_client
from tests.browser import free_port, wait_until
from tests.test_search import (  # noqa: F401 - fixtures shared with the search tests
    DEMO_SIZE,
    PixelEmbedder,
    demo_catalog,
    demo_settings,
    embedder,
    fresh_home,
)

CHROMA = Path(sys.executable).with_name("chroma")
HOME_PAGE = str(Path(__file__).resolve().parents[1] / "Home.py")


class ChromaServer:
    """A ``chroma run`` on 127.0.0.1 that a test can kill and start again on the same path and port."""

    def __init__(self, root: Path):
        self.root, self.port = root, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.address}/api/v2/heartbeat", timeout=1) as reply:
                return reply.status == 200
        except OSError:
            return False

    def start(self) -> None:
        with open(self.root / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(CHROMA), "run", "--path", str(self.root / "data"), "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT,
            )
        wait_until(lambda: self._answers() or self.process.poll() is not None, timeout=60, what="chroma run")
        if self.process.poll() is not None:
            pytest.fail(f"chroma run exited: {(self.root / 'server.log').read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, as when the machine or the process dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def server(tmp_path):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    server = ChromaServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_home(server, demo_settings, tmp_path, monkeypatch) -> Settings:
    """A home with the prepared demo catalogue whose index lives in ``server``, also for the CLI."""
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(server.port))
    home = fresh_home(demo_settings, tmp_path / "home")
    return home.with_(chroma_host="127.0.0.1", chroma_port=server.port)


def assert_clear(message: str, server: ChromaServer) -> None:
    """One line naming the server's address and both ways out."""
    assert "\n" not in message.strip(), message
    assert f"Chroma server at {server.address}" in message, message
    assert f"chroma run --path DIR --host 127.0.0.1 --port {server.port}" in message, message
    assert "unset CHROMA_HOST" in message, message


class KillingEmbedder(PixelEmbedder):
    """Kills ``server`` once, when asked for more images after ``after`` of them: mid-run, between
    two chunks' writes."""

    def __init__(self, catalog, server: ChromaServer, after: int):
        super().__init__(catalog)
        self.server, self.after, self.killed = server, after, False

    def encode_images(self, images, *, batch_size: int = 64):
        if not self.killed and self.images_encoded >= self.after:
            self.server.kill()
            self.killed = True
        return super().encode_images(images, batch_size=batch_size)


def error_lines(err: str) -> list[str]:
    return [line for line in err.replace("\r", "\n").splitlines() if line.startswith("error:")]


# -- the command line against a real server ----------------------------------------------------
def test_cli_index_killed_midway_fails_clearly_and_resumes(server, server_home, demo_catalog, monkeypatch, capsys):
    from core.cli import main as cli, search as cli_search

    killer = KillingEmbedder(demo_catalog, server, after=64)
    monkeypatch.setattr(cli_search, "resolve_embedder", lambda settings, model, **kw: killer)
    home = ["--home", str(server_home.home)]

    assert cli.main(["index", "--chunk-size", "64", *home]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and killer.killed, lines
    assert_clear(lines[0], server)
    assert "resumes" in lines[0]

    # down before the operation: search says the same
    assert cli.main(["search", "red t-shirt", *home]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1, lines
    assert_clear(lines[0], server)

    server.start()  # same path, same port
    assert cli.main(["index", "--chunk-size", "64", *home]) == 0
    out = capsys.readouterr().out
    assert f"indexed {DEMO_SIZE} products" in out and "64 unchanged" in out, out
    assert killer.images_encoded == DEMO_SIZE  # the chunk written to the cache before the kill is not re-embedded

    client = open_client(server_home)
    for kind in ("image", "text"):
        collection = get_existing(client, collection_name(killer.version, kind))
        ids = collection.get(include=[])["ids"]
        assert collection.count() == len(set(ids)) == DEMO_SIZE
        assert set(ids) == {str(i) for i in demo_catalog["id"]}
    assert cli.main(["search", "red t-shirt", "--json", "--k", "3", *home]) == 0


def test_searcher_fails_clearly_while_the_server_is_down_and_recovers(server, server_home, embedder):
    build_index(server_home, embedder, show_progress=False)
    searcher = Searcher(server_home, embedder)
    query = SearchQuery(text="red t-shirt", k=3)
    before = [h.id for h in searcher.search(query).hits]

    server.kill()
    with pytest.raises(ServerUnavailableError) as raised:
        searcher.search(query)
    assert_clear(str(raised.value), server)
    assert "ConnectError" in str(raised.value)
    with pytest.raises(ServerUnavailableError):
        searcher.get_product(before[0])
    with pytest.raises(ServerUnavailableError):  # a new searcher over the old client
        Searcher(server_home, embedder, client=searcher.client)
    with pytest.raises(ServerUnavailableError, match="cannot reach the Chroma server"):
        Searcher(server_home, embedder)

    server.start()
    assert [h.id for h in searcher.search(query).hits] == before  # the same searcher, reconnected
    assert [h.id for h in Searcher(server_home, embedder).search(query).hits] == before


# -- the Search screen -------------------------------------------------------------------------
def test_search_screen_shows_an_error_box_and_recovers(server, server_home, demo_settings, embedder, monkeypatch):
    import shutil

    from streamlit.testing.v1 import AppTest

    import streamlit as st
    from dashboard import state

    shutil.copy2(demo_settings.report_json, server_home.report_json)
    build_index(server_home, embedder, show_progress=False)
    monkeypatch.setenv("FASHION_HOME", str(server_home.home))
    monkeypatch.setattr(state, "require_model_dir", lambda: Path("pixel-fake"))  # no trained model needed
    monkeypatch.setattr(state, "_embedder", lambda model_dir: embedder)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        server.kill()  # down when the screen opens
        at = AppTest.from_file(HOME_PAGE, default_timeout=60)
        at.switch_page("pages/search.py").run()
        assert not at.exception, at.exception[0].message if at.exception else ""
        assert len(at.error) == 1
        assert_clear(at.error[0].value, server)

        server.start()  # back: nothing failed was cached
        at.run()
        at.text_input(key="search-text").set_value("red t-shirt").run()
        assert not at.exception and not at.error, (at.exception, at.error)
        assert any("results" in c.value for c in at.caption), [c.value for c in at.caption]

        server.kill()  # down between two searches: the cached searcher's query fails
        at.text_input(key="search-text").set_value("blue jeans").run()
        assert not at.exception, at.exception[0].message if at.exception else ""
        assert len(at.error) == 1
        assert_clear(at.error[0].value, server)

        server.start()
        at.run()
        assert not at.exception and not at.error, (at.exception, at.error)
        assert any("results" in c.value for c in at.caption), [c.value for c in at.caption]
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_home_screen_shows_an_error_box_when_the_server_is_down(demo_settings, tmp_path, monkeypatch):
    import shutil
    from types import SimpleNamespace

    from streamlit.testing.v1 import AppTest

    import streamlit as st
    from dashboard import state

    home = fresh_home(demo_settings, tmp_path / "home")
    shutil.copy2(demo_settings.report_json, home.report_json)
    port = free_port()  # nothing listens there
    monkeypatch.setenv("FASHION_HOME", str(home.home))
    monkeypatch.setenv("CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("CHROMA_PORT", str(port))
    model = SimpleNamespace(version="pixel-fake-v1", trained_on_current_data=True, test_r1=None, test_r10=None)
    monkeypatch.setattr(state, "model_summary", lambda: model)  # no trained model needed
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(HOME_PAGE, default_timeout=60).run()
        assert not at.exception, at.exception[0].message if at.exception else ""
        assert [e.value for e in at.error] and f"Chroma server at 127.0.0.1:{port}" in at.error[0].value
        assert "Fashion retrieval" in [t.value for t in at.title]
        assert not any("missing or unfinished" in i.value for i in at.info)  # out of reach, not missing
        assert not [b for b in at.button if b.label == "Set everything up"]
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


# -- the kinds of failure, replayed without a server ---------------------------------------------
class FlakyClient:
    """Our stand-in for a server connection: a real embedded client whose collection calls raise
    ``failure`` once it is set."""

    def __init__(self, client):
        self._client, self.failure = client, None

    def get_or_create_collection(self, *args, **kwargs):
        return _FlakyCollection(self._client.get_or_create_collection(*args, **kwargs), self)

    def get_collection(self, *args, **kwargs):
        return _FlakyCollection(self._client.get_collection(*args, **kwargs), self)

    def __getattr__(self, name):
        return getattr(self._client, name)


class _FlakyCollection:
    CALLS = ("add", "upsert", "get", "query", "count", "delete", "modify")

    def __init__(self, collection, owner):
        self._collection, self._owner = collection, owner

    def __getattr__(self, name):
        attribute = getattr(self._collection, name)
        if name in self.CALLS and self._owner.failure is not None:
            def fail(*args, **kwargs):
                raise self._owner.failure
            return fail
        return attribute


def chromadb_wrapped_connect_error() -> ValueError:
    """What chromadb raises when it cannot connect while opening a client."""
    try:
        try:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        except httpx.ConnectError:
            raise ValueError("Could not connect to a Chroma server. Are you sure it is running?")  # noqa: B904 - as chromadb does
    except ValueError as error:
        return error


FAILURES = {
    "ConnectError": lambda: httpx.ConnectError("[Errno 111] Connection refused"),
    "RemoteProtocolError": lambda: httpx.RemoteProtocolError("Server disconnected without sending a response."),
    "ReadError": lambda: httpx.ReadError("[Errno 104] Connection reset by peer"),
    "ReadTimeout": lambda: httpx.ReadTimeout("timed out"),
    "ConnectionResetError": lambda: ConnectionResetError(104, "Connection reset by peer"),
    "ValueError": chromadb_wrapped_connect_error,
}


@pytest.fixture
def flaky(demo_settings, tmp_path):
    """A home that says its index is on a server at 127.0.0.1:PORT, and a flaky client to it."""
    home = fresh_home(demo_settings, tmp_path / "home")
    client = FlakyClient(open_client(home))  # embedded underneath: no server needed
    return home.with_(chroma_host="127.0.0.1", chroma_port=8123), client


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_index_write_failures_name_the_server(flaky, embedder, kind):
    home, client = flaky

    def fail_after_first_chunk(done, total):
        client.failure = FAILURES[kind]()

    with pytest.raises(ServerUnavailableError) as raised:
        build_index(home, embedder, client=client, chunk_size=100, progress=fail_after_first_chunk, show_progress=False)
    message = str(raised.value)
    assert isinstance(raised.value, FashionError)
    assert "Chroma server at 127.0.0.1:8123" in message and "unset CHROMA_HOST" in message, message
    assert ("ConnectError" if kind == "ValueError" else kind) in message, message
    assert isinstance(raised.value.__cause__, (httpx.TransportError, ConnectionError, ValueError))

    client.failure = None  # back: the run resumes where it stopped, without duplicates
    report = build_index(home, embedder, client=client, show_progress=False)
    assert (report.unchanged, report.upserted) == (100, DEMO_SIZE - 100)
    assert report.counts == {"image": DEMO_SIZE, "text": DEMO_SIZE}


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_search_failures_name_the_server(flaky, embedder, kind):
    home, client = flaky
    build_index(home, embedder, client=client, show_progress=False)
    searcher = Searcher(home, embedder, client=client)
    client.failure = FAILURES[kind]()
    with pytest.raises(ServerUnavailableError, match="Chroma server at 127.0.0.1:8123"):
        searcher.search(SearchQuery(text="red t-shirt", k=3))
    with pytest.raises(ServerUnavailableError, match="Chroma server at 127.0.0.1:8123"):
        searcher.product_vector(int(searcher.table.ids[0]))


def test_other_errors_are_not_mistaken_for_a_lost_server(flaky, embedder):
    from chromadb.errors import InvalidArgumentError

    home, client = flaky
    build_index(home, embedder, client=client, show_progress=False)
    searcher = Searcher(home, embedder, client=client)
    client.failure = InvalidArgumentError("bad argument")
    with pytest.raises(InvalidArgumentError):
        searcher.search(SearchQuery(text="red t-shirt", k=3))
    client.failure = KeyError("oops")
    with pytest.raises(KeyError):
        build_index(home.with_(chroma_host=None), embedder, client=client, show_progress=False)
