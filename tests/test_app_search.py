"""AppTest tests of what the Search screen says: exact matches or the closest, filters in words,
the filter that emptied a result, "more like this" with or without the text, prices simulated."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture
def search(built_demo_home, monkeypatch) -> AppTest:
    """The Search screen on the built demo home (searching writes nothing there)."""
    monkeypatch.setenv("FASHION_HOME", str(built_demo_home))
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/search.py").run()
    assert not at.exception
    return at


def _summary(at: AppTest) -> str:
    return next(c.value for c in at.caption if " results" in c.value and "filters:" in c.value)


def test_results_say_when_nothing_matches_exactly(search):
    search.text_input(key="search-text").input("red t-shirt").run()
    assert not search.exception
    # the demo has two red t-shirts: they come first, then the closest, each saying how it differs
    assert search.info[0].value.startswith("Only 2 exact matches for red t-shirts (shown first); then the closest: ")
    assert _summary(search).startswith("24 results (2 exact) · ")
    assert [s.value for s in search.subheader] == ["Closest matches"]
    differences = [c.value for c in search.caption if c.value.startswith("Not exact: ")]
    assert len(differences) == 22 and all("not Red" in d or "not Tshirts" in d for d in differences)

    search.text_input(key="search-text").input("green heels").run()  # no green heels at all
    assert search.info[0].value.startswith("No green heels in the catalogue; showing the closest: ")
    assert [s.value for s in search.subheader] == ["Closest matches (none is exact)"]
    assert any(c.value.startswith("Found by relaxing, in turn: colour Green") for c in search.caption)


def test_an_exact_result_has_no_notice(search):
    search.number_input[0].set_value(6).run()
    search.text_input(key="search-text").input("blue jeans").run()
    assert not search.exception and not search.info and not search.subheader
    assert _summary(search).startswith("6 results · ")
    assert not [c for c in search.caption if c.value.startswith("Not exact")]


def test_an_empty_result_names_the_filter_that_emptied_it(search):
    search.multiselect(key="search-gender").select("Men").run()
    search.multiselect(key="search-article").select("Heels").run()
    search.text_input(key="search-text").input("heels").run()
    assert not search.exception
    assert search.warning[0].value == "No results: no product has both Gender Men and Article type Heels."
    assert not search.get("image")


def test_captions_show_labels_not_keys(search):
    search.multiselect(key="search-group").select("bags").run()
    search.text_input(key="search-text").input("something to carry").run()
    assert not search.exception
    summary = _summary(search)
    assert "Group: Bags & wallets" in summary and "=" not in summary and "group" not in summary
    cards = [c.value for c in search.caption if c.value.startswith("₹")]
    assert cards and all(c.endswith("· Bags & wallets") for c in cards)


def test_every_card_says_its_price_is_simulated_and_the_slider_is_in_rupees(search):
    search.text_input(key="search-text").input("watch").run()
    cards = [c.value for c in search.caption if c.value.startswith("₹")]
    assert len(cards) == 24 and all(" (simulated) · " in c for c in cards)
    price = search.slider(key="search-price")
    assert price.proto.format == "₹%,d" and "simulated" in price.proto.label.lower()


def test_more_like_this_says_it_is_combined_with_the_text_or_clears_it(search):
    search.text_input(key="search-text").input("red t-shirt").run()
    next(b for b in search.button if b.label == "More like this").click().run()
    assert not search.exception
    assert search.info[0].value.startswith("Combined with the text in the box, “red t-shirt” (picture weight 0.50)")
    next(b for b in search.button if b.label == "Search by this product only").click().run()
    assert not search.exception
    assert search.text_input(key="search-text").value == ""
    assert any(c.value == "Searched by this product's picture alone." for c in search.caption)
    assert not search.info and _summary(search).startswith("24 results · filters: none")
    next(b for b in search.button if b.label == "Clear").click().run()
    assert "Type a query" in search.info[0].value
