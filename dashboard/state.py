"""UI-boundary caching: the only place where core results meet Streamlit's caches."""

from __future__ import annotations

import streamlit as st

import pandas as pd

from core.catalog import load_catalog
from core.config import Settings
from core.explore import load_report
from core.status import CatalogSummary, catalog_summary


@st.cache_resource
def settings() -> Settings:
    return Settings.from_env()


@st.cache_data(show_spinner=False)
def _summary(report_path: str, mtime: float) -> CatalogSummary | None:
    return catalog_summary(settings())


def summary() -> CatalogSummary | None:
    """Cached by the report's modification time, so a new ``prepare`` shows up at once."""
    return _summary(str(settings().report_json), _mtime(settings().report_json))


def _mtime(path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@st.cache_data(show_spinner=False)
def _catalog(path: str, mtime: float) -> pd.DataFrame:
    return load_catalog(settings())


def catalog() -> pd.DataFrame:
    """The prepared catalogue, read once per ``prepare`` run."""
    return _catalog(str(settings().catalog_parquet), _mtime(settings().catalog_parquet))


@st.cache_data(show_spinner=False)
def _report(path: str, mtime: float) -> dict:
    return load_report(settings())


def report() -> dict:
    return _report(str(settings().report_json), _mtime(settings().report_json))


def require_prepared() -> None:
    """Stop the page with a pointer to Home when the catalogue has not been prepared."""
    if summary() is None:
        st.info("The catalogue is not prepared yet: open Home and run the first-time set-up.")
        st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
        st.stop()
