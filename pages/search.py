"""Search: text, image upload and "more like this", with filters; exact matches, then the closest."""

from __future__ import annotations

import streamlit as st

from core.errors import FashionError, ServerUnavailableError
from core.index.relax import search_understood
from core.index.search import SearchQuery
from core.index.understand import Interpretation, interpret
from dashboard import router, state
from dashboard.filters import filter_sidebar
from dashboard.products import product_card
from dashboard.understood import understood_chips, understood_notes, understood_results

LIKE_KEY, TEXT_KEY = "search-like-id", "search-text"


def more_like(product_id: int) -> None:
    st.session_state[LIKE_KEY] = product_id


def clear_text() -> None:
    st.session_state[TEXT_KEY] = ""


def like_panel(anchor, text: str, uploaded: bool, weight: float) -> None:
    """The "more like this" product, and what it is searched with: alone, with the text, or not at all."""
    with st.container(border=True):
        st.caption("More like this product")
        left, right = st.columns([1, 3])
        with left:
            if anchor:
                product_card(anchor)
        if uploaded:
            right.warning("Your uploaded picture is searched instead of this product: remove the upload to use it.")
        elif text:
            right.info(f"Combined with the text in the box, “{text}” (picture weight {weight:.2f}): "
                       "results look like this product and match the words.")
            right.button("Search by this product only", on_click=clear_text, help="Empties the text box")
        else:
            right.caption("Searched by this product's picture alone.")
        right.button("Clear", on_click=st.session_state.pop, args=(LIKE_KEY, None), help="Forget this product")


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
    text = st.text_input("Describe what you are looking for", placeholder="red t-shirt for men", key=TEXT_KEY)
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
        like_panel(anchor, text.strip(), upload is not None, weight)

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
    understood_notes(found)
    if not found.hits:
        st.warning(f"No results: {found.empty}.")
        if not filters.is_empty:
            st.caption("The filters are in the sidebar: change or remove the one named above.")
        return
    understood_results(found, action=("More like this", more_like), key="results")


router.show(render)
