"""Small reusable widgets: metric tiles, score columns, a distribution bar chart, a row of label badges."""

from __future__ import annotations

import re

from collections.abc import Mapping

import pandas as pd
import plotly.express as px
import streamlit as st


def metric_tiles(values: Mapping[str, object]) -> None:
    """One ``st.metric`` per entry, side by side."""
    for column, (label, value) in zip(st.columns(len(values)), values.items()):
        column.metric(label, value)


def score_columns(*columns: str) -> dict[str, object]:
    """``column_config`` showing these columns' figures alike: 3 decimals (0.400, 0.833, 1.000)."""
    return {column: st.column_config.NumberColumn(format="%.3f") for column in columns}


def badges(labels: list[str], *, empty: str = "nothing in particular") -> None:
    """Labels as a row of grey badges; markdown in a label is shown literally, never interpreted."""
    if not labels:
        st.caption(empty)
        return
    st.markdown(" ".join(f":gray-badge[{_literal(label)}]" for label in labels))


LITERAL_SPECIAL = set("\\`*_{}[]()<>#+-.!|:~$&=^\"'")
ADDRESS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.-]+")  # markdown would link these
BULLET = re.compile(r"^\s*[-*+]\s+")


def literal(text: str) -> str:
    """``text`` as written: markdown characters escaped, addresses as code (never a link)."""
    out, start = [], 0
    for m in ADDRESS.finditer(text):
        fence = "`" * (max((len(r) for r in re.findall("`+", m.group(0))), default=0) + 1)
        out += ["".join(f"\\{c}" if c in LITERAL_SPECIAL else c for c in text[start:m.start()]), f"{fence} {m.group(0)} {fence}"]
        start = m.end()
    return "".join(out) + "".join(f"\\{c}" if c in LITERAL_SPECIAL else c for c in text[start:])


def literal_markdown(text: str) -> str:
    """Markdown that shows ``text`` literally except its ``**bold**`` spans and ``- `` bullets."""
    lines = []
    for line in str(text).splitlines():
        bullet = BULLET.match(line)
        parts = line[bullet.end() if bullet else 0:].strip().split("**")
        if len(parts) % 2 == 0:  # an unpaired ** is just text
            parts = ["**".join(parts)]
        spans = [f"**{literal(p)}**" if i % 2 and p.strip() == p != "" else literal(f"**{p}**" if i % 2 else p)
                 for i, p in enumerate(parts)]
        lines.append(("- " if bullet else "") + "".join(spans))
    return "\n".join(lines)


def _literal(text: str) -> str:
    """``text`` with markdown's special characters escaped (a badge ends at the first ``]``)."""
    return "".join(f"\\{c}" if c in "\\`*_{}[]()#+-.!|:<>~$" else c for c in text)


def distribution_chart(counts: Mapping[str, int], *, title: str, label: str) -> None:
    frame = pd.DataFrame({label: list(counts), "products": list(counts.values())})
    figure = px.bar(frame, x=label, y="products", title=title)
    figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
    st.plotly_chart(figure, width="stretch")


def example_ids(ids, n: int = 2) -> str:
    """The first ``n`` of ``ids`` as a placeholder ("10001, 10002"): examples from the catalogue in
    use, never ids of another catalogue."""
    return ", ".join(str(int(i)) for i in list(ids)[:n])
