"""AppTest tests of the Curation screen and of the curation-tag filter on the Search screen."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core.config import Settings
from core.curation.store import CurationStore
from tests.homes import copy_home

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def home(built_demo_home, tmp_path, monkeypatch) -> Path:
    """A writable copy of the built demo home (its own curation database and caches)."""
    copy = copy_home(built_demo_home, tmp_path / "home")
    monkeypatch.setenv("FASHION_HOME", str(copy))
    return copy


def _store(home: Path) -> CurationStore:
    return CurationStore(Settings.from_env(env={}, home=home).curation_db)


def _curation(timeout: int = 180) -> AppTest:
    at = AppTest.from_file(HOME, default_timeout=timeout)
    at.switch_page("pages/curation.py").run()
    assert not at.exception, at.exception
    return at


def test_first_visit_computes_then_accept_and_dismiss_are_stored(home):
    at = _curation()
    assert not at.error
    statuses = [e for e in at.get("status") if "Suggestions computed" in str(e.label)]
    assert statuses, "the first computation shows its progress in a status box"
    kind = at.radio(key="curation-kind")
    assert kind.value == "near-duplicate" and kind.options[0].startswith("Near-duplicates (")
    metrics = {m.label: int(m.value) for m in at.metric}
    pending = metrics["Pending"]
    assert pending > 0 and metrics["Accepted"] == 0 and metrics["Dismissed"] == 0
    assert any("image cosine" in c.value for c in at.caption)  # the evidence, in words and numbers
    assert len(at.get("image")) >= 2  # the two products side by side

    # a near-duplicate is accepted by keeping one of its two products: only the other is flagged
    keep = next(b for b in at.button if b.label == "Keep this one")
    key, kept = keep.key.removeprefix("keep-").rsplit("-", 1)
    keep.click().run()
    assert not at.exception
    at.button(key=f"dismiss-{next(b.key for b in at.button if b.label == 'Dismiss').removeprefix('dismiss-')}").click().run()
    assert not at.exception
    metrics = {m.label: int(m.value) for m in at.metric}
    assert metrics == {"Pending": pending - 2, "Accepted": 1, "Dismissed": 1}

    store = _store(home)
    decisions = store.decisions()
    assert decisions[key].decision == "accepted" and decisions[key].author == "merchandiser"
    assert decisions[key].kept == int(kept)
    assert store.ids_with_flags(["duplicate"]) == set(decisions[key].ids) - {int(kept)}

    at.radio(key="curation-status").set_value("accepted").run()
    assert not at.exception
    other = (set(decisions[key].ids) - {int(kept)}).pop()
    assert any(c.value.startswith("accepted by merchandiser") and f"kept {kept}, flagged {other} duplicate" in c.value
               for c in at.caption)
    assert not [b for b in at.button if b.label == "Keep this one"]
    at.button(key=f"reopen-{key}").click().run()
    assert key not in _store(home).decisions()


def test_a_near_duplicate_pair_whose_prices_differ_says_so(home):
    import pandas as pd

    at = _curation()
    catalog = pd.read_parquet(Settings.from_env(env={}, home=home).catalog_parquet).set_index("id")
    pairs = {b.key.removeprefix("dismiss-near-duplicate:") for b in at.button if b.label == "Dismiss"}
    notes = [c.value for c in at.caption if "Prices differ" in c.value]
    differ = [p for p in pairs if len({catalog.loc[int(i), "price"] for i in p.split(",")}) > 1]
    assert differ and len(notes) == len(differ)  # the demo's duplicates got independent simulated prices
    a, b = (int(i) for i in differ[0].split(","))
    said = f"Prices differ: {a} ₹{catalog.loc[a, 'price']:,} · {b} ₹{catalog.loc[b, 'price']:,} (simulated)."
    assert any(said in n for n in notes)


def test_second_visit_reads_the_cache_and_the_author_is_stored(home):
    _curation()  # computes and caches
    st.cache_data.clear()
    st.cache_resource.clear()
    at = _curation()
    assert not at.get("status")
    at.text_input(key="curation-author").input("Asha").run()
    next(b for b in at.button if b.label == "Dismiss").click().run()
    assert not at.exception
    assert {d.author for d in _store(home).decisions().values()} == {"Asha"}


def test_label_errors_and_outliers_tabs_say_when_there_is_none(home):
    at = _curation()
    at.radio(key="curation-kind").set_value("label-error").run()
    assert not at.exception
    assert any("label errors" in i.value for i in at.info)  # the demo's labels are right
    said = next(i.value for i in at.info if "label errors" in i.value)
    assert said.startswith("No label errors found. Checked the article type, colour and gender of each of the 300 products")
    at.radio(key="curation-kind").set_value("outlier").run()
    assert not at.exception
    said = next(i.value for i in at.info if "outliers" in i.value)
    assert said.startswith("No outliers found. Only article types with at least 30 products are checked")


def _apply(at: AppTest, **values) -> AppTest:
    """Fill the editor form (widgets inside a form are sent only with its submit) and submit it."""
    for key, value in values.items():
        widget = at.text_input(key=key) if key in ("curation-ids", "curation-tag", "curation-note") else None
        if widget is not None:
            widget.input(value)
        elif key == "curation-action":
            at.radio(key=key).set_value(value)
        else:
            at.selectbox(key=key).set_value(value)
    at.button[[b.label for b in at.button].index("Apply")].click().run()
    assert not at.exception, at.exception
    return at


def test_tag_flag_note_then_table_and_downloads(home):
    at = _curation()
    assert any("No product is tagged" in i.value for i in at.info)
    assert at.text_input(key="curation-ids").placeholder == "10001, 10002"  # ids of the catalogue in use
    _apply(at, **{"curation-ids": "10001, 10002", "curation-tag": "summer-edit"})
    assert any("Tagged 2 more products" in s.value for s in at.success)
    _apply(at, **{"curation-ids": "10002", "curation-action": "Flag", "curation-flag": "bad-image"})
    _apply(at, **{"curation-ids": "10002", "curation-action": "Add note", "curation-note": "blurry"})
    labels = _store(home).labels()
    assert labels.to_dict("records") == [
        {"id": 10001, "tags": "summer-edit", "flags": "", "notes": 0},
        {"id": 10002, "tags": "summer-edit", "flags": "bad-image", "notes": 1},
    ]
    assert {r["author"] for r in _store(home).history(10002).to_dict("records")} == {"merchandiser"}
    table = next(df.value for df in at.dataframe if "tags" in df.value.columns)
    assert table["id"].tolist() == [10001, 10002] and table["flags"].tolist() == ["", "bad-image"]
    assert "simulated_price_inr" in table.columns and "price" not in table.columns  # as in the files
    assert any("prices are simulated" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 2  # CSV and Parquet

    _apply(at, **{"curation-ids": "10001, abc"})
    assert "product ids" in at.error[0].value
    _apply(at, **{"curation-ids": "10003", "curation-action": "Add tag", "curation-tag": "a;b"})
    assert "cannot contain" in at.error[0].value


def test_search_offers_curation_tags_only_when_they_exist(home):
    at = AppTest.from_file(HOME, default_timeout=180)
    at.switch_page("pages/search.py").run()
    assert not at.exception
    assert not [m for m in at.multiselect if m.label == "Curation tags"]

    _store(home).add_tag([10001, 10002], "picks", author="asha")
    at.text_input(key="search-text").input("shoes").run()
    assert not at.exception
    at.multiselect(key="search-tags").select("picks").run()
    assert not at.exception
    summary = next(c.value for c in at.caption if "results" in c.value)
    assert summary.startswith("2 results") and "Tag: picks" in summary and "tag=" not in summary
