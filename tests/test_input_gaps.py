"""User errors on the command line exit 2 with one line that says what to do, before any slow work:
unknown product ids for ``curate tag``, a bad ``ask --budget``/``--gender``, an unwritable
``backup --to``, a too large ``search --k``."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import pytest

from core.cli.main import main
from core.curation.store import CurationStore
from core.errors import FashionError
from core.index.build import build_index
from tests.test_search import (  # noqa: F401 - fixtures shared with the search tests
    PixelEmbedder,
    demo_catalog,
    demo_settings,
    embedder,
    fresh_home,
)


@pytest.fixture
def home(demo_settings, tmp_path):
    """A home with the demo catalogue prepared (ids 10001-10300), no model, no index."""
    return fresh_home(demo_settings, tmp_path / "home")


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


# -- curate tag ----------------------------------------------------------------------------------
@pytest.mark.parametrize("ids", [["99999999"], ["-5"], ["0"], ["10005", "99999999", "-5"]])
def test_curate_tag_refuses_ids_not_in_the_catalogue(home, capsys, ids):
    args = ["curate", "tag", *ids, "--tag", "picks", "--home", str(home.home)]
    assert main(args) == 2
    err = one_line_error(capsys)
    unknown = [i for i in ids if i != "10005"]
    assert "not in the catalogue" in err and all(i in err for i in unknown)
    assert CurationStore(home.curation_db).tag_names() == []  # nothing tagged, not even 10005


def test_curate_tag_refuses_ids_out_of_the_integer_range(home, capsys):
    assert main(["curate", "tag", str(2**70), "--tag", "picks", "--home", str(home.home)]) == 2
    assert str(2**70) in one_line_error(capsys)
    with pytest.raises(FashionError, match="too large"):
        CurationStore(home.curation_db).add_tag([2**63], "picks", author="asha")
    with pytest.raises(FashionError, match="too large"):
        CurationStore(home.curation_db).labels(ids=[-(2**63) - 1])


def test_curate_tag_still_tags_and_untags_known_products(home, capsys):
    where = ["--home", str(home.home)]
    assert main(["curate", "tag", "10005", "10006", "--tag", "picks", *where]) == 0
    assert "tagged 2 new of 2 products 'picks'" in capsys.readouterr().out
    assert main(["curate", "tag", "10005", "99999999", "--tag", "picks", "--remove", *where]) == 2
    assert "99999999" in one_line_error(capsys)
    assert main(["curate", "tag", "10005", "--tag", "picks", "--remove", *where]) == 0
    assert "removed 'picks' from 1 of 1 products" in capsys.readouterr().out


def test_curate_tag_can_untag_a_product_gone_from_the_catalogue(home, capsys):
    CurationStore(home.curation_db).add_tag([77777], "old", author="asha")  # tagged before a re-prepare
    assert main(["curate", "tag", "77777", "--tag", "old", "--remove", "--home", str(home.home)]) == 0
    assert "removed 'old' from 1 of 1 products" in capsys.readouterr().out


# -- ask -----------------------------------------------------------------------------------------
@pytest.fixture
def fake_stylist(monkeypatch):
    """``Stylist.open`` replaced by a recorder: no model or index needed, the preferences seen."""
    from core.stylist import service

    seen: list[dict] = []

    class Answer:
        answer, thread_id, notices = "an outfit", "t-1", []

        def to_json(self):
            return {"answer": self.answer}

    class Fake:
        def ask(self, message, thread_id=None, preferences=None):
            seen.append(dict(preferences or {}))
            return Answer()

    @contextmanager
    def fake_open(*args, **kwargs):
        yield Fake()

    monkeypatch.setattr(service.Stylist, "open", staticmethod(fake_open))
    return seen


@pytest.mark.parametrize("budget", ["-1", "0"])
def test_ask_refuses_a_budget_that_is_not_positive(home, capsys, fake_stylist, budget):
    assert main(["ask", "brunch outfit", "--budget", budget, "--home", str(home.home)]) == 2
    err = one_line_error(capsys)
    assert "--budget" in err and budget in err
    assert fake_stylist == []


def test_ask_refuses_an_unknown_gender_naming_the_valid_ones(home, capsys, fake_stylist):
    assert main(["ask", "brunch outfit", "--gender", "Martian", "--home", str(home.home)]) == 2
    err = one_line_error(capsys)
    assert "'Martian'" in err and "Men, Women, Boys, Girls, Unisex" in err
    assert fake_stylist == []


def test_ask_passes_valid_preferences_in_their_catalogue_spelling(home, capsys, fake_stylist):
    assert main(["ask", "brunch outfit", "--gender", "women", "--budget", "2500", "--home", str(home.home)]) == 0
    assert fake_stylist == [{"gender": "Women", "budget": 2500}]
    assert "an outfit" in capsys.readouterr().out


# -- backup --to ---------------------------------------------------------------------------------
def _unwritable_targets(tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    targets = [a_file / "bk"]
    if sys.platform.startswith("linux"):
        targets.append("/proc/nope/bk")
    return targets


def test_backup_to_an_unwritable_place_is_a_user_error(home, embedder, tmp_path, capsys):
    build_index(home, embedder, show_progress=False)
    for target in _unwritable_targets(tmp_path):
        assert main(["backup", "--to", str(target), "--home", str(home.home)]) == 2
        err = one_line_error(capsys)
        assert "cannot write the backup" in err and "choose" in err
    assert not list(tmp_path.glob(".*partial*"))


# -- search --k ----------------------------------------------------------------------------------
@pytest.mark.parametrize("k", ["500", "101", "0", "-3"])
def test_search_refuses_k_outside_1_to_100(home, capsys, monkeypatch, k):
    from core.cli import search as cli_search

    def no_model(*args, **kwargs):
        raise AssertionError("k must be checked before the model is loaded")

    monkeypatch.setattr(cli_search, "resolve_embedder", no_model)
    assert main(["search", "red shirt", "--k", k, "--home", str(home.home)]) == 2
    err = one_line_error(capsys)
    assert "--k" in err and "1 to 100" in err and k in err


def test_search_accepts_k_up_to_100_and_says_so_in_its_help(home, capsys, monkeypatch):
    from core.cli import search as cli_search

    def stop(*args, **kwargs):
        raise FashionError("reached the model")

    monkeypatch.setattr(cli_search, "resolve_embedder", stop)
    assert main(["search", "red shirt", "--k", "100", "--home", str(home.home)]) == 2
    assert "reached the model" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    assert "at most 100" in " ".join(capsys.readouterr().out.split())


def test_ask_prints_notices_the_answer_does_not_already_say(home, capsys, monkeypatch):
    from core.stylist import service

    class Answer:
        answer, thread_id = "An outfit.\n- Note: with ₹5,000 I left out the watch.", "t-2"
        notices = ["Note: with ₹5,000 I left out the watch.", "Removed 1 mention(s) of products that were not retrieved."]

    class Fake:
        def ask(self, message, thread_id=None, preferences=None):
            return Answer()

    @contextmanager
    def fake_open(*args, **kwargs):
        yield Fake()

    monkeypatch.setattr(service.Stylist, "open", staticmethod(fake_open))
    assert main(["ask", "brunch outfit", "--home", str(home.home)]) == 0
    err = capsys.readouterr().err
    assert "note: Removed 1 mention(s)" in err and "left out the watch" not in err
