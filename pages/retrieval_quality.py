"""Retrieval quality: the evaluation run query by query, worst queries, base vs fine-tuned, the analyst's query."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.errors import FashionError
from core.model.registry import latest_model, versions
from core.reports.quality import GALLERIES, SPLITS, gallery_size
from dashboard import quality, router, state


def render() -> None:
    st.title("Retrieval quality")
    state.require_prepared()
    models = list(reversed(versions(Path(state.settings().models_dir))))  # newest first
    latest = latest_model(state.settings())
    if not models or latest is None:
        st.info("No model trained yet: run the first-time set-up on Home, or `python -m core train`.")
        return
    names = [m.name for m in models]
    left, middle, right = st.columns(3)
    model_dir = models[names.index(left.selectbox("Model", names, index=names.index(latest.name), key="quality-model"))]
    split = middle.selectbox("Queries from split", SPLITS, key="quality-split")
    gallery = right.radio("Gallery", GALLERIES, horizontal=True, key="quality-gallery",
                          format_func=lambda g: f"the {split} split (protocol)" if g == "split" else "whole catalogue")
    catalog = state.catalog()
    try:
        table = quality.load_table(model_dir, split, gallery)
    except FashionError as error:  # e.g. a split with no products
        st.warning(str(error))
        return
    size = gallery_size(catalog, split, gallery)
    st.caption(f"Text → image: each unique {split}-split product name is a query; relevant = every gallery product "
               f"with exactly that name; ranks are over the whole gallery of {size:,} images.")
    quality.headline(table, size, split, model_dir)
    # Only the open tab runs: the worst queries load images, the comparison may rank a second model.
    sections = {"Overview": lambda: quality.overview(table, size),
                "Worst queries": lambda: quality.worst(table, catalog),
                "Compare models": lambda: quality.comparison(models, latest, split, gallery, size),
                "Ask a query": lambda: quality.analyst(model_dir, catalog, split)}
    for tab, section in zip(st.tabs(list(sections), on_change="rerun", key="quality-tab"), sections.values()):
        if tab.open:
            with tab:
                section()


router.show(render)
