"""Curation: review the suggestions (near-duplicates, label errors, outliers), tag, flag, export."""

from __future__ import annotations

import streamlit as st

from core.curation.rules import KINDS
from core.curation.suggestions import STATUSES
from core.errors import FashionError, ServerUnavailableError
from dashboard import curation, router, state


def render() -> None:
    st.title("Curation")
    state.require_prepared()
    author = curation.author_sidebar()
    if message := st.session_state.pop("curation-error", None):
        st.error(message)
    review, curated = st.tabs(["Suggestions", "Tagged & flagged"])
    with review:
        try:
            result = curation.suggestions()
        except ServerUnavailableError as error:
            state.store_lost(error)
        except FashionError as error:
            st.warning(str(error))
            st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
        else:
            left, right = st.columns([3, 2])
            counts = result.counts()
            kind = left.radio("Kind", KINDS, horizontal=True, key="curation-kind",
                              format_func=lambda k: f"{curation.KIND_LABELS[k]} ({counts[k]})")
            status = right.radio("Show", (*STATUSES, "all"), horizontal=True, key="curation-status")
            curation.suggestion_list(result, kind, status, author)
    with curated:
        curation.label_editor(author)
        curation.curated_table()


router.show(render)
