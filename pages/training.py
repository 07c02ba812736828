"""Training: model versions, loss and validation curves, base vs fine-tuned on the test split, the card."""

from __future__ import annotations

from pathlib import Path

import plotly.express as px
import streamlit as st

from core.model.registry import read_card
from core.reports.training import (before_after, curves_of, epoch_curves, headline_tiles, model_versions, per_group,
                                   rescoring, test_caption, valid_caption)
from dashboard import router, state
from dashboard.widgets import metric_tiles, score_columns


def curves(model_dir: Path, card: dict) -> None:
    steps, epochs, note = curves_of(model_dir, card)
    if note:
        st.info(note)
    left, right = st.columns(2)
    if not steps.empty:
        figure = px.line(steps, x="step", y="loss", title="Training loss per step", labels={"step": "Step", "loss": "Loss"})
        figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
        left.plotly_chart(figure, width="stretch")
    long = epoch_curves(epochs)
    if not long.empty:
        figure = px.line(long, x="Epoch", y="Value", color="Metric", markers=True, title="Validation metrics per epoch")
        figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
        right.plotly_chart(figure, width="stretch")
        right.caption(valid_caption(card))


def render() -> None:
    st.title("Training")
    table = model_versions(state.settings().models_dir)
    if table.empty:
        st.info("No model trained yet: run the first-time set-up on Home, or `python -m core train`.")
        return
    version = st.selectbox("Model version", list(table["Version"]))
    row = table[table["Version"] == version].iloc[0]
    card = read_card(Path(row["path"]))
    metric_tiles(headline_tiles(card))
    if caption := test_caption(card):
        st.caption(caption)
    curves(Path(row["path"]), card)
    st.subheader("Base (untrained heads) vs fine-tuned, test split")
    st.dataframe(before_after(card), hide_index=True, column_config=score_columns("Before", "After", "Gain"))
    weights, summary = rescoring(card)
    if summary:
        st.subheader("Attribute re-scoring (brand, colour, type, gender)")
        st.caption(summary)
        st.dataframe(weights, hide_index=True, column_config=score_columns("R@1", "R@10", "MRR@10"))
    groups = per_group(card)
    if not groups.empty:
        st.subheader("Per group (text → image, test split, after training)")
        st.dataframe(groups, hide_index=True, column_config=score_columns("R@1", "R@10", "MRR@10"))
    with st.expander("All versions"):
        st.dataframe(table.drop(columns=["path"]), hide_index=True,
                     column_config=score_columns("R@1 before", "R@1 after", "R@10 after", "MRR@10 after"))
    with st.expander("Model card"):
        card_md = Path(row["path"]) / "MODEL_CARD.md"
        st.markdown(card_md.read_text() if card_md.is_file() else "(no card)")


router.show(render)
