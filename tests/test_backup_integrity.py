"""A backup is verified whole before anything is restored: its manifest is signed
(``manifest.sha256``, in ``sha256sum`` format), every data file is listed with its sha256, and
anything unlisted, missing, mismatching or unsigned is refused with a FashionError.

One index and one backup per module; each test tampers with its own copy and restores into a
fresh, empty store, which a refused restore must leave untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from core.errors import FashionError
from core.index.backup import backup, restore
from core.index.build import build_index
from core.index.store import open_client
from tests.test_search import (  # noqa: F401 - fixtures shared with the search tests
    DEMO_SIZE,
    PixelEmbedder,
    demo_catalog,
    demo_settings,
    embedder,
    fresh_home,
)


@pytest.fixture(scope="module")
def made(demo_settings, embedder, tmp_path_factory):
    """``(settings, backup folder)``: the demo index built and backed up once (read-only)."""
    home = fresh_home(demo_settings, tmp_path_factory.mktemp("backed-up") / "home")
    build_index(home, embedder, show_progress=False)
    folder = tmp_path_factory.mktemp("backups") / "backup"
    backup(home, folder)
    return home, folder


@pytest.fixture
def copy(made, tmp_path) -> Path:
    """A writable copy of the module's backup."""
    return Path(shutil.copytree(made[1], tmp_path / "copy"))


@pytest.fixture
def target(made, tmp_path):
    """A fresh home with an empty store to restore into."""
    return fresh_home(made[0], tmp_path / "target")


def sign(folder: Path) -> None:
    """Re-sign ``manifest.json`` the way ``sha256sum manifest.json > manifest.sha256`` would."""
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    (folder / "manifest.sha256").write_text(f"{digest}  manifest.json\n")


def edit_manifest(folder: Path, change, *, resign: bool) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    if resign:
        sign(folder)


def assert_untouched(target) -> None:
    """A refused restore created no collection in the target store."""
    client = open_client(target)
    assert [c if isinstance(c, str) else c.name for c in client.list_collections()] == []


# -- what a backup writes ----------------------------------------------------------------------
def test_a_backup_signs_its_manifest_and_lists_every_file(made, target):
    _, folder = made
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert (folder / "manifest.sha256").read_text() == f"{digest}  manifest.json\n"
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["collections"]:
        on_disk = {p.name for p in (folder / entry["name"]).iterdir()}
        assert set(entry["files"]) == on_disk == {"embeddings.npy", "records.jsonl"}
    assert {p.name for p in folder.iterdir()} == {
        "manifest.json", "manifest.sha256", *(e["name"] for e in manifest["collections"])
    }
    report = restore(target, folder)  # a whole, untouched backup still restores
    assert sum(report.counts.values()) == 2 * DEMO_SIZE and report.verified_queries >= 1


# -- the manifest itself -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(source="somewhere else"),
        lambda m: None,  # rewritten as is, then one space added: any byte counts
        lambda m: m["collections"][0]["metadata"].update({"note": "edited"}),
        lambda m: [e.update(files={}) for e in m["collections"]],
    ],
    ids=["source", "whitespace", "collection-metadata", "files-emptied"],
)
def test_an_edited_manifest_is_refused(copy, target, change):
    manifest = (copy / "manifest.json").read_text()
    edit_manifest(copy, change, resign=False)
    if (copy / "manifest.json").read_text() == manifest:  # our writer's own formatting: add a byte
        (copy / "manifest.json").write_text(manifest + " ")
    with pytest.raises(FashionError, match="does not match its signature"):
        restore(target, copy)
    assert_untouched(target)


def test_a_missing_or_wrong_signature_is_refused(copy, target):
    (copy / "manifest.sha256").write_text("0" * 64 + "  manifest.json\n")
    with pytest.raises(FashionError, match="does not match its signature"):
        restore(target, copy)
    (copy / "manifest.sha256").write_text("not a digest\n")
    with pytest.raises(FashionError, match="manifest.sha256"):
        restore(target, copy)
    (copy / "manifest.sha256").unlink()
    with pytest.raises(FashionError, match="no manifest.sha256"):
        restore(target, copy)
    assert_untouched(target)


def test_an_old_unsigned_backup_is_refused_with_how_to_remake_it(copy, target):
    edit_manifest(copy, lambda m: m.update(format=1), resign=False)
    (copy / "manifest.sha256").unlink()
    with pytest.raises(FashionError, match=r"not signed.*python -m core backup --to"):
        restore(target, copy)
    assert_untouched(target)


# -- the data files ----------------------------------------------------------------------------
def _tamper_records(folder: Path) -> Path:
    """Change one record's metadata, keeping the count: only a checksum can tell."""
    records = next(folder.glob("*-image/records.jsonl"))
    lines = records.read_text().splitlines()
    first = json.loads(lines[0])
    first["metadata"]["productDisplayName"] = "Tampered"
    records.write_text("\n".join([json.dumps(first, sort_keys=True), *lines[1:]]) + "\n")
    return records


def test_emptied_file_lists_do_not_let_a_tampered_file_through(copy, target):
    _tamper_records(copy)
    edit_manifest(copy, lambda m: [e.update(files={}) for e in m["collections"]], resign=True)
    with pytest.raises(FashionError, match="not listed"):
        restore(target, copy)
    assert_untouched(target)


def test_a_tampered_listed_file_is_refused(copy, target):
    _tamper_records(copy)
    with pytest.raises(FashionError, match="damaged"):
        restore(target, copy)
    assert_untouched(target)


@pytest.mark.parametrize("where", ["collection", "top"])
def test_an_unlisted_file_is_refused(copy, target, where):
    folder = next(copy.glob("*-text")) if where == "collection" else copy
    (folder / "extra.jsonl").write_text("{}\n")
    with pytest.raises(FashionError, match=r"not listed.*extra\.jsonl"):
        restore(target, copy)
    assert_untouched(target)


def test_a_missing_listed_file_is_refused(copy, target):
    next(copy.glob("*-text/embeddings.npy")).unlink()
    with pytest.raises(FashionError, match="missing"):
        restore(target, copy)
    assert_untouched(target)


@pytest.mark.parametrize("name", ["bad name!", "../escape", "fashion-x-", "other-prefix-image"])
def test_an_invalid_collection_name_is_a_user_error(copy, target, name, capsys):
    from core.cli.main import main

    old = next(copy.glob("*-text")).name
    shutil.move(copy / old, (copy / name).resolve())  # the files where the name points

    def rename(manifest):
        for entry in manifest["collections"]:
            if entry["name"] == old:
                entry["name"] = name

    edit_manifest(copy, rename, resign=True)
    code = main(["restore", "--from", str(copy), "--home", str(target.home)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "collection name" in err
    assert_untouched(target)


def test_a_server_lost_during_backup_or_restore_is_one_clear_error(tmp_path):
    import httpx

    from core.config import Settings
    from core.errors import ServerUnavailableError

    class Gone:  # a client whose server went away: every call fails in transport
        def __getattr__(self, name):
            def call(*args, **kwargs):
                raise httpx.ConnectError("[Errno 111] Connection refused")
            return call

    settings = Settings.from_env({}, home=tmp_path / "home", chroma_host="127.0.0.1", chroma_port=8765)
    with pytest.raises(ServerUnavailableError, match="127.0.0.1:8765") as caught:
        backup(settings, tmp_path / "bk", client=Gone())
    assert "backup again" in str(caught.value) and not (tmp_path / "bk").exists()
    with pytest.raises((ServerUnavailableError, FashionError)):
        restore(settings, tmp_path / "missing-backup", client=Gone())
