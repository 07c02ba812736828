"""The filter sidebar: one widget per search filter, fed by the index's vocabulary.

Values show as people read them: groups by their label ("Bags & wallets"), the price range in
rupees with thousands separators ("₹209 – ₹13,509"), marked as simulated.

Curation tags come from the curation store, read at each run (a cheap SQLite query), so a tag
added on the Curation screen shows up here at once; the widget appears only when tags exist.
"""

from __future__ import annotations

import streamlit as st

from core.curation.store import CurationStore
from core.data.groups import GROUP_LABELS
from core.index.filters import Filters, Vocabulary
from dashboard import state


PRICE_HELP = "Prices are simulated: the source catalogue has none."


def _tag_names() -> list[str]:
    path = state.settings().curation_db
    return CurationStore(path).tag_names() if path.exists() else []


def filter_sidebar(vocabulary: Vocabulary, *, key: str = "filters") -> Filters:
    """Render the filters in the sidebar and return what the user chose."""
    values = vocabulary.values
    tag_names = _tag_names()
    tag_key = f"{key}-tags"
    if st.session_state.get(tag_key):  # a tag removed meanwhile must not break the widget
        st.session_state[tag_key] = [t for t in st.session_state[tag_key] if t in tag_names]
    with st.sidebar:
        st.header("Filters")
        gender = st.multiselect("Gender", values.get("gender", ()), key=f"{key}-gender")
        group = st.multiselect("Group", values.get("group", ()), format_func=lambda g: GROUP_LABELS.get(g, g), key=f"{key}-group")
        article = st.multiselect("Article type", values.get("articleType", ()), key=f"{key}-article")
        colours = st.multiselect("Colours", values.get("baseColour", ()), key=f"{key}-colours")
        season = st.multiselect("Season", values.get("season", ()), key=f"{key}-season")
        usage = st.multiselect("Usage", values.get("usage", ()), key=f"{key}-usage")
        low, high = vocabulary.min_price or 0, vocabulary.max_price or 0
        price = (low, high)
        if high > low:
            price = st.slider("Price (simulated)", min_value=low, max_value=high, value=(low, high), step=10,
                              format="₹%,d", key=f"{key}-price", help=PRICE_HELP)
        tags = st.multiselect("Curation tags", tag_names, key=tag_key,
                              help="Products carrying any of these tags") if tag_names else []
    return Filters(
        gender=tuple(gender), group=tuple(group), article_type=tuple(article), colours=tuple(colours),
        season=tuple(season), usage=tuple(usage),
        min_price=price[0] if price[0] > low else None, max_price=price[1] if price[1] < high else None,
        tags=tuple(tags),
    )
