"""The screens, grouped by who uses them: the one list Home.py routes with ``st.navigation``."""

from __future__ import annotations

import streamlit as st


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
