"""The command line: exit codes, one-line messages, and the demo going through prepare."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core.cli.main import main
from tests.conftest import make_catalog

ROOT = Path(__file__).resolve().parents[1]


def test_demo_then_prepare_through_the_cli(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["demo", "--home", str(home), "--size", "80"]) == 0
    assert "80 products" in capsys.readouterr().out
    assert main(["prepare", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "usable products 80" in out and "recovered lines 0" in out
    catalog = pd.read_parquet(home / "processed" / "catalog.parquet")
    assert len(catalog) == 80 and set(catalog["split"]) == {"train", "valid", "test"}
    report = json.loads((home / "processed" / "report.json").read_text())
    assert report["source"] == "demo" and report["skipped"] == {}


def test_prepare_generates_the_demo_when_nothing_is_configured(tmp_path, capsys):
    assert main(["prepare", "--home", str(tmp_path / "fresh")]) == 0
    assert (tmp_path / "fresh" / "demo-catalog" / "styles.csv").is_file()
    assert "(demo)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["prepare", "--catalog", "{tmp}/nowhere"], "error: catalogue folder"),
        (["prepare", "--catalog", "{tmp}/empty"], "error: no styles.csv"),
        (["prepare", "--catalog", "{tmp}/nocols"], "error: "),
        (["demo", "--size", "0", "--out", "{tmp}/d"], "error: "),
    ],
)
def test_user_errors_exit_2_with_one_line(tmp_path, capsys, argv, message):
    (tmp_path / "empty" / "images").mkdir(parents=True)
    make_catalog(tmp_path / "nocols", ["1,Men"], header="id,gender")
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(message) and err.count("\n") == 1


def test_every_command_has_help():
    result = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=ROOT, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert result.returncode == 0
    commands = [c for c in ("demo", "prepare", "train", "evaluate", "index", "search", "backup", "restore") if f"    {c} " in result.stdout]
    assert {"demo", "prepare"} <= set(commands)
    for command in commands:
        sub = subprocess.run([sys.executable, "-m", "core", command, "--help"], cwd=ROOT, capture_output=True, text=True)
        assert sub.returncode == 0 and "--home" in sub.stdout, command


def test_unknown_command_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "core", "dance"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr
