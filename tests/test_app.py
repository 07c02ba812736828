"""AppTest smoke tests of the dashboard screens (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

HOME = str(Path(__file__).resolve().parents[1] / "Home.py")


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def test_home_first_run_sets_everything_up(built_demo_home, tmp_path, monkeypatch):
    """A fresh home: one click prepares the demo, trains and indexes; then Home says it is ready.

    The frozen towers' feature cache is copied from the session's built home (as a second run on
    the same machine would have it), so the test exercises the whole pipeline in seconds.
    """
    import shutil

    home = tmp_path / "fresh-home"
    shutil.copytree(built_demo_home / "cache" / "features", home / "cache" / "features")
    monkeypatch.setenv("FASHION_HOME", str(home))
    at = AppTest.from_file(HOME, default_timeout=300).run()
    assert not at.exception
    assert "Nothing is prepared yet" in at.info[0].value
    assert not at.metric
    at.button[0].click().run()
    assert not at.exception
    assert not at.error, at.error[0].value
    values = {m.label: m.value for m in at.metric}
    assert values["Products"] == "300" and values["Model"] == "lit-v1"
    assert values["Index"] == "complete" and values["Indexed products"] == "300"
    assert "demo" in at.caption[0].value


@pytest.fixture
def prepared_demo(tmp_path, monkeypatch):
    from core.config import Settings
    from core.data.prepare import prepare

    home = tmp_path / "home"
    monkeypatch.setenv("FASHION_HOME", str(home))
    prepare(Settings.from_env())
    return home


def test_dataset_screen_before_prepare_points_home():
    at = AppTest.from_file(HOME, default_timeout=60)
    at.switch_page("pages/dataset.py").run()
    assert not at.exception
    assert "not prepared yet" in at.info[0].value


def test_dataset_screen(prepared_demo):
    at = AppTest.from_file(HOME, default_timeout=60)
    at.switch_page("pages/dataset.py").run()
    assert not at.exception
    assert at.metric[1].label == "Usable products" and at.metric[1].value == "300"
    assert [t.label for t in at.tabs] == ["Distributions", "Prices", "Data quality", "Gallery", "Contrastive pairs"]
    assert len(at.get("plotly_chart")) == 6  # only the open tab ran
    at.session_state["dataset-tab"] = "Data quality"
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("Every line was read")
    at.session_state["dataset-tab"] = "Gallery"
    at.run()
    at.selectbox[0].select_index(1).run()  # another article type in the gallery
    assert not at.exception
    assert len(at.get("image")) > 0
    at.session_state["dataset-tab"] = "Contrastive pairs"
    at.run()
    assert not at.exception
    assert len(at.dataframe[1].value) == 20 and set(at.dataframe[1].value["kind"]) == {"colour", "gender", "usage"}


@pytest.fixture
def built_home(built_demo_home, monkeypatch):
    monkeypatch.setenv("FASHION_HOME", str(built_demo_home))
    return built_demo_home


def test_home_shows_catalogue_model_and_index(built_home):
    at = AppTest.from_file(HOME, default_timeout=120).run()
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    assert values["Products"] == "300" and values["Model"] == "lit-v1"
    assert values["Indexed products"] == "300" and values["Index"] == "complete"
    assert float(values["Test R@1"]) > 0.2
    assert at.success[0].value.startswith("Everything is ready")


def test_training_screen(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/training.py").run()
    assert not at.exception
    assert at.selectbox[0].value == "lit-v1"
    assert [m.label for m in at.metric][:3] == ["Test R@1", "Test R@10", "Test MRR@10"]
    assert at.get("plotly_chart")  # loss and validation curves
    assert "Text→image R@1" in list(at.dataframe[0].value["Metric"])
    assert "Attribute re-scoring (brand, colour, type, gender)" in [h.value for h in at.subheader]
    assert any("re-scored" in c.value for c in at.caption)
    assert at.dataframe[1].value["Chosen"].sum() == 1


def test_search_screen_text_query_and_more_like_this(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/search.py").run()
    assert not at.exception and "Type a query" in at.info[0].value
    at.text_input(key="search-text").input("red t-shirt").run()
    assert not at.exception
    assert at.caption[0].value.startswith("24 results")
    assert len(at.get("image")) == 24
    first_card = next(c.value for c in at.caption if c.value.startswith("₹"))
    assert "Red" in first_card and "Tshirts" in first_card
    like = next(b for b in at.button if b.label == "More like this")
    like.click().run()
    assert not at.exception
    assert any(c.value == "More like this product" for c in at.caption)


def test_search_screen_empty_result_names_the_filter(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/search.py").run()
    at.multiselect(key="search-gender").select("Men").run()
    at.multiselect(key="search-article").select("Heels").run()
    at.text_input(key="search-text").input("heels").run()
    assert not at.exception
    assert at.warning[0].value.startswith("No results: no product has")


def test_search_screen_rejects_a_non_image_upload(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/search.py").run()
    at.file_uploader(key="search-upload").upload("notes.png", b"this is not a picture", "image/png").run()
    assert not at.exception
    assert at.error and "image" in at.error[0].value.lower()


def test_stylist_screen_answers_with_products(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/stylist.py").run()
    assert not at.exception
    assert "offline" in at.caption[0].value
    at.chat_input[0].set_value("What should I wear for a brunch date? I am a woman.").run()
    assert not at.exception
    assert len(at.chat_message) == 2
    assert "brunch" in at.chat_message[1].markdown[0].value.lower()
    assert len(at.chat_message[1].get("image")) >= 2  # the outfit's product cards
    understood = [m.value for m in at.chat_message[1].markdown if ":gray-badge[" in m.value]
    assert understood and ":gray-badge[Brunch]" in understood[0] and ":gray-badge[Women]" in understood[0]
    assert not at.chat_message[1].get("json")  # labels a person reads, not raw JSON
    at.chat_input[0].set_value("make it cheaper").run()
    assert not at.exception and len(at.chat_message) == 4


def test_search_screen_shows_understood_filters_as_removable_chips(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/search.py").run()
    at.text_input(key="search-text").input("black handbag for women under 1500").run()
    assert not at.exception
    chips = at.pills[0]
    assert chips.value == ["gender", "colours", "article_type", "max_price"]
    assert chips.options == ["Women", "Black", "Handbags", "under ₹1,500"]
    assert at.info[0].value.startswith("No black handbags for women under ₹1,500 in the catalogue; showing the closest")
    results = next(c.value for c in at.caption if "results" in c.value and "filters:" in c.value)
    assert "Colour: Black" in results and "Price: up to ₹1,500" in results

    chips.unselect("colours").run()  # removing the chip searches again without the colour
    assert not at.exception
    assert at.pills[0].value == ["gender", "article_type", "max_price"]
    results = next(c.value for c in at.caption if "results" in c.value and "filters:" in c.value)
    assert "Colour" not in results and "Gender: Women · Article type: Handbags" in results
    assert at.info[0].value.startswith("Only 2 exact matches for handbags for women under ₹1,500")


def test_search_screen_says_when_the_sidebar_overrides_a_word(built_home):
    at = AppTest.from_file(HOME, default_timeout=120)
    at.switch_page("pages/search.py").run()
    at.multiselect(key="search-gender").select("Men").run()
    at.text_input(key="search-text").input("black t-shirt for women").run()
    assert not at.exception
    assert at.pills[0].options == ["Black", "Tshirts"]
    assert any(c.value == "The gender filter (Men) replaces “Women” from the words." for c in at.caption)
