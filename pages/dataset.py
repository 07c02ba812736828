"""Dataset: distributions, missing values, the loading report, and a gallery per article type."""

from __future__ import annotations

import plotly.express as px
import streamlit as st

from core.reports.dataset import (
    loading_issues,
    missing_values,
    pairs_sample,
    pairs_summary,
    price_band_counts,
    select_products,
)
from core.data.groups import GROUP_LABELS
from core.data.product import Product
from dashboard import router, state
from dashboard.products import product_grid
from dashboard.widgets import badges, distribution_chart, metric_tiles

DISTRIBUTIONS = {"group": "Group", "gender": "Gender", "baseColour": "Colour", "season": "Season", "usage": "Usage", "year": "Year"}


def distributions(report: dict) -> None:
    dist = report["distributions"]
    left, right = st.columns(2)
    for i, (column, label) in enumerate(DISTRIBUTIONS.items()):
        counts = dist[column]
        if column == "group":
            counts = {GROUP_LABELS.get(k, k): v for k, v in counts.items()}
        if column == "year":
            counts = dict(sorted(counts.items()))
        with (left if i % 2 == 0 else right):
            distribution_chart(counts, title=f"Products by {label.lower()}", label=label)


def prices(catalog) -> None:
    frame = catalog.assign(group=catalog["group"].map(GROUP_LABELS))
    st.caption("Prices are simulated: the source catalogue has none, so each product gets a made-up price "
               "within a range for its article type. Every product card and export says so too.")
    figure = px.histogram(frame, x="price", color="group", nbins=60, title="Simulated prices (INR)")
    figure.update_layout(height=360, margin=dict(l=10, r=10, t=40, b=10))
    st.plotly_chart(figure, width="stretch")
    st.dataframe(price_band_counts(catalog["price"]), width="content")


def gallery(catalog) -> None:
    types = catalog["articleType"].value_counts()
    article = st.selectbox("Article type", list(types.index), format_func=lambda t: f"{t} ({types[t]})")
    subset = catalog[catalog["articleType"] == article]
    cols = st.columns(3)
    genders = cols[0].multiselect("Gender", sorted(subset["gender"].unique()))
    colours = cols[1].multiselect("Colour", sorted(subset["baseColour"].unique()))
    usages = cols[2].multiselect("Usage", sorted(subset["usage"].unique()))
    chosen = select_products(catalog, article_type=article, genders=genders, colours=colours, usages=usages)
    st.caption(f"{len(chosen):,} products; showing the first {min(len(chosen), 36)}")
    product_grid([Product.from_row(r) for r in chosen.head(36).to_dict("records")], key="gallery")


def data_quality(report: dict) -> None:
    st.subheader("Loading report")
    issues = loading_issues(report)
    if issues.empty:
        st.success("Every line was read and every image decoded.")
    else:
        st.dataframe(issues, hide_index=True)
    st.subheader("Missing values (before being set to “Unknown”)")
    st.dataframe(missing_values(report), hide_index=True, column_config={"share": st.column_config.NumberColumn(format="percent")})
    st.subheader("Images")
    images = report["images"]
    badges([f"{size.replace('x', '×')} px: {n:,}" for size, n in images["sizes"].items()], empty="no image read")
    badges([f"{mode}: {n:,}" for mode, n in images["modes"].items()], empty="no image read")


def pairs(report: dict) -> None:
    st.caption("For each product and attribute (colour, gender, usage), a hard negative: a real product of the "
               "same type that differs in that one attribute, or, when none exists, a synthesised description.")
    st.dataframe(pairs_summary(report), hide_index=True)
    kind = st.segmented_control("Kind", sorted(report["pairs"]["by_kind"]), key="pairs-kind")
    st.dataframe(pairs_sample(state.settings(), kind=kind), hide_index=True, width="stretch")


def render() -> None:
    st.title("Dataset")
    state.require_prepared()
    report, catalog = state.report(), state.catalog()
    metric_tiles({
        "Rows read": f"{report['rows_read']:,}",
        "Usable products": f"{report['products']:,}",
        "Recovered lines": len(report["recovered_lines"]),
        "Skipped": sum(report["skipped"].values()),
        "Article types": len(report["distributions"]["articleType"]),
    })
    # Only the open tab runs (on_change="rerun"): seven charts and a gallery at once cost seconds.
    sections = {"Distributions": lambda: distributions(report), "Prices": lambda: prices(catalog),
                "Data quality": lambda: data_quality(report), "Gallery": lambda: gallery(catalog),
                "Contrastive pairs": lambda: pairs(report)}
    for tab, section in zip(st.tabs(list(sections), on_change="rerun", key="dataset-tab"), sections.values()):
        if tab.open:
            with tab:
                section()

router.show(render)
