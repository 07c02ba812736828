"""The filter sidebar: one widget per search filter, fed by the index's vocabulary."""

from __future__ import annotations

import streamlit as st

from core.filters import Filters, Vocabulary
from core.groups import GROUP_LABELS


def filter_sidebar(vocabulary: Vocabulary, *, key: str = "filters") -> Filters:
    """Render the filters in the sidebar and return what the user chose."""
    values = vocabulary.values
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
            price = st.slider("Price (₹)", min_value=low, max_value=high, value=(low, high), step=10, key=f"{key}-price")
    return Filters(
        gender=tuple(gender), group=tuple(group), article_type=tuple(article), colours=tuple(colours),
        season=tuple(season), usage=tuple(usage),
        min_price=price[0] if price[0] > low else None, max_price=price[1] if price[1] < high else None,
    )
