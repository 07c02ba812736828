"""UI-boundary caching: the only place where core results meet Streamlit's caches."""

from __future__ import annotations

import streamlit as st

from core.config import Settings
from core.status import CatalogSummary, catalog_summary


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_data(show_spinner=False)
def _summary(report_path: str, mtime: float) -> CatalogSummary | None:
    return catalog_summary(settings())


def summary() -> CatalogSummary | None:
    """Cached by the report's modification time, so a new ``prepare`` shows up at once."""
    path = settings().report_json
    return _summary(str(path), path.stat().st_mtime if path.exists() else 0.0)
