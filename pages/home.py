"""Home: the state of the system at a glance (catalogue, model, index) and the first-run action."""

from __future__ import annotations

import streamlit as st

from core.errors import FashionError
from core.data.groups import GROUP_LABELS
from core.reports.setup import setup_estimate
from dashboard import router, state
from dashboard.progress import ProgressBox
from dashboard.widgets import distribution_chart, metric_tiles

STAGE_LABELS = {"prepare": "Preparing the catalogue", "train": "Training the encoder", "index": "Indexing",
                "map": "Computing the embedding map"}


def build_now() -> None:
    """prepare -> train -> index -> map with live progress; every stage reuses what is already there."""
    from core.pipeline import build

    box = ProgressBox("Setting up…")
    try:
        report = build(state.settings(), progress=box,
                       on_stage=lambda stage, message: box.stage(STAGE_LABELS[stage] + "…", message))
    except FashionError as error:
        box.finish("Set-up failed", state="error")
        st.error(str(error))
        return
    box.finish(f"Ready: {report.products:,} products, model {report.model_dir.name} ({report.timings()})")
    st.cache_data.clear()
    st.rerun()


def next_step(summary, model, index) -> str | None:
    if summary is None:
        return "Nothing is prepared yet."
    if model is None:
        return "The catalogue is prepared but no encoder is trained yet."
    if not model.trained_on_current_data:
        return f"The catalogue changed since {model.version} was trained."
    if index is False:  # the server is out of reach: its error box says what to do, not "set everything up"
        return None
    if index is None or index.status != "complete":
        return f"The index for {model.version} is missing or unfinished."
    return None


def render() -> None:
    st.title("Fashion retrieval")
    settings = state.settings()
    summary, model = state.summary(), state.model_summary()
    index = state.index_summary(model.version) if model else None

    todo = next_step(summary, model, index)
    if todo:
        source = "the generated demo catalogue" if settings.uses_demo else str(settings.catalog_dir)
        st.info(f"{todo} The configured catalogue is {source}. One click prepares it, trains the encoder "
                "and builds the index (`python -m core build` does the same); on a 2-core machine that takes "
                f"{setup_estimate(settings).text()}.")
        if st.button("Set everything up", type="primary"):
            build_now()
    if summary is None:
        return

    st.subheader("Catalogue")
    st.caption(f"{summary.path} ({summary.source})")
    metric_tiles({
        "Products": f"{summary.products:,}", "Groups": len(summary.groups),
        "Recovered lines": summary.recovered, "Skipped": sum(summary.skipped.values()),
        "Median price": f"₹{summary.price_median:,}",
    })
    st.subheader("Model and index")
    test = model.test if model and model.test_r1 is not None else None
    metric_tiles({
        "Model": model.version if model else "none",
        "Test R@1": test.value("r1") if test else "–",
        "Test R@10": test.value("r10") if test else "–",
        "Indexed products": f"{index.items:,}" if index else "–",
        "Index": index.status if index else "–",
    })
    if test:
        st.caption(test.describe())
        if model.rescoring:
            st.caption(model.rescoring.describe())
    if index:
        st.caption(f"Store: {index.store}")
    groups = {GROUP_LABELS.get(g, g): n for g, n in summary.groups.items()}
    distribution_chart(groups, title="Products by group", label="group")
    if not todo:
        st.success("Everything is ready: explore the Dataset, try Search, or ask the Stylist.")


router.show(render)
