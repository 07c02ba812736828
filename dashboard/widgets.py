"""Small reusable widgets: metric tiles and a distribution bar chart."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.express as px
import streamlit as st


def metric_tiles(values: Mapping[str, object]) -> None:
    """One ``st.metric`` per entry, side by side."""
    for column, (label, value) in zip(st.columns(len(values)), values.items()):
        column.metric(label, value)


def distribution_chart(counts: Mapping[str, int], *, title: str, label: str) -> None:
    frame = pd.DataFrame({label: list(counts), "products": list(counts.values())})
    figure = px.bar(frame, x=label, y="products", title=title)
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
    st.plotly_chart(figure, width="stretch")
