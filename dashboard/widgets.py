"""Small reusable widgets: metric tiles, a distribution bar chart, a row of label badges."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.express as px
import streamlit as st


def metric_tiles(values: Mapping[str, object]) -> None:
    """One ``st.metric`` per entry, side by side."""
    for column, (label, value) in zip(st.columns(len(values)), values.items()):
        column.metric(label, value)


def badges(labels: list[str], *, empty: str = "nothing in particular") -> None:
    """Labels as a row of grey badges; markdown in a label is shown literally, never interpreted."""
    if not labels:
        st.caption(empty)
        return
    st.markdown(" ".join(f":gray-badge[{_literal(label)}]" for label in labels))


def _literal(text: str) -> str:
    """``text`` with markdown's special characters escaped (a badge ends at the first ``]``)."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!|:<>~$" else c for c in text)


def distribution_chart(counts: Mapping[str, int], *, title: str, label: str) -> None:
    frame = pd.DataFrame({label: list(counts), "products": list(counts.values())})
    figure = px.bar(frame, x=label, y="products", title=title)
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
    st.plotly_chart(figure, width="stretch")
