"""UI-boundary caching: the only place where core results meet Streamlit's caches.

Nothing that failed is cached (Streamlit keeps only returned values), and a Chroma server lost
while in use drops the cached client and what was opened through it (:func:`store_lost`), so the
next run reconnects from scratch once the server is back, even if it came back with other data.
"""

from __future__ import annotations

import logging
import threading

import streamlit as st

import pandas as pd

from core.data.catalog import load_catalog
from core.config import Settings
from core.errors import FashionError, ServerUnavailableError
from core.reports.dataset import load_report
from core.reports.status import CatalogSummary, catalog_summary


@st.cache_resource
def _settings() -> Settings:
    return Settings.from_env()


def settings() -> Settings:
    """The settings from the environment; a variable that does not parse stops the screen with its message."""
    try:
        return _settings()
    except FashionError as error:
        st.error(f"Configuration error: {error}")
        st.stop()


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


@st.cache_resource(show_spinner=False, max_entries=2)
def _understanding_vocabulary(path: str, mtime: float):
    from core.understanding import Vocabulary

    return Vocabulary.from_catalog(catalog())


def understanding_vocabulary():
    """What the catalogue holds, for reading search requests; built once per ``prepare`` run and
    shared read-only (its phrase table is cached on the instance)."""
    return _understanding_vocabulary(str(settings().catalog_parquet), _mtime(settings().catalog_parquet))


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


@st.cache_resource(show_spinner="Loading the encoder…")
def _embedder(model_dir: str):
    from core.model.load import load_embedder

    embedder = load_embedder(model_dir, cache_dir=settings().cache_dir)
    embedder.start_query_runtime()  # a long-lived process: text queries move to ONNX Runtime
    return embedder


def model_dir():
    """The newest trained model folder, or None."""
    from core.model.registry import latest_model

    return latest_model(settings())


def require_model_dir():
    """The newest trained model folder; FashionError pointing at the set-up when there is none."""
    folder = model_dir()
    if folder is None:
        raise FashionError("no trained model yet: open Home and run the first-time set-up, or `python -m core build`")
    return folder


def model_version(folder) -> str:
    """``lit-v2`` for a model folder, read from its card (no torch import)."""
    from core.model.registry import version_of

    return version_of(folder)


def embedder():
    """The latest model as an :class:`~core.model.embedder.Embedder`, loaded once per process; or None."""
    folder = model_dir()
    return None if folder is None else _embedder(str(folder))


@st.cache_resource(show_spinner="Opening the index…")
def _searcher(model_dir: str, index_state: str):
    from functools import partial

    from core.curation.store import CurationStore
    from core.index.search import Searcher

    tags = partial(CurationStore, settings().curation_db)  # opened only by a query with a tag filter
    opened = Searcher(settings(), _embedder(model_dir), client=client(), tag_source=tags)
    # every product's metadata (filters, stored attribute blocks) is read while the person types, so
    # the first queries do not wait on the store; a failure here only leaves it to the first query
    threading.Thread(target=_quietly, args=(opened.preload,), name="searcher-preload", daemon=True).start()
    return opened


def _quietly(work) -> None:
    try:
        work()
    except Exception as error:  # noqa: BLE001 - the query that needs it reads it again and reports the failure
        logging.getLogger(__name__).info("reading ahead for searches failed: %s", error)


def _index_state() -> str:
    """Changes whenever the embedded store is written, so a re-index opens a fresh searcher."""
    sqlite = settings().chroma_dir / "chroma.sqlite3"
    return f"{_mtime(sqlite)}"


def searcher():
    """A :class:`~core.index.search.Searcher` over the latest model's index. Raises FashionError when missing."""
    return _searcher(str(require_model_dir()), _index_state())


@st.cache_data(show_spinner=False)
def _model_summary(model_dir: str, catalog_mtime: float):
    from core.reports.status import model_summary as summarise

    return summarise(settings())


def model_summary():
    """The latest model's card figures; recomputed only when the model or the catalogue changes."""
    return _model_summary(str(model_dir()), _mtime(settings().catalog_parquet))


@st.cache_resource(show_spinner=False)
def client():
    """The Chroma client (embedded or server), one per process."""
    from core.index.store import open_client

    return open_client(settings())


def forget_store() -> None:
    """Drop the cached Chroma client and the searcher and stylist opened through it."""
    client.clear()
    _searcher.clear()
    _stylist.clear()


def store_lost(error: ServerUnavailableError) -> None:
    """The error box for a Chroma server that does not answer (its address and what to do), with a
    button to try again; the cached connection is forgotten, so trying again reconnects."""
    forget_store()
    st.error(str(error), icon=":material/cloud_off:")
    st.button("Try again", icon=":material/refresh:", key="store-lost-retry")


def index_summary(model_version: str):
    """The index's figures for Home; ``False``, after an error box, when its server does not answer
    (so Home does not also offer to rebuild an index that is only out of reach)."""
    from core.reports.status import index_summary as summarise

    try:
        return summarise(settings(), model_version, client=client())
    except ServerUnavailableError as error:
        store_lost(error)
        return False


@st.cache_resource(show_spinner="Starting the stylist…")
def _stylist(model_dir: str, index_state: str):
    from core.stylist.service import Stylist

    return Stylist.open(settings(), embedder=_embedder(model_dir))


def stylist():
    """The compiled stylist graph over the latest model's index (shared by every session)."""
    return _stylist(str(require_model_dir()), _index_state())


# -- Embedding map ---------------------------------------------------------------------------
@st.cache_resource(show_spinner="Reading the index vectors…", max_entries=6)
def _map_vectors(model_version: str, kind: str, index_state: str, catalog_mtime: float):
    from core.explore.vectors import load_vectors

    known = catalog()["id"].to_numpy() if catalog_mtime else None  # their attributes come from the catalogue
    return load_vectors(settings(), model_version, kind, client=client(), known_ids=known)


def map_vectors(kind: str):
    """The latest model's indexed ``kind`` vectors (image/text/fused), read once per index and
    catalogue state and shared read-only by every session (index metadata only for products the
    prepared catalogue lacks). Raises FashionError when there is no model or index."""
    return _map_vectors(model_version(require_model_dir()), kind, _index_state(), _mtime(settings().catalog_parquet))


@st.cache_data(show_spinner=False, max_entries=16)
def map_thumbnails(paths: tuple[str, ...]) -> list[str]:
    """Thumbnail data URIs of ``paths`` (the map's close-up of a selection)."""
    from core.explore.thumbnails import thumbnail_data_uris

    return thumbnail_data_uris(paths)


# -- retrieval quality (core.reports.quality) -------------------------------------------------------------
@st.cache_data(show_spinner=False)
def _catalog_fingerprint(path: str, mtime: float) -> str:
    from core.reports.quality import catalogue_fingerprint

    return catalogue_fingerprint(catalog())


def catalog_fingerprint() -> str:
    """Hash of the catalogue columns the per-query tables depend on, computed once per ``prepare``."""
    return _catalog_fingerprint(str(settings().catalog_parquet), _mtime(settings().catalog_parquet))


@st.cache_data(show_spinner=False, max_entries=16)
def quality_table(path: str, mtime: float) -> pd.DataFrame | None:
    """A per-query table read from its disk cache file (``core.reports.quality.cache_path``)."""
    from pathlib import Path

    from core.reports.quality import read_table

    return read_table(Path(path))


def model_embedder(model_dir):
    """Any model version as an Embedder, loaded once per process."""
    return _embedder(str(model_dir))


@st.cache_resource(show_spinner="Embedding the gallery's images…", max_entries=4)
def _quality_gallery(model_dir: str, scope: str, split: str, catalog_key: str):
    from core.reports.analyst import build_gallery

    return build_gallery(_embedder(model_dir), catalog(), scope, split)


def quality_gallery(model_dir, scope: str, split: str):
    """A :class:`core.reports.analyst.Gallery` (image vectors) for analyst queries; shared, read-only."""
    return _quality_gallery(str(model_dir), scope, split, catalog_fingerprint())
