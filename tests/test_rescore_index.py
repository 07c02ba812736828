"""Attribute blocks stored with the index: written by ``index``, read by search, same ranking.

The demo model (``built_demo_home``: a small encoder trained with its attribute classifiers) is
indexed twice in copies of its home: the way build does it now (each product's image block in its
metadata) and the way it did before (no blocks; the wrapper below hides the classifiers from
build). Searches over both must rank alike, the first without ever running the image backbone; a
later ``index`` run stores the missing blocks without re-embedding anything.
"""

from __future__ import annotations

import base64
import shutil

import numpy as np
import pytest

from core.config import Settings
from core.index.build import build_index
from core.index.filters import Filters
from core.index.manifest import read_manifest
from core.index.records import ATTRIBUTE_KEY
from core.index.rescore import decode_block, encode_blocks, has_block
from core.index.search import SearchQuery, Searcher
from core.index.store import collection_name, open_client, read_all
from core.model.load import load_embedder
from core.model.registry import latest_model
from tests.test_server import chroma_server  # noqa: F401 - a real `chroma run`, shared fixture

WEIGHT = 0.05  # whatever valid chose on the tiny demo: the mechanics are under test
QUERIES = [
    SearchQuery(text="Red Men Tshirt", k=10),
    SearchQuery(text="blue jeans for women", k=20),
    SearchQuery(text="black watch", k=5),
    SearchQuery(text="navy blue shirt", k=10, description_weight=0.3),  # the fused ranking
    SearchQuery(text="white shoes", k=10, filters=Filters(gender="Men")),
    SearchQuery(text="Puma Men Black Sports Shoes", k=10),
]


class WithoutScorer:
    """The same encoder without attribute classifiers: build indexes as it did before blocks were stored."""

    def __init__(self, embedder):
        self.inner, self.version, self.dim = embedder, embedder.version, embedder.dim

    def encode_texts(self, texts, *, batch_size: int = 64):
        return self.inner.encode_texts(texts, batch_size=batch_size)

    def encode_images(self, images, *, batch_size: int = 64):
        return self.inner.encode_images(images, batch_size=batch_size)

    def encode_image_files(self, paths, *, batch_size: int = 64):
        return self.inner.encode_image_files(paths, batch_size=batch_size)


def copy_home(source, target) -> Settings:
    shutil.copytree(source, target)
    return Settings.from_env(env={}, home=target)


def rescoring_embedder(settings: Settings, *, cache: bool = True):
    """The demo model with re-scoring on; ``cache=False``: features computed as a one-off search does."""
    embedder = load_embedder(latest_model(settings), cache_dir=settings.cache_dir if cache else None)
    assert embedder.scorer is not None
    embedder.scorer.weight = WEIGHT
    return embedder


@pytest.fixture(scope="module")
def stored(built_demo_home, tmp_path_factory) -> Settings:
    """A copy of the built demo home, indexed now: blocks stored."""
    settings = copy_home(built_demo_home, tmp_path_factory.mktemp("stored") / "home")
    build_index(settings, rescoring_embedder(settings), show_progress=False)
    return settings


@pytest.fixture()
def old_index(built_demo_home, tmp_path) -> Settings:
    """A copy of the built demo home whose index was built the old way: no blocks."""
    settings = copy_home(built_demo_home, tmp_path / "home")
    client = open_client(settings)
    embedder = rescoring_embedder(settings)
    for kind in ("image", "text"):
        client.delete_collection(collection_name(embedder.version, kind))
    build_index(settings, WithoutScorer(embedder), client=client, show_progress=False)
    return settings


# -- the stored form -------------------------------------------------------------------------------
@pytest.mark.parametrize("row", [
    np.zeros(7, np.float32),
    np.array([0, 2.5, 0, 0, 9.2103405, 1e-30, 0], np.float32),
    np.arange(1, 8, dtype=np.float32) / 3,
])
def test_blocks_round_trip_exactly(row):
    (value,) = encode_blocks(row[None], "f00d")
    assert value.startswith("f00d:") and has_block({ATTRIBUTE_KEY: value}, "f00d")
    np.testing.assert_array_equal(decode_block(value, "f00d", 7), row)
    assert decode_block(value, "beef", 7) is None and not has_block({ATTRIBUTE_KEY: value}, "beef")


@pytest.mark.parametrize("value", [
    None, 3, "", "f00d", "f00d:", "f00d:not base64!", "f00d:" + base64.b64encode(b"1234567").decode(),
    "f00d:" + base64.b64encode(np.array([9], "<u4").tobytes() + np.array([1.0], "<f4").tobytes()).decode(),
])
def test_a_missing_or_malformed_block_reads_as_none(value):
    """None means "classify the picture", never a wrong block ("f00d:" is a block of zeros, and
    position 9 is outside a width of 7)."""
    got = decode_block(value, "f00d", 7)
    if value == "f00d:":
        np.testing.assert_array_equal(got, np.zeros(7, np.float32))
    else:
        assert got is None
    assert not has_block({}, "f00d") and not has_block(None, "f00d")


# -- index and search --------------------------------------------------------------------------------
def test_index_stores_every_block_and_search_runs_no_backbone(stored, monkeypatch):
    embedder = rescoring_embedder(stored)
    searcher = Searcher(stored, embedder)
    fingerprint = embedder.scorer.fingerprint
    assert read_manifest(searcher.collections["image"])["attributes"] == {"key": ATTRIBUTE_KEY, "fingerprint": fingerprint}
    image = read_all(searcher.collections["image"], include=("metadatas",))["metadatas"]
    text = read_all(searcher.collections["text"], include=("metadatas",))["metadatas"]
    assert image and all(has_block(m, fingerprint) for m in image)
    assert not any(ATTRIBUTE_KEY in m for m in text)  # the description side carries catalogue fields only

    def no_backbone(images):
        raise AssertionError("a search classified a picture")

    monkeypatch.setattr(embedder, "image_attributes", no_backbone)
    for query in QUERIES:
        assert searcher.search(query).hits
    assert searcher.rescorer.from_pictures == 0 and searcher.notices == []


def test_stored_blocks_rank_exactly_as_the_pictures_did(stored, old_index):
    """The old index classifies the candidates' pictures at query time (no feature cache, as the
    command line did); the new one reads the stored blocks: same products, same order, same scores."""
    new = Searcher(stored, rescoring_embedder(stored))
    old = Searcher(old_index, rescoring_embedder(old_index, cache=False))
    for query in QUERIES:
        got, expected = new.search(query).hits, old.search(query).hits
        assert [h.id for h in got] == [h.id for h in expected], query
        np.testing.assert_allclose([h.score for h in got], [h.score for h in expected], rtol=1e-6, atol=1e-6)
    assert old.rescorer.from_pictures > 0 and new.rescorer.from_pictures == 0
    assert "python -m core index --home" in old.notices[0] and not new.notices


def test_a_preloaded_searcher_ranks_alike_and_reads_only_the_top_k(stored, old_index, monkeypatch):
    """``preload`` (the dashboard runs it when it opens a searcher) keeps every stored block: a
    re-scored search then asks the store for the metadata of the hits it returns, no candidate's;
    on an index without blocks it keeps none and the pictures are classified as before."""
    fresh, preloaded = Searcher(stored, rescoring_embedder(stored)), Searcher(stored, rescoring_embedder(stored))
    preloaded.preload()
    assert len(preloaded.rescorer._by_id) == preloaded.collections["image"].count()
    asked: list[int] = []
    read = preloaded._metadatas
    monkeypatch.setattr(preloaded, "_metadatas", lambda ids: asked.append(len(ids)) or read(ids))
    for query in QUERIES:
        got, expected = preloaded.search(query).hits, fresh.search(query).hits
        assert [h.id for h in got] == [h.id for h in expected], query
        np.testing.assert_allclose([h.score for h in got], [h.score for h in expected], rtol=1e-6, atol=1e-6)
    assert asked and max(asked) <= max(q.k for q in QUERIES)  # only the hits shown, never 200 candidates
    old = Searcher(old_index, rescoring_embedder(old_index))
    old.preload()
    assert not old.rescorer._by_id and old.search(QUERIES[0]).hits and old.rescorer.from_pictures > 0


def test_an_old_index_gets_its_blocks_once_without_re_embedding(old_index):
    embedder = rescoring_embedder(old_index)
    report = build_index(old_index, embedder, show_progress=False)
    products = report.products
    assert (report.upserted, report.unchanged, report.attributes_stored) == (0, products, products)
    assert report.embedded_images == report.embedded_texts == 0
    assert f"stored the attribute scores of {products}" in report.summary()
    again = build_index(old_index, embedder, show_progress=False)
    assert (again.upserted, again.attributes_stored, again.unchanged) == (0, 0, products)

    searcher = Searcher(old_index, embedder)
    assert searcher.search(SearchQuery(text="Red Men Tshirt", k=10)).hits
    assert searcher.rescorer.from_pictures == 0

    embedder.scorer.__dict__["fingerprint"] = "0" * 16  # another scorer: every block is stale
    assert build_index(old_index, embedder, show_progress=False).attributes_stored == products


def test_search_command_says_how_to_store_the_blocks(old_index, monkeypatch, capsys):
    import core.cli.search as cli_search
    from core.cli.main import main

    embedder = rescoring_embedder(old_index, cache=False)
    monkeypatch.setattr(cli_search, "resolve_embedder", lambda settings, model, **kwargs: embedder)
    assert main(["search", "red tshirt", "--home", str(old_index.home)]) == 0
    err = capsys.readouterr().err
    assert "note: the index stores no attribute scores" in err and f"python -m core index --home {old_index.home}" in err
    build_index(old_index, embedder, show_progress=False)
    assert main(["search", "red tshirt", "--home", str(old_index.home)]) == 0
    assert "attribute scores" not in capsys.readouterr().err


def test_a_chroma_server_stores_the_blocks_and_backups_carry_them(stored, built_demo_home, chroma_server,  # noqa: F811
                                                                    tmp_path):
    from core.index.backup import backup, restore

    server = copy_home(built_demo_home, tmp_path / "server-home").with_(chroma_host="127.0.0.1", chroma_port=chroma_server)
    embedder = rescoring_embedder(server)
    report = build_index(server, embedder, show_progress=False)
    assert report.attributes_stored == report.products and f"127.0.0.1:{chroma_server}" in report.store

    remote, local = Searcher(server, embedder), Searcher(stored, rescoring_embedder(stored))
    for query in QUERIES:  # distances cross the wire as JSON: equal to a few ulps
        got, expected = remote.search(query).hits, local.search(query).hits
        assert [h.id for h in got] == [h.id for h in expected], query
        np.testing.assert_allclose([h.score for h in got], [h.score for h in expected], rtol=1e-7)
    assert remote.rescorer.from_pictures == 0

    backup(server, tmp_path / "backup")
    restored = copy_home(built_demo_home, tmp_path / "restored-home")
    shutil.rmtree(restored.chroma_dir)
    restore(restored, tmp_path / "backup")
    searcher = Searcher(restored, rescoring_embedder(restored))
    image = read_all(searcher.collections["image"], include=("metadatas",))["metadatas"]
    assert all(has_block(m, embedder.scorer.fingerprint) for m in image)
    assert searcher.search(QUERIES[0]).hits and searcher.rescorer.from_pictures == 0
