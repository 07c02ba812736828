"""Home: the state of the system at a glance, and the first-run action."""

from __future__ import annotations

import streamlit as st

from core.errors import FashionError
from core.groups import GROUP_LABELS
from dashboard import state
from dashboard.widgets import distribution_chart, metric_tiles


def prepare_now() -> None:
    from core.prepare import prepare

    settings = state.settings()
    with st.status("Preparing the catalogue…", expanded=True) as status:
        bar = st.progress(0.0, text="reading styles.csv")
        try:
            result = prepare(settings, progress=lambda done, total, stage: bar.progress(done / total, text=f"{stage}: {done}/{total}"))
        except FashionError as error:
            status.update(label="Preparation failed", state="error")
            st.error(str(error))
            return
        status.update(label=f"Prepared {result.products} products", state="complete")
    st.rerun()


def render() -> None:
    st.title("Fashion retrieval")
    summary = state.summary()
    if summary is None:
        source = "the generated demo catalogue" if state.settings().uses_demo else str(state.settings().catalog_dir)
        st.info(f"Nothing is prepared yet. The configured catalogue is {source}.")
        if st.button("Prepare the catalogue", type="primary"):
            prepare_now()
        return
    st.caption(f"Catalogue: {summary.path} ({summary.source})")
    metric_tiles({
        "Products": f"{summary.products:,}",
        "Groups": len(summary.groups),
        "Recovered lines": summary.recovered,
        "Skipped": sum(summary.skipped.values()),
        "Median price": f"₹{summary.price_median:,}",
    })
    groups = {GROUP_LABELS.get(g, g): n for g, n in summary.groups.items()}
    distribution_chart(groups, title="Products by group", label="group")
    st.write("Splits: " + ", ".join(f"{k} {v:,}" for k, v in summary.splits.items()))


render()
