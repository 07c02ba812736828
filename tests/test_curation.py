"""The curation store (contract, concurrent writers, crashes), suggestion rules on built cases,
the tag filter in search, and the suggestions computed end to end on the demo home."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.curation.export import export_frame, to_csv_bytes, to_parquet_bytes
from core.curation.schema import FLAG_KINDS
from core.curation.store import CurationStore
from core.errors import FashionError
from tests.homes import copy_home
from tests.vectors import normalised, unit

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path) -> CurationStore:
    return CurationStore(tmp_path / "curation" / "curation.sqlite3")


# -- the store's contract ----------------------------------------------------------------------
def test_a_new_store_creates_its_folder_and_is_empty(tmp_path):
    path = tmp_path / "deep" / "er" / "curation.sqlite3"
    store = CurationStore(path)
    assert path.is_file()
    assert store.tag_names() == []
    assert store.ids_with_tags(["anything"]) == set()
    labels = store.labels()
    assert list(labels.columns) == ["id", "tags", "flags", "notes"] and labels.empty
    assert str(labels["id"].dtype) == "int64"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_tags_are_idempotent_and_counted(store):
    assert store.add_tag([1, 2, 3], "summer-edit", author="asha") == 3
    assert store.add_tag([3, 4, 4], "summer-edit", author="ravi") == 1  # 3 already, 4 twice in input
    assert store.add_tag(np.array([5]), "  eid  ", author="asha", note="festival") == 1
    assert store.tag_names() == ["eid", "summer-edit"]
    assert store.ids_with_tags(["summer-edit"]) == {1, 2, 3, 4}
    assert store.ids_with_tags(["eid", "summer-edit"]) == {1, 2, 3, 4, 5}  # ANY of them
    assert store.ids_with_tags(["unknown"]) == set()
    assert store.remove_tag([1, 99], "summer-edit", author="asha") == 1
    assert store.remove_tag([1], "summer-edit", author="asha") == 0
    assert store.ids_with_tags("summer-edit") == {2, 3, 4}
    assert store.tag_counts() == {"eid": 1, "summer-edit": 3}


def test_a_tag_differing_only_in_case_reuses_the_existing_spelling(store):
    store.add_tag([1], "Summer", author="a")
    assert store.add_tag([2], "summer", author="b") == 1
    assert store.tag_names() == ["Summer"]
    assert store.check_tags(["SUMMER"]) == ("Summer",)


def test_unicode_tags_and_notes(store):
    store.add_tag([7], "दिवाली ✨", author="Zoë")
    store.add_note(7, "colour looks off — check with the brand", author="Zoë")
    assert store.tag_names() == ["दिवाली ✨"]
    assert store.history(7)["author"].tolist() == ["Zoë", "Zoë"]


@pytest.mark.parametrize(
    "tag, message",
    [("", "empty"), ("   ", "empty"), ("x" * 41, "at most 40"), ("a;b", "cannot contain"),
     ("a,b", "cannot contain"), ("tab\there", "cannot contain"), (None, "empty")],
)
def test_bad_tags_are_refused(store, tag, message):
    with pytest.raises(FashionError, match=message):
        store.add_tag([1], tag, author="a")
    assert store.labels().empty


def test_a_forty_character_tag_is_fine(store):
    assert store.add_tag([1], "x" * 40, author="a") == 1


@pytest.mark.parametrize("author", ["", "   ", None])
def test_an_author_is_required(store, author):
    with pytest.raises(FashionError, match="author"):
        store.add_tag([1], "t", author=author)
    with pytest.raises(FashionError, match="author"):
        store.flag([1], "duplicate", author=author)


@pytest.mark.parametrize("bad", ["abc", 1.5, True, None])
def test_bad_product_ids_are_refused(store, bad):
    with pytest.raises(FashionError, match="product id"):
        store.add_tag([1, bad], "t", author="a")
    assert store.labels().empty  # nothing half-written: ids are checked before the transaction


def test_flags_validate_their_kind(store):
    assert FLAG_KINDS == ("wrong-label", "duplicate", "bad-image", "off-brand")
    with pytest.raises(FashionError, match="wrong-label, duplicate, bad-image, off-brand"):
        store.flag([1], "ugly", author="a")
    assert store.flag([1, 2], "duplicate", author="a", note="same photo") == 2
    assert store.flag([2], "duplicate", author="b") == 0
    assert store.unflag([2, 3], "duplicate", author="a") == 1
    assert store.ids_with_flags() == {1}


def test_labels_and_history(store):
    store.add_tag([10, 11], "summer", author="a")
    store.add_tag([10], "bestseller", author="a")
    store.flag([10], "bad-image", author="b")
    store.flag([10], "duplicate", author="b")
    store.flag([12], "off-brand", author="b")
    store.add_note(10, "blurry photo", author="c")
    store.add_note(10, "asked the studio", author="c")
    store.add_note(13, "only a note", author="c")
    labels = store.labels()
    assert labels.to_dict("records") == [
        {"id": 10, "tags": "bestseller; summer", "flags": "bad-image; duplicate", "notes": 2},
        {"id": 11, "tags": "summer", "flags": "", "notes": 0},
        {"id": 12, "tags": "", "flags": "off-brand", "notes": 0},
        {"id": 13, "tags": "", "flags": "", "notes": 1},
    ]
    assert str(labels["id"].dtype) == "int64" and str(labels["notes"].dtype) == "int64"
    assert store.labels(ids=[11, 12, 99])["id"].tolist() == [11, 12]
    store.remove_tag([10], "summer", author="d")
    history = store.history(10)
    assert list(history.columns) == ["time", "author", "action", "value", "note"]
    assert history["action"].tolist() == ["tag", "tag", "flag", "flag", "note", "note", "untag"]
    assert history["value"].tolist()[:4] == ["summer", "bestseller", "bad-image", "duplicate"]
    assert history["note"].tolist()[4] == "blurry photo"
    assert store.history(999).empty
    assert store.notes(10)["text"].tolist() == ["blurry photo", "asked the studio"]


def test_empty_notes_are_refused(store):
    with pytest.raises(FashionError, match="empty"):
        store.add_note(1, "   ", author="a")


def test_export_adds_the_curation_columns(store):
    store.add_tag([1, 2], "summer", author="a")
    store.flag([2], "wrong-label", author="a")
    store.add_note(2, "check", author="a")
    products = pd.DataFrame({"id": [1, 2, 3], "productDisplayName": ["a", "b", "ç"], "price": [1, 2, 3]})
    frame = export_frame(products, store)
    assert frame.to_dict("records") == [  # the price column says the prices are simulated
        {"id": 1, "productDisplayName": "a", "simulated_price_inr": 1, "tags": "summer", "flags": "", "notes": 0},
        {"id": 2, "productDisplayName": "b", "simulated_price_inr": 2, "tags": "summer", "flags": "wrong-label", "notes": 1},
        {"id": 3, "productDisplayName": "ç", "simulated_price_inr": 3, "tags": "", "flags": "", "notes": 0},
    ]
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), keep_default_na=False)
    assert back["tags"].tolist() == ["summer", "summer", ""] and back["productDisplayName"].tolist()[2] == "ç"
    assert "simulated_price_inr" in back.columns and "price" not in back.columns
    parquet = pd.read_parquet(io.BytesIO(to_parquet_bytes(frame)))
    assert parquet.equals(frame) or parquet.astype(str).equals(frame.astype(str))
    import pyarrow.parquet as pq

    field = pq.read_schema(io.BytesIO(to_parquet_bytes(frame))).field("simulated_price_inr")
    assert b"simulated" in field.metadata[b"note"].lower()  # a column note travels with the file
    with pytest.raises(FashionError, match="id"):
        export_frame(pd.DataFrame({"name": ["x"]}), store)


def test_decisions_survive_and_accepting_can_flag(store):
    store.decide("label-error:5", "label-error", [5], "accepted", author="a", flag="wrong-label")
    store.decide("near-duplicate:1,2", "near-duplicate", [2, 1], "dismissed", author="b", flag="duplicate")
    again = CurationStore(store.path)  # a fresh handle (another session) sees the same decisions
    decisions = again.decisions()
    assert decisions["label-error:5"].decision == "accepted" and decisions["label-error:5"].ids == (5,)
    assert decisions["near-duplicate:1,2"].author == "b"
    assert again.ids_with_flags(["wrong-label"]) == {5}
    assert again.ids_with_flags(["duplicate"]) == set()  # dismissed: no flag
    store.decide("near-duplicate:1,2", "near-duplicate", [1, 2], "accepted", author="c", flag="duplicate")
    assert store.decisions()["near-duplicate:1,2"].decision == "accepted"
    assert store.ids_with_flags(["duplicate"]) == {1, 2}
    assert store.undecide("near-duplicate:1,2", author="c") and "near-duplicate:1,2" not in store.decisions()
    assert "suggestion-accepted" in store.history(1)["action"].tolist()
    with pytest.raises(FashionError, match="decision"):
        store.decide("k", "outlier", [1], "maybe", author="a")


def test_accepting_a_near_duplicate_keeps_one_and_flags_only_the_other(store):
    store.decide("near-duplicate:1,2", "near-duplicate", [1, 2], "accepted", author="a", flag="duplicate", kept=2,
                 note="image cosine 0.99")
    decision = CurationStore(store.path).decisions()["near-duplicate:1,2"]
    assert decision.kept == 2 and decision.decision == "accepted"
    assert store.ids_with_flags(["duplicate"]) == {1}
    kept_history = store.history(2)
    assert kept_history["action"].tolist() == ["suggestion-accepted"] and kept_history["note"].tolist() == ["kept"]
    assert "keeping 2" in store.history(1)["note"].iloc[-1]
    store.decide("near-duplicate:1,2", "near-duplicate", [1, 2], "dismissed", author="a", flag="duplicate")
    assert store.decisions()["near-duplicate:1,2"].kept is None  # a new decision replaces the old one


@pytest.mark.parametrize(
    "kept, decision, message",
    [(3, "accepted", "not one of 1, 2"), (1, "dismissed", "only an accepted"), ("x", "accepted", "whole number")],
)
def test_keeping_a_product_outside_the_pair_is_refused(store, kept, decision, message):
    with pytest.raises(FashionError, match=message):
        store.decide("near-duplicate:1,2", "near-duplicate", [1, 2], decision, author="a", flag="duplicate", kept=kept)
    assert store.decisions() == {} and store.ids_with_flags() == set()  # nothing written


def test_an_older_database_gains_the_kept_column(tmp_path):
    from core.curation.schema import SCHEMA

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:  # the decisions table as the first release wrote it
        conn.executescript(SCHEMA.replace(",\n    kept       INTEGER", ""))
        conn.execute("INSERT INTO decisions VALUES ('near-duplicate:1,2', 'near-duplicate', '1,2', 'accepted', 'a', 't', '')")
    columns = [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(decisions)")]
    assert "kept" not in columns
    store = CurationStore(path)
    assert store.decisions()["near-duplicate:1,2"].kept is None
    store.decide("near-duplicate:3,4", "near-duplicate", [3, 4], "accepted", author="a", flag="duplicate", kept=3)
    assert store.decisions()["near-duplicate:3,4"].kept == 3 and store.ids_with_flags() == {4}


@pytest.mark.parametrize(
    "prices, said",
    [
        ({10001: 1299, 10002: 1299}, None),
        ({10001: 1299, 10002: 1499}, "Prices differ: 10001 ₹1,299 · 10002 ₹1,499 (simulated)."),
        ({7: 12999}, None),
        ({}, None),
    ],
)
def test_a_pair_whose_prices_disagree_says_so(prices, said):
    from core.curation.review import price_disagreement

    assert price_disagreement(prices) == said


def test_an_empty_kind_says_what_was_checked():
    from core.curation.review import what_was_checked

    types = {"Tshirts": 40, "Watches": 12}
    assert "52 products" in what_was_checked("near-duplicate", types)
    assert "10 nearest images" in what_was_checked("label-error", types)
    assert what_was_checked("outlier", types).startswith("Checked the 40 products of the 1 article types with at least 30")
    assert "none of the 1 here" in what_was_checked("outlier", {"Tshirts": 3})


# -- concurrency and crashes -----------------------------------------------------------------
@pytest.mark.parametrize("shared_handle", [True, False])
def test_concurrent_writers_lose_nothing(tmp_path, shared_handle):
    """8 threads x 50 tags, each tag its own transaction: every row lands, nobody sees "locked"."""
    path = tmp_path / "c.sqlite3"
    shared = CurationStore(path)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(worker: int) -> None:
        store = shared if shared_handle else CurationStore(path)
        try:
            start.wait()
            for i in range(50):
                store.add_tag([worker * 1000 + i], f"w{worker}", author=f"thread-{worker}")
                if i % 10 == 0:
                    store.flag([worker * 1000 + i], "bad-image", author=f"thread-{worker}")
                    store.labels()  # readers interleaved with writers
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    labels = shared.labels()
    assert len(labels) == 400
    assert shared.tag_names() == [f"w{w}" for w in range(8)]
    for worker in range(8):
        assert shared.ids_with_tags([f"w{worker}"]) == {worker * 1000 + i for i in range(50)}
    assert len(shared.ids_with_flags(["bad-image"])) == 40
    assert len(shared.events()) == 440


def test_an_exception_mid_transaction_leaves_nothing_half_written(store):
    store.add_tag([1], "before", author="a")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with store.transaction() as conn:
            for pid in range(100, 110):
                conn.execute(
                    "INSERT INTO tags (product_id, tag, author, time) VALUES (?, 'half', 'a', 'now')", (pid,)
                )
            raise Boom()
    assert store.tag_names() == ["before"]
    assert store.add_tag([2], "after", author="a") == 1  # the store still takes writes


def test_a_failure_inside_a_multi_row_write_rolls_it_all_back(store, monkeypatch):
    """The 6th event of a 10-product tag fails: none of the 10 tags nor their events remain."""
    calls = {"n": 0}
    real_event = CurationStore._event

    def failing_event(conn, *args):
        calls["n"] += 1
        if calls["n"] == 6:
            raise sqlite3.OperationalError("disk I/O error (simulated)")
        return real_event(conn, *args)

    monkeypatch.setattr(CurationStore, "_event", staticmethod(failing_event))
    with pytest.raises(sqlite3.OperationalError):
        store.add_tag(range(10), "batch", author="a")
    monkeypatch.undo()
    assert store.labels().empty and store.events().empty


def test_concurrent_processes_lose_nothing(tmp_path):
    """Two processes writing at once (two dashboard servers on one home): every row lands."""
    path = tmp_path / "p.sqlite3"
    CurationStore(path)
    code = (
        "import sys\nfrom core.curation.store import CurationStore\n"
        "s = CurationStore(sys.argv[1]); w = int(sys.argv[2])\n"
        "for i in range(60):\n    s.add_tag([w * 1000 + i], f'p{w}', author=f'proc-{w}')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), str(w)], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE) for w in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    store = CurationStore(path)
    assert len(store.labels()) == 180 and store.tag_names() == ["p0", "p1", "p2"]


CRASHER = """
import os, sys
from core.curation.store import CurationStore
store = CurationStore(sys.argv[1])
store.add_tag([1], "committed", author="before-crash")
real_event = CurationStore._event
count = [0]
def dying_event(conn, *args):
    count[0] += 1
    if count[0] == 50:
        os._exit(3)  # the process dies mid-transaction: no rollback, no cleanup, no atexit
    return real_event(conn, *args)
CurationStore._event = staticmethod(dying_event)
store.add_tag(range(1000, 1100), "never", author="crasher")
"""


def test_a_process_killed_mid_transaction_leaves_the_store_consistent(tmp_path):
    path = tmp_path / "crash.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CRASHER, str(path)], cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 3
    store = CurationStore(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.tag_names() == ["committed"]
    assert store.labels()["id"].tolist() == [1]
    assert store.events()["action"].tolist() == ["tag"]
    assert store.add_tag([2], "after", author="a") == 1


# -- the suggestion rules on built cases ------------------------------------------------------
from core.curation.evidence import colour_families  # noqa: E402
from core.curation.rules import (  # noqa: E402
    CurationInputs,
    Rules,
    Suggestion,
    label_errors,
    near_duplicates,
    outliers,
    suggest,
    suggestion_key,
)
from core.curation.suggestions import review_frame  # noqa: E402

DIM = 16
TYPES = {"Tshirts": 0, "Watches": 1, "Jeans": 2}
COLOURS = {"Red": 3, "Blue": 4, "Navy Blue": 5, "Black": 6}
NAME_NOUN = {"Tshirts": "T-shirt", "Watches": "Watch", "Jeans": "Jeans"}


def _unit(i: int) -> np.ndarray:
    return unit(i, DIM)


def built_catalogue(per_group: int = 12, seed: int = 0) -> CurationInputs:
    """Products whose image = type direction + colour direction + noise, honestly labelled."""
    rng = np.random.default_rng(seed)
    rows, images, names = [], [], []
    pid = 1000
    for article, t in TYPES.items():
        for colour, c in (("Red", 3), ("Black", 6)):
            for n in range(per_group):
                pid += 1
                image = _unit(t) + 0.6 * _unit(c) + rng.normal(0, 0.08, DIM)
                name = f"Brand{n} Men {colour} {NAME_NOUN[article]}"
                rows.append({"id": pid, "name": name, "articleType": article, "baseColour": colour,
                             "gender": "Men", "image_sha1": f"sha-{pid}", "image": ""})
                images.append(normalised(image))
                names.append(normalised(_unit(t) + 0.6 * _unit(c) + rng.normal(0, 0.05, DIM)))
    return CurationInputs(
        meta=pd.DataFrame(rows), images=np.stack(images), names=np.stack(names),
        type_texts={a: _unit(t) for a, t in TYPES.items()},
        colour_texts={c: _unit(i) for c, i in COLOURS.items()},
    )


def test_an_honest_catalogue_raises_no_suggestion():
    inputs = built_catalogue()
    assert suggest(inputs, Rules(outlier_min_type_size=20)) == []


def test_a_duplicated_image_file_is_found_whatever_the_names():
    inputs = built_catalogue()
    inputs.meta.loc[5, "image_sha1"] = inputs.meta.loc[40, "image_sha1"]  # same file, different products
    found = near_duplicates(inputs)
    assert len(found) == 1
    (dup,) = found
    assert dup.ids == tuple(sorted(inputs.meta.loc[[5, 40], "id"])) and dup.details["reason"] == "identical-file"
    assert "identical image file" in dup.evidence and dup.key == suggestion_key("near-duplicate", dup.ids[::-1])
    assert dup.flag == "duplicate"


def test_a_near_identical_image_with_the_same_name_is_found():
    inputs = built_catalogue()
    inputs.images[7] = normalised(inputs.images[3] + np.float32(0.01))
    inputs.meta.loc[7, "name"] = inputs.meta.loc[3, "name"]
    (dup,) = near_duplicates(inputs)
    assert dup.ids == tuple(sorted(inputs.meta.loc[[3, 7], "id"])) and dup.details["reason"] == "near-identical"
    assert "image cosine 1.000" in dup.evidence or "image cosine 0.99" in dup.evidence


@pytest.mark.parametrize(
    "change, why",
    [({"name": "Totally Different Label Here"}, "names differ"),
     ({"name": "Brand3 Men Red T-shirt 402"}, "a shade/model number differs"),
     ({"baseColour": "Black"}, "labelled another colour"),
     ({"gender": "Women"}, "another gender")],
)
def test_near_identical_images_of_different_things_are_not_duplicates(change, why):
    inputs = built_catalogue()
    inputs.images[7] = normalised(inputs.images[3] + np.float32(0.01))
    inputs.meta.loc[3, "name"] = "Brand3 Men Red T-shirt 401"
    inputs.meta.loc[7, "name"] = "Brand3 Men Red T-shirt 401"
    for column, value in change.items():
        inputs.meta.loc[7, column] = value
    assert near_duplicates(inputs) == [], why


def test_a_relabelled_article_type_is_flagged_with_its_evidence():
    inputs = built_catalogue()
    row = 4  # a red T-shirt, now labelled a watch
    inputs.meta.loc[row, "articleType"] = "Watches"
    found = label_errors(inputs)
    assert [s.ids for s in found] == [(int(inputs.meta.loc[row, "id"]),)]
    (error,) = found
    assert error.kind == "label-error" and error.flag == "wrong-label"
    (finding,) = error.details["findings"]
    assert finding == {**finding, "attribute": "articleType", "own": "Watches", "proposed": "Tshirts"}
    assert "closer to 'Tshirts'" in error.evidence and "than to its own 'Watches'" in error.evidence
    assert "nearest images are Tshirts" in error.evidence


def test_a_relabelled_colour_is_flagged_only_when_the_name_agrees():
    inputs = built_catalogue()
    inputs.meta.loc[2, "baseColour"] = "Blue"  # a red T-shirt called "... Red T-shirt"
    (error,) = label_errors(inputs)
    assert error.details["findings"][0]["proposed"] == "Red" and "says 'red', not 'blue'" in error.evidence
    inputs.meta.loc[2, "name"] = "Brand2 Men T-shirt"  # the name is silent: not enough evidence
    assert label_errors(inputs) == []


def test_a_colour_within_its_family_is_never_questioned():
    assert "blue" in colour_families("Navy Blue") and colour_families("Navy Blue") & colour_families("Blue")
    inputs = built_catalogue()
    inputs.colour_texts["Navy Blue"] = _unit(3)  # navy reads exactly like red here...
    inputs.meta.loc[2, "baseColour"] = "Blue"
    inputs.meta.loc[2, "name"] = "Brand2 Men Navy Blue T-shirt"  # ...but navy is blue's family
    assert all("'Navy Blue'" not in s.evidence for s in label_errors(inputs))


def test_an_outlier_is_found():
    inputs = built_catalogue(per_group=20)
    inputs.images[10] = normalised(_unit(9) + _unit(10))  # a jeans-free, watch-free, shirt-free picture
    rules = Rules(outlier_min_type_size=20, outlier_max_rank=0.05)
    (outlier,) = outliers(inputs, rules)
    assert outlier.ids == (int(inputs.meta.loc[10, "id"]),)
    assert "mean cosine to its 10 nearest Tshirts" in outlier.evidence and outlier.flag is None


def test_suggestions_round_trip_and_review_with_decisions(store):
    inputs = built_catalogue()
    inputs.meta.loc[5, "image_sha1"] = inputs.meta.loc[40, "image_sha1"]
    inputs.meta.loc[4, "articleType"] = "Watches"
    found = suggest(inputs)
    assert [s.kind for s in found] == ["near-duplicate", "label-error"]
    assert [Suggestion.from_dict(s.to_dict()) for s in found] == found
    from core.curation.suggestions import decide

    decide(store, found[1], "accepted", author="asha")
    frame = review_frame(found, store)
    assert frame["status"].tolist() == ["pending", "accepted"] and frame["author"].tolist() == ["", "asha"]
    assert store.labels()["flags"].tolist() == ["wrong-label"]


# -- on the demo home: the index path, the real model, and the tag filter in search ---------
@pytest.fixture(scope="module")
def demo(built_demo_home, tmp_path_factory):
    """A copy of the session's built demo home, its settings and the trained model."""
    from core.config import Settings
    from core.model.load import load_embedder
    from core.model.registry import latest_model

    home = copy_home(built_demo_home, tmp_path_factory.mktemp("curation-demo") / "home")
    settings = Settings.from_env(env={}, home=home)
    return settings, load_embedder(latest_model(settings), cache_dir=settings.cache_dir)


def test_suggestions_from_the_index_are_cached_and_find_a_duplicated_file(demo):
    from core.index.store import collection_name, open_client
    from core.curation.suggestions import cached_suggestions, compute_suggestions

    settings, embedder = demo
    client = open_client(settings)
    assert cached_suggestions(settings, embedder.version, client=client) is None
    stages: list[str] = []
    first = compute_suggestions(settings, embedder, client=client, progress=lambda s, f: stages.append(s))
    assert not first.from_cache and first.products == 300 and stages[-1] == "Done"
    # The demo draws some products twice under one name: those are near-identical images.
    assert first.counts()["near-duplicate"] > 0
    assert all(s.details["reason"] == "near-identical" for s in first.suggestions if s.kind == "near-duplicate")
    again = compute_suggestions(settings, embedder, client=client)
    assert again.from_cache and [s.key for s in again.suggestions] == [s.key for s in first.suggestions]

    # Give product B the very image file of product A in the index: an identical-file suggestion.
    collection = client.get_collection(collection_name(embedder.version, "image"), embedding_function=None)
    got = collection.get(ids=["10002", "10150"], include=["metadatas"])
    meta = dict(zip(got["ids"], got["metadatas"]))
    collection.update(ids=["10150"], metadatas=[{**meta["10150"], "image_sha1": meta["10002"]["image_sha1"]}])
    fresh = compute_suggestions(settings, embedder, client=client, refresh=True)
    same_file = [s for s in fresh.suggestions if s.details.get("reason") == "identical-file"]
    assert [s.ids for s in same_file] == [(10002, 10150)]
    assert fresh.suggestions[0] == same_file[0]  # the strongest evidence comes first


def test_a_relabelled_product_of_the_demo_is_flagged_by_the_real_model(demo):
    """Relabel a product the model reads correctly to the type it reads least: flagged, with its
    true type proposed."""
    from core.curation.suggestions import load_inputs

    settings, embedder = demo
    inputs = load_inputs(settings, embedder)
    assert label_errors(inputs) == []  # the demo's labels are right
    types = sorted(inputs.type_texts)
    phrases = np.stack([inputs.type_texts[t] for t in types])
    image_read = np.array(types)[(inputs.images @ phrases.T).argmax(1)]
    name_read = np.array(types)[(inputs.names @ phrases.T).argmax(1)]
    own = inputs.meta["articleType"].to_numpy()
    readable = np.nonzero((image_read == own) & (name_read == own))[0]
    assert len(readable) >= 10
    flagged = 0
    for row in readable[:10]:
        wrong = types[int((inputs.images[row] @ phrases.T).argmin())]
        inputs.meta.loc[row, "articleType"] = wrong
        found = label_errors(inputs)
        inputs.meta.loc[row, "articleType"] = own[row]
        if [s.ids for s in found] == [(int(inputs.meta.loc[row, "id"]),)]:
            assert found[0].details["findings"][0]["proposed"] == own[row]
            flagged += 1
    assert flagged >= 8, f"only {flagged} of 10 relabelled products flagged"


def test_search_restricted_to_curation_tags(demo):
    from core.index.filters import Filters
    from core.index.search import SearchQuery, Searcher

    settings, embedder = demo
    searcher = Searcher(settings, embedder, tag_source=lambda: CurationStore(settings.curation_db))
    store = CurationStore(settings.curation_db)
    store.add_tag([10001, 10002, 10003], "Picks", author="asha")
    store.add_tag([10004], "sale", author="asha")
    store.add_tag([999999], "ghost", author="asha")  # a product that is not in the index

    result = searcher.search(SearchQuery(text="red t-shirt", filters=Filters(tags=("picks",)), k=10))
    assert {h.id for h in result.hits} == {10001, 10002, 10003}  # case-insensitive, stored spelling
    assert result.filters.tags == ("Picks",) and "tag=Picks" in result.filters.describe()
    both = searcher.search(SearchQuery(text="red t-shirt", filters=Filters(tags="Picks,sale"), k=10))
    assert {h.id for h in both.hits} == {10001, 10002, 10003, 10004}
    like = searcher.search(SearchQuery(like_id=10001, filters=Filters(tags=("Picks",)), k=10))
    assert {h.id for h in like.hits} == {10002, 10003}

    gender = searcher.get_product(10001).gender
    other = "Women" if gender != "Women" else "Men"
    mixed = searcher.search(SearchQuery(text="shoes", filters=Filters(tags=("Picks",), gender=gender), k=10))
    assert mixed.hits and all(h.gender == gender for h in mixed.hits)
    if all(searcher.get_product(i).gender != other for i in (10001, 10002, 10003)):
        empty = searcher.search(SearchQuery(text="shoes", filters=Filters(tags=("Picks",), gender=other), k=5))
        assert empty.hits == [] and empty.reason == f"no product with tag=Picks matches gender={other}"
    ghost = searcher.search(SearchQuery(text="shoes", filters=Filters(tags=("ghost",)), k=5))
    assert ghost.hits == [] and ghost.reason == "no product in the index carries tag=ghost"

    with pytest.raises(FashionError, match=r"unknown curation tag 'nope'; tags in use: Picks, ghost, sale"):
        searcher.search(SearchQuery(text="shoes", filters=Filters(tags=("nope",))))
    plain = searcher.search(SearchQuery(text="red t-shirt", k=5))  # no tag: the store is not needed
    assert len(plain.hits) == 5


def test_the_curate_command(demo, tmp_path, capsys):
    import json

    from core.cli.main import main

    settings, _ = demo
    home = ["--home", str(settings.home)]
    assert main(["curate", "tag", "10005", "10006", "--tag", "cli-pick", "--author", "ci", *home]) == 0
    assert "tagged 2 new of 2 products 'cli-pick'" in capsys.readouterr().out
    assert main(["curate", *home, "tag", "10005", "--tag", "cli-pick", "--remove"]) == 0
    out = tmp_path / "curated.parquet"
    assert main(["curate", "export", "--out", str(out), *home]) == 0
    frame = pd.read_parquet(out)
    assert frame.loc[frame["id"] == 10006, "tags"].tolist() == ["cli-pick"] and "productDisplayName" in frame
    assert 10005 not in set(frame.loc[frame["tags"].str.contains("cli-pick"), "id"])
    capsys.readouterr()
    assert main(["search", "shoes", "--tag", "cli-pick", "--json", *home]) == 0
    assert [hit["id"] for hit in json.loads(capsys.readouterr().out)] == [10006]
    assert main(["search", "shoes", "--tag", "nope", *home]) == 2
    assert "unknown curation tag 'nope'" in capsys.readouterr().err
    assert main(["curate", "suggestions", "--kind", "near-duplicate", "--json", *home]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["kind"] for r in rows} == {"near-duplicate"} and rows[0]["status"] in ("pending", "accepted")
    assert main(["curate", "export", "--out", str(tmp_path / "x.txt"), *home]) == 2
    assert "must end in .csv or .parquet" in capsys.readouterr().err
    assert main(["curate", "tag", "1", "--tag", " ", *home]) == 2
