"""Search: text, image upload and "more like this", with filters; results as a product grid."""

from __future__ import annotations

import streamlit as st

from core.errors import FashionError, ServerUnavailableError
from core.index.relax import search_understood
from core.index.search import SearchQuery
from core.index.understand import Interpretation, interpret
from dashboard import router, state
from dashboard.filters import filter_sidebar
from dashboard.products import product_card, product_grid
from dashboard.understood import understood_chips, understood_notes

LIKE_KEY = "search-like-id"


def more_like(product_id: int) -> None:
    st.session_state[LIKE_KEY] = product_id


def render() -> None:
    st.title("Search")
    state.require_prepared()
    try:
        searcher = state.searcher()
    except ServerUnavailableError as error:
        state.store_lost(error)
        return
    except FashionError as error:
        st.warning(str(error))
        st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
        return
    filters = filter_sidebar(searcher.vocabulary, key="search")
    text = st.text_input("Describe what you are looking for", placeholder="red t-shirt for men", key="search-text")
    left, right = st.columns([3, 1])
    upload = left.file_uploader("…or search by picture", type=["jpg", "jpeg", "png", "webp"], key="search-upload")
    weight = right.slider("Picture weight", 0.0, 1.0, 0.5, 0.05, help="With both text and picture: how much the picture counts")
    k = right.number_input("Results", 6, 96, 24, step=6)

    like_id = st.session_state.get(LIKE_KEY)
    try:
        anchor = None if like_id is None else searcher.get_product(like_id)
    except ServerUnavailableError as error:
        state.store_lost(error)
        return
    if like_id is not None:
        with st.container(border=True):
            st.caption("More like this product")
            if anchor:
                product_card(anchor)
            st.button("Clear", on_click=st.session_state.pop, args=(LIKE_KEY, None))

    if not (text.strip() or upload or like_id is not None):
        st.info("Type a query, upload a picture, or pick “More like this” on a result.")
        return
    understood = Interpretation.literal(text.strip(), filters)
    if text.strip():
        understood = understood_chips(interpret(text, state.understanding_vocabulary(), filters,
                                                known=searcher.vocabulary), key="search-chips")
    query = SearchQuery(
        text=text.strip() or None,
        image=upload.getvalue() if upload else None,
        like_id=None if upload else like_id,
        image_weight=weight, filters=filters, k=int(k),
    )
    try:
        found = search_understood(searcher, understood, query)
    except ServerUnavailableError as error:
        state.store_lost(error)
        return
    except FashionError as error:
        st.error(str(error))
        return
    result = found.result
    understood_notes(found)
    if not result.hits:
        st.warning(f"No results: {result.reason}.")
        return
    st.caption(f"{len(result.hits)} results · filters: {result.filters.describe()}")
    product_grid(result.hits, scores=[h.score for h in result.hits],
                 action=("More like this", more_like), key="results")


router.show(render)
