"""The screens, grouped by who uses them: the one list Home.py routes with ``st.navigation``.

Every file in ``pages/`` ends with ``show(render)``. The screens folder keeps its published name
``pages/``, and Streamlit (1.67) has no supported way to combine ``st.navigation`` with a folder of
that name: a fresh server answers a deep link (``/search`` as its very first request) in its
legacy multipage mode, running the page file directly and listing raw file names in the sidebar
(streamlit/streamlit#10276 describes the same mix-up). :func:`show` leaves that mode, and it is the
only code in the project that touches Streamlit's private ``PagesManager``;
``tests/test_router.py`` fails loudly when Streamlit changes what it relies on.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

SEEN_KEY = "_router_seen"


def navigation():
    """Register every screen with ``st.navigation`` and return the page the user asked for."""
    return st.navigation({
        "Overview": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
        "Explore": [
            st.Page("pages/dataset.py", title="Dataset", icon=":material/bar_chart:"),
            st.Page("pages/search.py", title="Search", icon=":material/search:"),
            st.Page("pages/embedding_map.py", title="Embedding map", icon=":material/scatter_plot:"),
            st.Page("pages/curation.py", title="Curation", icon=":material/fact_check:"),
        ],
        "Model": [
            st.Page("pages/training.py", title="Training", icon=":material/model_training:"),
            st.Page("pages/retrieval_quality.py", title="Retrieval quality", icon=":material/leaderboard:"),
        ],
        "Stylist": [st.Page("pages/stylist.py", title="Stylist chat", icon=":material/chat:")],
    })


def leave_legacy_mode() -> None:
    """On a session's first run, leave Streamlit's legacy ``pages/`` mode for the process (one rerun).

    Only on the first run, before the user has touched any widget: under AppTest every later run
    is in the legacy mode again, and a rerun there would swallow a button click. (The browser test
    deep-links into a fresh server.)
    """
    from streamlit.runtime.pages_manager import PagesManager

    first_run = not st.session_state.get(SEEN_KEY, False)
    st.session_state[SEEN_KEY] = True
    if first_run and PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def show(render: Callable[[], None]) -> None:
    """Draw one screen: what every file in ``pages/`` ends with."""
    leave_legacy_mode()
    render()
