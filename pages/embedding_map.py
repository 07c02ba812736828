"""Embedding map: the catalogue's embeddings in 2-D, coloured by any field, with clusters and a
box/lasso selection that can be inspected, tagged, flagged, exported or searched from."""

from __future__ import annotations

import streamlit as st

from core.errors import FashionError, ServerUnavailableError
from dashboard import router, state
from dashboard.curation import author_sidebar
from dashboard.embedding_map import (
    GOTO_SEARCH_KEY,
    clear_selection,
    cluster_table,
    load_map,
    map_chart,
    map_options,
    selection_actions,
    selection_summary,
    selection_views,
)


def render() -> None:
    if st.session_state.pop(GOTO_SEARCH_KEY, False):
        st.switch_page("pages/search.py")
    st.title("Embedding map")
    state.require_prepared()
    options = map_options()
    author = author_sidebar()
    try:
        emap = load_map(options)
    except ServerUnavailableError as error:
        state.store_lost(error)
        return
    except FashionError as error:
        st.warning(str(error))
        st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
        return
    projection = emap.projection
    st.caption(
        f"{len(emap.frame):,} products · {options.kind} embeddings of {emap.projection.info.get('version', '')} · "
        f"{projection.params.method.upper()} ({'cached' if projection.cached else 'computed'}, "
        f"{projection.seconds:.1f} s to compute) · drag a box or lasso to select; double-click to zoom out"
    )
    selected = map_chart(emap.frame, options.colour_by, emap.clusters)
    with st.expander(f"{len(emap.clusters)} clusters ({options.clusters.method})", expanded=not selected):
        cluster_table(emap.clusters)
    if not selected:
        st.info("Select products on the map (box or lasso) to see them, tag, flag or export them.")
        return
    selection = emap.selection(selected)
    st.subheader("Selection")
    st.button("Clear selection", on_click=clear_selection, key="map-clear")
    selection_summary(selection, total=len(emap.frame))
    selection_actions(selection, author)
    selection_views(selection, options.colour_by, emap.frame)


router.show(render)
