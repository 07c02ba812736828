"""Index building on the demo catalogue: layout, batches, resume, catalogue changes, backup/restore."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from core.index.backup import backup, restore
from core.errors import FashionError
from core.index.build import build_index
from core.index.embedding_cache import EmbeddingCache
from core.index.manifest import read_manifest
from core.index.search import SearchQuery, Searcher
from core.index.store import collection_name, collection_space, get_existing, open_client
from tests.test_search import (  # noqa: F401 - fixtures shared with the search tests
    DEMO_SIZE,
    PixelEmbedder,
    demo_catalog,
    demo_settings,
    embedder,
    fresh_home,
)


class Interrupted(Exception):
    pass


class CrashingEmbedder(PixelEmbedder):
    """Dies (like a killed process) after encoding ``limit`` images."""

    def __init__(self, catalog, limit: int):
        super().__init__(catalog)
        self.limit = limit

    def encode_images(self, images, *, batch_size: int = 64):
        if self.images_encoded + len(images) > self.limit:
            raise Interrupted
        return super().encode_images(images, batch_size=batch_size)


class SmallBatchClient:
    """Our own stand-in for a server with a small batch limit; records every upsert size."""

    def __init__(self, client, max_batch: int):
        self._client, self._max, self.upserts = client, max_batch, []

    def get_max_batch_size(self) -> int:
        return self._max

    def get_or_create_collection(self, *args, **kwargs):
        return _RecordingCollection(self._client.get_or_create_collection(*args, **kwargs), self)

    def __getattr__(self, name):
        return getattr(self._client, name)


class _RecordingCollection:
    def __init__(self, collection, owner):
        self._collection, self._owner = collection, owner

    def upsert(self, ids, **kwargs):
        self._owner.upserts.append(len(ids))
        return self._collection.upsert(ids=ids, **kwargs)

    def __getattr__(self, name):
        return getattr(self._collection, name)


@pytest.fixture
def home(demo_settings, tmp_path):
    return fresh_home(demo_settings, tmp_path / "home")


def test_index_layout_metadata_and_manifest(home, embedder, demo_catalog):
    report = build_index(home, embedder, show_progress=False)
    assert report.products == report.upserted == DEMO_SIZE
    assert report.counts == {"image": DEMO_SIZE, "text": DEMO_SIZE}
    client = open_client(home)
    for kind in ("image", "text"):
        col = get_existing(client, collection_name(embedder.version, kind))
        assert col.count() == DEMO_SIZE and collection_space(col) == "cosine"
    image = get_existing(client, collection_name(embedder.version, "image"))
    row = demo_catalog.iloc[5]
    got = image.get(ids=[str(row.id)], include=["metadatas", "embeddings"])
    meta = got["metadatas"][0]
    for key, column in [("name", "productDisplayName"), ("description", "description"), ("gender", "gender"),
                        ("group", "group"), ("masterCategory", "masterCategory"), ("subCategory", "subCategory"),
                        ("articleType", "articleType"), ("baseColour", "baseColour"), ("season", "season"),
                        ("usage", "usage"), ("year", "year"), ("price", "price"), ("image", "image"), ("id", "id")]:  # fmt: skip
        assert meta[key] == row[column], key
    assert np.isclose(np.linalg.norm(got["embeddings"][0]), 1.0, atol=1e-5)
    manifest = read_manifest(image)
    assert manifest["status"] == "complete" and manifest["model_version"] == embedder.version
    assert manifest["counts"] == {"image": DEMO_SIZE, "text": DEMO_SIZE}
    assert "Red" in manifest["vocabulary"]["values"]["baseColour"]


def test_upserts_never_exceed_the_batch_limit(home, embedder):
    client = SmallBatchClient(open_client(home), max_batch=64)
    report = build_index(home, embedder, client=client, chunk_size=1000, show_progress=False)
    assert report.counts["image"] == DEMO_SIZE
    assert client.upserts and max(client.upserts) <= 64 and sum(client.upserts) == 2 * DEMO_SIZE


def test_interrupted_run_resumes_without_duplicates_or_re_embedding(home, demo_catalog):
    crashing = CrashingEmbedder(demo_catalog, limit=130)
    with pytest.raises(Interrupted):
        build_index(home, crashing, chunk_size=50, show_progress=False)
    assert crashing.images_encoded == 100  # two chunks of 50 got through
    with pytest.raises(FashionError, match="incomplete"):
        Searcher(home, crashing)

    resumed = PixelEmbedder(demo_catalog)
    report = build_index(home, resumed, chunk_size=50, show_progress=False)
    assert report.unchanged == 100 and report.upserted == DEMO_SIZE - 100
    assert resumed.images_encoded == DEMO_SIZE - 100  # nothing embedded twice
    assert report.counts == {"image": DEMO_SIZE, "text": DEMO_SIZE}
    col = get_existing(open_client(home), collection_name(resumed.version, "image"))
    ids = col.get(include=[])["ids"]
    assert len(ids) == len(set(ids)) == DEMO_SIZE
    assert Searcher(home, resumed).search(SearchQuery(text="red t-shirt", k=1)).hits[0].article_type == "Tshirts"


def test_a_second_concurrent_run_is_refused_and_a_dead_holder_frees_the_lock(home, demo_catalog):
    import subprocess
    import sys

    from core.index.build import index_lock

    embedder = PixelEmbedder(demo_catalog)
    with index_lock(home, embedder.version):
        with pytest.raises(FashionError, match=r"another index run for .* is in progress \(pid \d+, started"):
            build_index(home, embedder, show_progress=False)
    assert embedder.images_encoded == 0  # refused before any work
    # a holder killed mid-run (no clean-up at all) leaves nothing stuck: the OS drops its flock
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); from core.config import Settings; "
            "from core.index.build import index_lock; cm = index_lock(Settings.from_env(env={}, home=sys.argv[2]), sys.argv[3]); "
            "cm.__enter__(); os._exit(9)")
    root = str(Path(__file__).resolve().parents[1])
    assert subprocess.run([sys.executable, "-c", code, root, str(home.home), embedder.version]).returncode == 9
    assert build_index(home, embedder, show_progress=False).counts["image"] == DEMO_SIZE


def test_embeddings_cached_between_runs_and_stores(home, demo_catalog):
    first = PixelEmbedder(demo_catalog)
    build_index(home, first, show_progress=False)
    again = PixelEmbedder(demo_catalog)
    report = build_index(home, again, show_progress=False)
    assert report.upserted == 0 and report.unchanged == DEMO_SIZE and again.images_encoded == 0

    client = open_client(home)  # an empty store, same cache: nothing is embedded again
    for kind in ("image", "text"):
        client.delete_collection(collection_name(first.version, kind))
    warm = PixelEmbedder(demo_catalog)
    report = build_index(home, warm, show_progress=False)
    assert report.upserted == DEMO_SIZE and report.cached_images == DEMO_SIZE
    assert warm.images_encoded == 0 and warm.texts_encoded == 0
    cache = EmbeddingCache(home.cache_dir, warm.version, "image")
    assert len(cache) == DEMO_SIZE and len(list(cache.dir.glob("*.npz"))) == 1  # compacted


def test_catalogue_changes_are_applied(home, demo_catalog):
    build_index(home, PixelEmbedder(demo_catalog), show_progress=False)
    changed = demo_catalog.iloc[10:].copy()  # ten products removed
    changed.loc[changed.index[0], "price"] = 12345  # one repriced
    changed.to_parquet(home.catalog_parquet)
    embedder = PixelEmbedder(changed)
    report = build_index(home, embedder, show_progress=False)
    assert report.removed == 10 and report.upserted == 1 and embedder.images_encoded == 0
    assert report.counts == {"image": DEMO_SIZE - 10, "text": DEMO_SIZE - 10}
    searcher = Searcher(home, embedder)
    assert searcher.get_product(int(demo_catalog.id.iloc[0])) is None
    assert searcher.get_product(int(changed.id.iloc[0])).price == 12345


def test_missing_catalogue_and_wrong_dimension(tmp_path, demo_settings, demo_catalog):
    from core.config import Settings

    with pytest.raises(FashionError, match="python -m core prepare"):
        build_index(Settings(home=tmp_path / "empty"), PixelEmbedder(demo_catalog), show_progress=False)
    home = fresh_home(demo_settings, tmp_path / "home")
    embedder = PixelEmbedder(demo_catalog)
    build_index(home, embedder, show_progress=False)
    embedder.dim += 1
    with pytest.raises(FashionError, match="new version"):
        build_index(home, embedder, show_progress=False)


def test_backup_restore_round_trip(home, embedder, tmp_path):
    build_index(home, embedder, show_progress=False)
    query = SearchQuery(text="blue jeans", k=5)
    before = [h.id for h in Searcher(home, embedder).search(query).hits]

    report = backup(home, tmp_path / "backup")
    assert report.counts == {collection_name(embedder.version, k): DEMO_SIZE for k in ("image", "text")}
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert {c["name"] for c in manifest["collections"]} == set(report.counts)
    with pytest.raises(FashionError, match="not an empty folder"):
        backup(home, tmp_path / "backup")

    elsewhere = fresh_home(home, tmp_path / "elsewhere")  # a new, empty store
    with pytest.raises(FashionError, match="python -m core index"):
        Searcher(elsewhere, embedder)
    restored = restore(elsewhere, tmp_path / "backup")
    assert restored.counts == report.counts and restored.verified_queries >= 1
    assert [h.id for h in Searcher(elsewhere, embedder).search(query).hits] == before
    assert restore(home, tmp_path / "backup").counts == report.counts  # over an index: replaces it
    assert [h.id for h in Searcher(home, embedder).search(query).hits] == before


def test_restore_refuses_damaged_or_foreign_folders(home, embedder, tmp_path):
    with pytest.raises(FashionError, match="not a backup"):
        restore(home, tmp_path)
    build_index(home, embedder, show_progress=False)
    backup(home, tmp_path / "backup")
    victim = next((tmp_path / "backup").glob("*/records.jsonl"))
    victim.write_text(victim.read_text()[:-50])
    with pytest.raises(FashionError, match="damaged"):
        restore(home, tmp_path / "backup")
    with pytest.raises(FashionError, match="nothing to back up"):
        backup(fresh_home(home, tmp_path / "other"), tmp_path / "backup2")


def test_cli_index_backup_restore(home, embedder, tmp_path, monkeypatch, capsys):
    from core.cli import main as cli, search as cli_search

    monkeypatch.setattr(cli_search, "resolve_embedder", lambda settings, model, **kw: embedder)
    args = ["--home", str(home.home)]
    assert cli.main(["index", "--shard", "3/3", *args]) == 2
    assert "i from 0 to n-1" in capsys.readouterr().err
    assert cli.main(["index", "--shard", "0/1", *args]) == 0
    assert "as shard 0/1; run `index` without --shard" in capsys.readouterr().out
    assert cli.main(["index", *args]) == 0
    assert f"indexed {DEMO_SIZE} products" in capsys.readouterr().out
    assert cli.main(["backup", "--to", str(tmp_path / "bk"), *args]) == 0
    assert "backed up 2 collections" in capsys.readouterr().out
    assert cli.main(["restore", "--from", str(tmp_path / "bk"), *args]) == 0
    assert "known queries verified" in capsys.readouterr().out
    assert cli.main(["restore", "--from", str(tmp_path / "nowhere"), *args]) == 2
    assert "not a backup" in capsys.readouterr().err


def test_shards_split_the_work_and_a_plain_run_completes_the_index(home, demo_catalog, tmp_path):
    from core.index.build import parse_shard, shard_of

    # workers on separate machines: separate homes (caches, locks), one store
    workers = [fresh_home(home, tmp_path / f"worker-{i}") for i in range(3)]
    store = open_client(home)  # stands in for the Chroma server every worker writes to
    embedders = [PixelEmbedder(demo_catalog) for _ in workers]
    reports = [build_index(w, e, client=store, chunk_size=40, show_progress=False, shard=(i, 3))
               for i, (w, e) in enumerate(zip(workers, embedders))]
    assert sum(r.products for r in reports) == DEMO_SIZE and all(r.products > DEMO_SIZE / 6 for r in reports)
    assert sum(e.images_encoded for e in embedders) == DEMO_SIZE  # every product embedded once, by one worker
    assert "shard 2/3" in reports[2].summary()
    with pytest.raises(FashionError, match="incomplete"):  # not searchable until the finishing run
        Searcher(home, embedders[0])

    finishing = PixelEmbedder(demo_catalog)
    report = build_index(home, finishing, chunk_size=40, show_progress=False)
    assert finishing.images_encoded == 0 and report.unchanged == DEMO_SIZE
    assert report.counts == {"image": DEMO_SIZE, "text": DEMO_SIZE}
    assert Searcher(home, finishing).search(SearchQuery(text="red t-shirt", k=1)).hits
    assert {shard_of(i, 4) for i in range(100)} == {0, 1, 2, 3} and shard_of(15970, 4) == shard_of("15970", 4)
    assert parse_shard("1/4") == (1, 4)
    for bad in ("4/4", "-1/2", "1", "a/b", "0/0"):
        with pytest.raises(FashionError, match="shard"):
            parse_shard(bad)
