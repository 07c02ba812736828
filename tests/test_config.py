"""``Settings``: every variable the project reads, parsed in one place, documented everywhere it is listed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Settings
from core.errors import FashionError

ROOT = Path(__file__).resolve().parents[1]
VARIABLES = [name for name, _, _ in Settings.describe()]


def test_every_variable_is_parsed_into_its_field(tmp_path):
    env = {"FASHION_HOME": str(tmp_path / "h"), "FASHION_CATALOG": str(tmp_path / "c"), "FASHION_DEBUG": "1",
           "FASHION_FEATURE_CACHE": str(tmp_path / "f"), "CHROMA_HOST": "db.local", "CHROMA_PORT": "9001",
           "STYLIST_PROVIDER": "OpenAI", "STYLIST_MODEL": "m", "STYLIST_TIMEOUT": "2.5",
           "OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "OPENAI_API_KEY": "sk-secret", "HF_TOKEN": "hf-secret"}
    assert sorted(env) == sorted(VARIABLES)
    settings = Settings.from_env(env=env)
    assert settings.home == tmp_path / "h" and settings.catalog == tmp_path / "c"
    assert settings.feature_cache == tmp_path / "f" and settings.debug is True
    assert (settings.chroma_host, settings.chroma_port) == ("db.local", 9001)
    assert (settings.stylist_provider, settings.stylist_model, settings.stylist_timeout) == ("openai", "m", 2.5)
    assert settings.openai_api_key == "sk-secret" and settings.hf_token == "hf-secret"
    assert "secret" not in repr(settings)  # secrets never show in logs or tracebacks


def test_defaults_and_overrides(tmp_path):
    settings = Settings.from_env(env={}, home=tmp_path)
    assert settings.home == tmp_path and settings.uses_demo and settings.chroma_host is None
    assert (settings.chroma_port, settings.stylist_provider, settings.debug) == (8000, "offline", False)
    assert Settings.from_env(env={"FASHION_DEBUG": "0"}).debug is False


@pytest.mark.parametrize("variable, value, message", [
    ("CHROMA_PORT", "eighty", "CHROMA_PORT must be a port number, got 'eighty'"),
    ("CHROMA_PORT", "70000", "CHROMA_PORT must be between 1 and 65535"),
    ("STYLIST_TIMEOUT", "soon", "STYLIST_TIMEOUT must be a number of seconds"),
    ("STYLIST_TIMEOUT", "-1", "STYLIST_TIMEOUT must be a positive number of seconds"),
])
def test_a_value_that_does_not_parse_names_its_variable(variable, value, message):
    with pytest.raises(FashionError, match=message):
        Settings.from_env(env={variable: value})


@pytest.mark.parametrize("document", [".env.example", "README.md"])
def test_every_variable_is_documented(document):
    text = (ROOT / document).read_text(encoding="utf-8")
    assert [v for v in VARIABLES if v not in text] == []


def test_the_command_line_help_lists_every_variable():
    result = subprocess.run([sys.executable, "-m", "core", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0
    assert [v for v in VARIABLES if v not in result.stdout] == []
