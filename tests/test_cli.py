"""The command line: exit codes, one-line messages, the demo going through prepare, and registration."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core.cli.main import COMMAND_MODULES, common_options, main
from tests.conftest import make_catalog

ROOT = Path(__file__).resolve().parents[1]


def test_demo_then_prepare_through_the_cli(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["demo", "--home", str(home), "--size", "80"]) == 0
    assert "80 products" in capsys.readouterr().out
    assert main(["prepare", "--home", str(home)]) == 0
    out = capsys.readouterr().out
    assert "usable products 80 (0 of them recovered)" in out
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
    result = subprocess.run(
        [sys.executable, "-m", "core", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0
    commands = [c for c in ("demo", "prepare", "train", "evaluate", "index", "search", "backup", "restore") if f"    {c} " in result.stdout]
    assert {"demo", "prepare"} <= set(commands)
    for command in commands:
        sub = subprocess.run([sys.executable, "-m", "core", command, "--help"], cwd=ROOT, capture_output=True, text=True)
        assert sub.returncode == 0 and "--home" in sub.stdout, command


def test_unknown_command_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "core", "dance"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_every_command_module_is_registered():
    """A module in core/cli/ that main does not list (or lists under an old name) fails here, loudly."""
    files = {p.stem for p in (ROOT / "core" / "cli").glob("*.py")} - {"__init__", "main"}
    assert {module.__name__.rsplit(".", 1)[1] for module in COMMAND_MODULES} == files
    seen: dict[str, str] = {}
    for module in COMMAND_MODULES:
        subparsers = argparse.ArgumentParser().add_subparsers()
        module.register(subparsers, common_options())
        assert subparsers.choices, f"{module.__name__} registers no command"
        for command, parser in subparsers.choices.items():
            assert command not in seen, f"{command} registered by {seen.get(command)} and {module.__name__}"
            seen[command] = module.__name__
            assert "--home" in parser.format_help() and "--catalog" in parser.format_help(), command


def test_help_imports_no_heavy_library():
    code = ("import sys; from core.cli.main import build_parser; build_parser().format_help(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'torch', 'chromadb', 'langgraph', "
            "'langchain_core', 'sentence_transformers', 'transformers', 'umap'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_bad_environment_variable_is_a_user_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHROMA_PORT", "eighty")
    monkeypatch.setenv("FASHION_DEBUG", "1")  # a user error stays one line, traceback or not
    assert main(["prepare", "--home", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: CHROMA_PORT must be a port number") and err.count("\n") == 1


def _boom(*args, **kwargs):
    raise RuntimeError("boom")


@pytest.mark.parametrize("debug", ["", "0", "1"])
def test_a_bug_is_one_line_unless_debugging(tmp_path, capsys, monkeypatch, debug):
    monkeypatch.setattr("core.data.prepare.prepare", _boom)
    monkeypatch.setenv("FASHION_DEBUG", debug)
    if debug == "1":
        with pytest.raises(RuntimeError, match="boom"):
            main(["prepare", "--home", str(tmp_path)])
        return
    assert main(["prepare", "--home", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == "error: unexpected RuntimeError: boom (FASHION_DEBUG=1 shows the traceback)\n"


@pytest.mark.parametrize("debug", ["", "1"])
def test_debug_works_when_the_settings_fail_to_build(capsys, monkeypatch, debug):
    """An unknown ~user in FASHION_HOME fails while resolving paths, before any command runs."""
    monkeypatch.setenv("FASHION_HOME", "~no-such-user-of-this-machine/data")
    monkeypatch.setenv("FASHION_DEBUG", debug)
    if debug:
        with pytest.raises(RuntimeError):
            main(["prepare"])
        return
    assert main(["prepare"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected RuntimeError") and err.count("\n") == 1
