"""Widgets of the Retrieval quality screen: each renders one thing ``core.reports`` returns (the
per-query table of ``quality``, its ``breakdowns``, the ``analyst``'s query).

Trade-off accepted: the per-query table is computed inside the page run the first time a model /
split / gallery is opened (a progress bar shows it: about a second on a warm feature cache, minutes
on a cold one), instead of in a background job; afterwards it is read from disk and st.cache_data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st

from core.data.groups import GROUP_LABELS
from core.data.product import Product
from core.errors import FashionError
from core.model.registry import read_card
from core.reports import breakdowns, quality
from core.reports.analyst import analyst_query, parse_ids, select_expected
from core.reports.figures import gain_text, rescoring_verdict, trained_on_notice
from dashboard import state
from dashboard.products import product_card, product_grid
from dashboard.widgets import metric_tiles, example_ids

BY = {"group": "Group", "articleType": "Article type", "baseColour": "Colour", "gender": "Gender"}
PERCENT = st.column_config.NumberColumn(format="%.3f")


def load_table(model_dir: Path, split: str, gallery: str) -> pd.DataFrame:
    """The per-query table: from the disk cache, or computed now with a progress bar."""
    settings, catalog, fingerprint = state.settings(), state.catalog(), state.catalog_fingerprint()
    path = quality.cache_path(settings, model_dir, catalog, split, gallery, fingerprint=fingerprint)
    table = state.quality_table(str(path), path.stat().st_mtime) if path.is_file() else None
    if table is None:  # missing, or unreadable (then recomputed and replaced)
        with st.status(f"Ranking every {split}-split query with {model_dir.name}…", expanded=True) as status:
            bar = st.progress(0.0)
            quality.per_query_table(settings, model_dir, catalog, split=split, gallery=gallery, fingerprint=fingerprint,
                                    embedder=lambda: state.model_embedder(model_dir),
                                    progress=lambda message, fraction: bar.progress(min(fraction, 1.0), text=message))
            status.update(label=f"{model_dir.name}: {split} queries ranked and cached", state="complete", expanded=False)
        table = state.quality_table(str(path), path.stat().st_mtime)
    return table


def headline(table: pd.DataFrame, gallery_size: int, split: str, model_dir: Path) -> None:
    """Tiles, then what they rest on (queries, gallery, 95% intervals) and the re-scoring verdict."""
    figures = breakdowns.overall(table)
    card = read_card(model_dir)
    notice = trained_on_notice(card)
    if notice:
        st.warning(notice)
    verdict = rescoring_verdict(card)
    scoring = "" if verdict is None else (f"re-scored, weight {verdict.weight:g}" if verdict.on else "cosine alone")
    metric_tiles({"R@1": f"{figures['r1']:.3f}", "R@10": f"{figures['r10']:.3f}", "MRR@10": f"{figures['mrr10']:.3f}",
                  "Queries": f"{figures['queries']:,}", "Median rank": f"{figures['median_rank']:g} of {gallery_size:,}"})
    st.caption(breakdowns.figures(table, split, gallery_size, scoring).describe(("r1", "r10", "mrr10")))
    if verdict is not None:
        st.caption(verdict.describe())


def overview(table: pd.DataFrame, gallery_size: int) -> None:
    """Breakdown table and chart for one attribute, then the rank distribution."""
    by = st.radio("Break down by", list(BY), format_func=BY.get, horizontal=True, key="quality-by")
    frame = breakdowns.breakdown(table, by)
    if by == "group":
        frame[by] = frame[by].map(lambda g: GROUP_LABELS.get(g, g))
    st.caption(f"Each row: its own queries, ranked against the same {gallery_size:,} images; "
               f"rows with fewer than {breakdowns.SMALL} queries are indicative.")
    st.dataframe(frame, hide_index=True, height=300, column_config={
        by: BY[by], "queries": "Queries", "r1": st.column_config.NumberColumn("R@1", format="%.3f"),
        "r1_ci": "R@1 95% CI", "r10": st.column_config.NumberColumn("R@10", format="%.3f"), "r10_ci": "R@10 95% CI",
        "mrr10": st.column_config.NumberColumn("MRR@10", format="%.3f"), "median_rank": "Median rank",
        "indicative": st.column_config.CheckboxColumn(f"Indicative (<{breakdowns.SMALL} queries)")})
    left, right = st.columns(2)
    largest = frame.head(25).melt(id_vars=[by, "queries"], value_vars=["r1", "r10"], var_name="metric", value_name="value")
    figure = px.bar(largest, x=by, y="value", color="metric", barmode="group", title=f"R@1 and R@10 per {BY[by].lower()} (largest 25)")
    figure.update_layout(height=360, margin=dict(l=10, r=10, t=40, b=10), yaxis_range=[0, 1])
    left.plotly_chart(figure, width="stretch")
    dist = breakdowns.rank_distribution(table)
    figure = px.bar(dist, x="bucket", y="queries", text="queries", title="Rank of the first relevant product")
    figure.update_layout(height=360, margin=dict(l=10, r=10, t=40, b=10))
    right.plotly_chart(figure, width="stretch")


def _product(catalog: pd.DataFrame, product_id: int) -> Product:
    found = catalog[catalog["id"] == product_id]
    return Product.from_row(found.iloc[0].to_dict() if len(found) else {"id": product_id, "productDisplayName": f"product {product_id}"})


def worst(table: pd.DataFrame, catalog: pd.DataFrame) -> None:
    """Worst queries side by side: query | the expected product | what came first."""
    n = st.slider("Queries", 5, 50, 10, 5, key="quality-worst-n")
    for row in breakdowns.worst_queries(table, n).itertuples():
        query, expected, first = st.columns([2, 2, 2], border=True)
        query.markdown(f"**{row.query}**")
        query.caption(f"rank {row.rank:,} · {row.n_relevant} relevant product(s)")
        with expected:
            product_card(_product(catalog, row.relevant_id), score=row.relevant_score, caption="expected")
        with first:
            product_card(_product(catalog, row.top_id), score=row.top_score, caption="ranked first")


def comparison(models: list[Path], latest: Path, split: str, gallery: str, gallery_size: int) -> None:
    pair = breakdowns.default_comparison(state.settings().models_dir, latest)
    if pair is None:
        st.info(f"Only one model version ({latest.name}): train another (`python -m core train`) to compare two per query.")
        return
    names = [m.name for m in models]
    left, right = st.columns(2)
    base = left.selectbox("Base (A)", names, index=names.index(pair[0].name), key="quality-compare-a")
    other = right.selectbox("Compared (B)", names, index=names.index(pair[1].name), key="quality-compare-b")
    if base == other:
        st.warning("Pick two different versions.")
        return
    by_name = {m.name: m for m in models}
    table = breakdowns.compare(load_table(by_name[base], split, gallery), load_table(by_name[other], split, gallery))
    summary = breakdowns.comparison_summary(table)
    metric_tiles({"Better in B": summary["better"], "Worse in B": summary["worse"], "Same": summary["same"]})
    for column, key, label in zip(st.columns(2), ("r1", "mrr10"), ("R@1", "MRR@10")):
        column.metric(f"{label} of B (A: {summary[key + '_a']:.3f})", f"{summary[key + '_b']:.3f}",
                      delta=f"{summary[key + '_b'] - summary[key + '_a']:+.3f}")
    st.caption(f"B vs A on the same {summary['queries']:,} {split}-split queries against {gallery_size:,} images "
               f"(paired bootstrap): {gain_text(summary['r1_gain'])}; {gain_text(summary['mrr10_gain'])}.")
    wins, losses = breakdowns.biggest_changes(table, 15)
    config = {"query": st.column_config.TextColumn(width="medium"), "rank_a": "rank in A", "rank_b": "rank in B"}
    left, right = st.columns(2)
    left.markdown("**Biggest wins of B**")
    left.dataframe(wins[["query", "rank_a", "rank_b", "gain"]], hide_index=True, column_config=config)
    right.markdown("**Biggest losses of B**")
    right.dataframe(losses[["query", "rank_a", "rank_b", "gain"]], hide_index=True, column_config=config)


def analyst(model_dir: Path, catalog: pd.DataFrame, split: str) -> None:
    """Type a query, name the products you expect, see where they rank and what comes first."""
    text = st.text_input("Query", placeholder="navy blue running shoes for men", key="quality-query")
    scope = st.radio("Rank against", quality.GALLERIES, horizontal=True, key="quality-scope",
                     format_func=lambda s: f"the {split} split" if s == "split" else "the whole catalogue")
    ids_col, name_col, type_col, colour_col = st.columns(4)
    ids = ids_col.text_input("Expected product ids", placeholder=example_ids(catalog["id"]), key="quality-ids")
    name = name_col.text_input("…or names containing", key="quality-name")
    types = type_col.multiselect("…article type", sorted(catalog["articleType"].unique()), key="quality-types")
    colours = colour_col.multiselect("…colour", sorted(catalog["baseColour"].unique()), key="quality-colours")
    if not text.strip():
        st.info("Type a query to see where the products you expect rank, and what comes first.")
        return
    try:
        gallery = state.quality_gallery(model_dir, scope, split)
        expected = select_expected(catalog, gallery, ids=parse_ids(ids), name_contains=name,
                                   attributes={"articleType": types, "baseColour": colours})
        result = analyst_query(state.model_embedder(model_dir), catalog, gallery, text, expected)
    except FashionError as error:
        st.error(str(error))
        return
    if result.expected.empty:
        st.caption(f"No expected products chosen: showing the first results among {result.gallery_label}.")
    else:
        best = result.expected.iloc[0]
        st.caption(f"{len(result.expected):,} expected product(s) among {result.gallery_label}; the best ranks "
                   f"{best['rank']:,} ({best['productDisplayName']}); {int((result.expected['rank'] <= 10).sum())} in the top 10.")
        st.dataframe(result.expected.drop(columns=["expected", "image"]), hide_index=True, height=min(36 * (len(result.expected) + 1), 300),
                     column_config={"score": PERCENT})
    captions = [f"rank {r}" + (" · expected" if e else "") for r, e in zip(result.top["rank"], result.top["expected"])]
    product_grid(
        [Product.from_row(r) for r in result.top.to_dict("records")],
        scores=list(result.top["score"]),
        captions=captions,
        key="quality-top",
    )
