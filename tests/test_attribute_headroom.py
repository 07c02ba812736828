"""The attribute headroom benchmark measures what it says: nothing changed = the model's own figures,
every product made right = perfect accuracy, and an oracle never ranks the right product lower."""

from __future__ import annotations

import shutil

import pytest

from benchmarks.attribute_headroom import headroom, render
from core.config import Settings
from core.model.attributes import ATTRIBUTES


@pytest.fixture(scope="module")
def rows(built_demo_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("headroom") / "home"
    shutil.copytree(built_demo_home, home)  # the shared home is read-only to tests
    model = sorted((home / "models").glob("lit-v*"))[-1]
    return {row["row"]: row for row in headroom(Settings.from_env(env={}, home=home), model, shares=(0.0, 1.0))}


def test_a_share_of_nothing_changes_nothing(rows):
    model = rows["model as trained"]
    for attribute in ATTRIBUTES:
        row = rows[f"{attribute} right on 0% more"]
        assert {k: row[k] for k in ("r1", "r10", "whole_r1", "whole_r10")} == {k: model[k] for k in ("r1", "r10", "whole_r1", "whole_r10")}
        assert row["accuracy"] == model["accuracy"]


def test_every_product_made_right_gives_perfect_accuracy_and_no_lower_recall(rows):
    model, everything = rows["model as trained"], rows["all four right on 100% more"]
    assert all(value == 1.0 for value in everything["accuracy"].values()), everything["accuracy"]
    assert everything["r1"] >= model["r1"] and everything["whole_r1"] >= model["whole_r1"]


def test_an_oracle_ranks_the_right_products_no_lower(rows):
    model = rows["model as trained"]
    full = rows["oracle brand+articleType+gender+baseColour"]
    assert full["r1"] >= model["r1"] and full["whole_r1"] >= model["whole_r1"]
    assert "| oracle baseColour |" in render(list(rows.values()))
