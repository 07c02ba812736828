"""Training: model versions, loss and validation curves, base vs fine-tuned on the test split, the card."""

from __future__ import annotations

from pathlib import Path

import plotly.express as px
import streamlit as st

from core.model.registry import read_card
from core.reports.training import before_after, model_versions, per_group, read_log, rescoring
from dashboard import router, state
from dashboard.widgets import metric_tiles


def curves(model_dir: Path) -> None:
    steps, epochs = read_log(model_dir)
    left, right = st.columns(2)
    if not steps.empty:
        figure = px.line(steps, x="step", y="loss", title="Training loss per step")
        figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
        left.plotly_chart(figure, width="stretch")
    if not epochs.empty:
        long = epochs.melt(id_vars="epoch", var_name="metric", value_name="value")
        long["metric"] = long["metric"].str.removeprefix("valid_")
        figure = px.line(long, x="epoch", y="value", color="metric", markers=True, title="Validation metrics per epoch")
        figure.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
        right.plotly_chart(figure, width="stretch")


def render() -> None:
    st.title("Training")
    table = model_versions(state.settings().models_dir)
    if table.empty:
        st.info("No model trained yet: run the first-time set-up on Home, or `python -m core train`.")
        return
    version = st.selectbox("Model version", list(table["version"]))
    row = table[table["version"] == version].iloc[0]
    card = read_card(Path(row["path"]))
    after = card.get("metrics_after") or {}
    metric_tiles({
        "Test R@1": f"{after.get('t2i_r1', 0):.3f}",
        "Test R@10": f"{after.get('t2i_r10', 0):.3f}",
        "Test MRR@10": f"{after.get('t2i_mrr10', 0):.3f}",
        "Best epoch": row["best epoch"],
        "Wall time": f"{row['wall time (s)']:.0f} s",
    })
    curves(Path(row["path"]))
    st.subheader("Base (untrained heads) vs fine-tuned, test split")
    st.dataframe(
        before_after(card),
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="%.3f") for c in ("before", "after", "gain")},
    )
    weights, summary = rescoring(card)
    if summary:
        st.subheader("Attribute re-scoring (brand, colour, type, gender)")
        st.caption(summary)
        st.dataframe(weights, hide_index=True, column_config={c: st.column_config.NumberColumn(format="%.3f")
                                                              for c in ("R@1", "R@10", "MRR@10")})
    groups = per_group(card)
    if not groups.empty:
        st.subheader("Per group (text → image, after training)")
        st.dataframe(groups, hide_index=True)
    with st.expander("All versions"):
        st.dataframe(table.drop(columns=["path"]), hide_index=True)
    with st.expander("Model card"):
        card_md = Path(row["path"]) / "MODEL_CARD.md"
        st.markdown(card_md.read_text() if card_md.is_file() else "(no card)")


router.show(render)
