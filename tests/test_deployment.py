"""The shipped Streamlit configuration is a safe default (.streamlit/config.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from core.index.query import MAX_QUERY_BYTES

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_the_dashboard_listens_on_loopback_only_and_reports_nothing_home():
    config = tomllib.loads(CONFIG.read_text())
    assert config["server"]["address"] in ("127.0.0.1", "localhost")
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["fileWatcherType"] == "none"


def test_the_upload_limit_is_the_codes_limit():
    config = tomllib.loads(CONFIG.read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_QUERY_BYTES


def test_no_secrets_are_shipped_beside_the_config():
    assert not (CONFIG.parent / "secrets.toml").exists() or ".streamlit/secrets.toml" in (CONFIG.parents[1] / ".gitignore").read_text()
