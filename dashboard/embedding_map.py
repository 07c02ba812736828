"""Widgets of the Embedding map screen: options, the WebGL map with box/lasso selection, the cluster
table, and the selection panel (summary, actions, grid, table, picture close-up).

The selection lives in ``st.session_state[SELECTED_KEY]`` (product ids), copied there by the
chart's ``on_select`` callback, and the map is redrawn with the other points greyed (plotly's
``selectedpoints`` / ``unselected.marker``). Why not just keep plotly's own live selection: the
chart's identity is a hash of its figure, so any change of figure (another colour field, a new
tag) would drop it; stored ids survive that. The redrawn chart shows the selection as greyed
points rather than the dragged box, and a new box replaces the selection.

The cluster legend (and hover) adds each cluster's purity to its name; the cluster table shows the
shares each name rests on (the names themselves are core's, ``core.explore.clusters``).

Hover: plotly's hover labels cannot show images, so the full map hovers name, price, colour and
article type, id and the value the map is coloured by (e.g. the cluster); the selection's
"Close-up" tab is a Vega-Lite chart of the selected points (at most :data:`CLOSE_UP_MAX`) whose
tooltip shows each product's thumbnail (a data URI).
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from core.curation.export import export_frame, to_csv_bytes, to_parquet_bytes
from core.curation.schema import FLAG_KINDS
from core.curation.store import CurationStore
from core.data.enrich import PRICE_BAND_LABELS
from core.data.product import Product
from core.errors import FashionError
from core.explore.clusters import (
    CLUSTER_METHODS,
    COLOUR_MIN,
    GENDER_MIN,
    GROUP_MIN,
    TYPE_MIN,
    ClusterParams,
    composition,
    describe_shares,
    display_name,
    top_shares,
)
from core.explore.map import COLOUR_FIELDS, CONTINUOUS_FIELDS, EmbeddingMap, build_map
from core.explore.projection import ProjectionParams
from core.explore.vectors import KINDS
from core.reports.progress import Heartbeat, StageProgress
from core.reports.setup import map_wait_s
from dashboard import state
from dashboard.products import product_grid
from dashboard.progress import ProgressBox

CHART_KEY = "map-chart"
SELECTED_KEY = "map-selected-ids"
MESSAGE_KEY = "map-message"
GOTO_SEARCH_KEY = "map-goto-search"
LIKE_KEY = "search-like-id"  # read by the Search screen
MAX_TRACES = 20
"""At most this many colours (traces) per field, the rest drawn as "other"; clusters get up to 41."""
GRID_MAX = 60
CLOSE_UP_MAX = 300
PALETTE = qualitative.D3 + qualitative.Set2 + qualitative.Dark2 + qualitative.Set1 + qualitative.Pastel1
GREY_VALUES = ("other", "unclustered", "(untagged)", "(not flagged)", "(none)")
UNSELECTED = dict(marker=dict(color="#bdbdbd", opacity=0.35))
TABLE_COLUMNS = ["id", "productDisplayName", "articleType", "baseColour", "gender", "group_label", "price",
                 "season", "usage", "split", "cluster_name", "tags", "flags"]


@dataclass(frozen=True)
class MapOptions:
    kind: str
    projection: ProjectionParams
    clusters: ClusterParams
    colour_by: str


def map_options() -> MapOptions:
    """The sidebar: which vectors, how to project and cluster, what to colour by."""
    side = st.sidebar
    side.subheader("Map")
    kind = side.radio("Embeddings", KINDS, horizontal=True, key="map-kind",
                      help="fused = normalise(image + text) of each product")
    method = side.radio("Projection", ["UMAP", "PCA"], horizontal=True, key="map-method",
                        help="UMAP keeps neighbourhoods (computed once, then cached); PCA is instant")
    colour_by = side.selectbox("Colour by", list(COLOUR_FIELDS), key="map-colour")
    with side.expander("Projection and clusters"):
        neighbours = st.slider("UMAP neighbours", 5, 100, 15, key="map-neighbours")
        min_dist = st.slider("UMAP min distance", 0.0, 0.99, 0.1, 0.01, key="map-min-dist")
        algorithm = st.radio("Clusters", CLUSTER_METHODS, horizontal=True, key="map-cluster-method",
                             format_func={"kmeans": "k-means", "hdbscan": "HDBSCAN"}.get)
        k = st.slider("k (k-means)", 2, 40, 12, key="map-k")
        min_size = st.number_input("Smallest cluster (HDBSCAN; below 2 = 1% of the points)", 0, 2000, 0, key="map-min-size")
    return MapOptions(
        kind=kind,
        projection=ProjectionParams(method=method.lower(), n_neighbors=neighbours, min_dist=min_dist),
        clusters=ClusterParams(method=algorithm, k=k, min_cluster_size=int(min_size) if min_size >= 2 else 0),
        colour_by=colour_by,
    )


def load_map(options: MapOptions) -> EmbeddingMap:
    """Vectors (cached per process), projection and clusters (cached on disk) and curation labels.

    Work not cached yet shows a bar that moves with the clock against the expected duration (UMAP
    cannot report its own progress) under the step core reports, with the time left."""
    vectors = state.map_vectors(options.kind)
    cache_dir = state.settings().projections_dir
    box = ProgressBox(f"Computing the {options.projection.method.upper()} map of {len(vectors):,} products…", lazy=True)
    bars = StageProgress(box, expected_s={"map": map_wait_s(vectors, options.projection, cache_dir)})

    def encode_texts(texts: list[str]) -> np.ndarray:
        return state.embedder().encode_texts(texts)

    with Heartbeat(bars.beat):
        emap = build_map(vectors, options.projection, options.clusters, cache_dir=cache_dir,
                         catalog=state.catalog(), labels=curation_store().labels(), encode_texts=encode_texts,
                         progress=lambda step, fraction: bars.note("map", step, fraction),
                         jit_cache_dir=state.settings().jit_cache_dir)
    box.finish(f"Map computed in {emap.projection.seconds:.1f} s and cached for everyone"
               if not emap.projection.cached else "Clusters computed and cached for everyone")
    return emap


def curation_store() -> CurationStore:
    return CurationStore(state.settings().curation_db)


# -- the map ------------------------------------------------------------------------------------
def _categories(frame: pd.DataFrame, column: str) -> pd.Series:
    empty = {"tags": "(untagged)", "flags": "(not flagged)"}.get(column, "(none)")
    values = frame[column].astype(str).replace("", empty)
    counts = values.value_counts()
    limit = 41 if column == "cluster_name" else MAX_TRACES
    if len(counts) > limit:
        values = values.where(values.isin(counts.index[: limit - 1]), "other")
    return values


def _order(values: pd.Series, column: str) -> list[str]:
    present = values.value_counts()
    if column == "price_band":
        return [label for label in PRICE_BAND_LABELS if label in present.index]
    if column == "cluster_name":
        return sorted(present.index, key=lambda v: (v in ("unclustered", "other"), int(v.split(" ·")[0]) if v[0].isdigit() else 0))
    first = [v for v in ("(untagged)", "(not flagged)") if v in present.index]  # drawn first = underneath
    return first + [v for v in present.index if v not in first]


def legend(frame: pd.DataFrame, column: str) -> tuple[pd.Series, dict[str, str]]:
    """The category each product is drawn in (at most MAX_TRACES, the rest "other") and each one's colour,
    in drawing order; shared by the map and the close-up so both use the same colours."""
    values = _categories(frame, column)
    coloured = iter(PALETTE * 2)
    colours = {value: "#8c8c8c" if value in GREY_VALUES else next(coloured) for value in _order(values, column)}
    return values, colours


def map_figure(frame: pd.DataFrame, column: str, selected: set[int] | None = None,
               notes: dict[str, str] | None = None) -> go.Figure:
    """WebGL scatter of the map coloured by ``column``; with ``selected`` ids, the others greyed;
    ``notes`` are added to the legend names of their categories (a cluster's purity)."""
    ids = frame["id"].to_numpy(np.int64)
    names = frame["productDisplayName"].to_numpy(dtype=object)
    hover = (frame["price"].map("{:,}".format) + " · " + frame["baseColour"] + " " + frame["articleType"]).to_numpy(dtype=object)
    template = "<b>%{text}</b><br>₹%{hovertext}<br>id %{customdata}<extra>%{fullData.name}</extra>"  # extra: the colour
    is_selected = frame["id"].isin(selected).to_numpy() if selected else None
    common = dict(mode="markers", hovertemplate=template, unselected=UNSELECTED)
    figure = go.Figure()
    if column in CONTINUOUS_FIELDS:
        values = frame[column].to_numpy()
        figure.add_trace(go.Scattergl(
            x=frame["x"], y=frame["y"], customdata=ids, text=names, hovertext=hover, name=column,
            marker=dict(size=5, color=values, colorscale="Viridis", cmin=float(np.percentile(values, 2)),
                        cmax=float(np.percentile(values, 98)), colorbar=dict(title=column, thickness=12)),
            selectedpoints=None if is_selected is None else np.flatnonzero(is_selected), **common))
    else:
        values, colours = legend(frame, column)
        notes = notes or {}
        for value, colour in colours.items():
            rows = np.flatnonzero((values == value).to_numpy())
            name = f"{value} ({len(rows):,})" + (f" · {notes[value]}" if value in notes else "")
            figure.add_trace(go.Scattergl(
                x=frame["x"].to_numpy()[rows], y=frame["y"].to_numpy()[rows], customdata=ids[rows], text=names[rows],
                hovertext=hover[rows], name=name, marker=dict(size=5, color=colour, opacity=0.85),
                selectedpoints=None if is_selected is None else np.flatnonzero(is_selected[rows]), **common))
    figure.update_layout(
        height=640, margin=dict(l=0, r=0, t=10, b=0), dragmode="select", uirevision="embedding-map",
        legend=dict(itemsizing="constant", font=dict(size=11), yanchor="top", y=0.93), hoverlabel=dict(namelength=-1),
        xaxis=dict(showticklabels=False, title=None, zeroline=False, showgrid=False),
        yaxis=dict(showticklabels=False, title=None, zeroline=False, showgrid=False),
    )
    return figure


def _store_selection() -> None:
    event = st.session_state.get(CHART_KEY) or {}
    points = (event.get("selection") or {}).get("points") or []
    ids = (p.get("customdata") for p in points)
    st.session_state[SELECTED_KEY] = sorted({int(i[0] if isinstance(i, (list, tuple)) else i) for i in ids if i is not None})


def clear_selection() -> None:
    st.session_state[SELECTED_KEY] = []


def map_chart(frame: pd.DataFrame, colour_label: str, clusters: pd.DataFrame | None = None) -> list[int]:
    """Draw the map (the clusters' purity in its legend); returns the ids of the selected products
    (kept across reruns and redraws)."""
    stored = st.session_state.get(SELECTED_KEY) or []
    selected = frame["id"][frame["id"].isin(stored)].astype(int).tolist() if stored else []
    notes = purity_notes(clusters) if clusters is not None and len(clusters) else None
    figure = map_figure(frame, COLOUR_FIELDS[colour_label], set(selected), notes)
    st.plotly_chart(figure, key=CHART_KEY, on_select=_store_selection, selection_mode=("box", "lasso", "points"),
                    width="stretch", config={"displaylogo": False, "scrollZoom": True})
    return selected


def purity_notes(clusters: pd.DataFrame) -> dict[str, str]:
    """``{"3 · Women Handbags": "62% pure"}``: what the legend and hover add to each cluster's name."""
    return {display_name(c, n): f"{p:.0%} pure" for c, n, p in clusters[["cluster", "name", "purity"]].itertuples(index=False)
            if c >= 0}


def cluster_table(clusters: pd.DataFrame) -> None:
    """The per-cluster summary: name, purity and the shares it rests on, size, top types and colours."""
    shown = clusters.rename(columns={"basis": "name rests on", "nearest descriptions": "model's nearest descriptions (cosine)"})
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "purity": st.column_config.NumberColumn(format="percent", help="share of the cluster its type (or group) covers"),
        "share": st.column_config.NumberColumn(format="percent"),
        "median price": st.column_config.NumberColumn(format="₹%d"),
    })
    st.caption(f"A name says only what the cluster's own shares support: a gender held by {GENDER_MIN:.0%} or more, "
               f"a colour by {COLOUR_MIN:.0%}, an article type by {TYPE_MIN:.0%} (else its group by {GROUP_MIN:.0%}, "
               "else “mixed products”). Purity is the share its type or group covers.")


# -- the selection --------------------------------------------------------------------------------
def selection_summary(selection: pd.DataFrame, total: int) -> None:
    facts = composition(selection, top=5)
    left, middle, right, last = st.columns(4)
    left.metric("Selected products", f"{facts['size']:,}", help=f"{facts['size'] / max(total, 1):.1%} of the map")
    middle.metric("Price range", f"₹{facts['price_min']:,}–{facts['price_max']:,}")
    right.metric("Median price", f"₹{facts['price_median']:,}")
    last.metric("Clusters", f"{selection['cluster'].nunique():,}")
    st.markdown(f"**Groups:** {describe_shares(top_shares(selection['group_label'], 5))}  \n"
                f"**Genders:** {describe_shares(top_shares(selection['gender'], 3))}  \n"
                f"**Article types:** {describe_shares(facts['article_types'])}  \n"
                f"**Colours:** {describe_shares(facts['colours'])}  \n"
                f"**Clusters:** {describe_shares(top_shares(selection['cluster_name'], 4))}")


def _tag(ids: list[int], author: str) -> None:
    _report(lambda: f"Tagged {curation_store().add_tag(ids, st.session_state['map-tag'], author=author):,} "
                    f"new product(s) “{st.session_state['map-tag'].strip()}”.")


def _flag(ids: list[int], author: str) -> None:
    kind = st.session_state["map-flag"]
    _report(lambda: f"Flagged {curation_store().flag(ids, kind, author=author):,} new product(s) as {kind}.")


def _report(action) -> None:
    try:
        st.session_state[MESSAGE_KEY] = ("success", action())
    except FashionError as error:
        st.session_state[MESSAGE_KEY] = ("error", str(error))


def selection_actions(selection: pd.DataFrame, author: str) -> None:
    """Tag, flag and export the selection."""
    ids = selection["id"].astype(int).tolist()
    tag_col, flag_col, export_col = st.columns([2, 2, 2])
    with tag_col:
        st.text_input("Tag", key="map-tag", placeholder="summer-edit", max_chars=40)
        st.button(f"Tag {len(ids):,} products", key="map-tag-button", on_click=_tag, args=(ids, author))
    with flag_col:
        st.selectbox("Flag as", FLAG_KINDS, key="map-flag")
        st.button(f"Flag {len(ids):,} products", key="map-flag-button", on_click=_flag, args=(ids, author))
    with export_col:
        st.caption("Export with tags, flags and notes")
        columns = [c for c in TABLE_COLUMNS + ["image", "x", "y"] if c in selection.columns]
        rows = selection[columns].drop(columns=["tags", "flags"], errors="ignore")
        st.download_button("Download CSV", lambda: to_csv_bytes(export_frame(rows, curation_store())),
                           file_name="map-selection.csv", mime="text/csv", key="map-csv", on_click="ignore")
        st.download_button("Download Parquet", lambda: to_parquet_bytes(export_frame(rows, curation_store())),
                           file_name="map-selection.parquet", mime="application/octet-stream", key="map-parquet",
                           on_click="ignore")
    kind, message = st.session_state.pop(MESSAGE_KEY, (None, None))
    if kind:
        getattr(st, kind)(message)


def _more_like(product_id: int) -> None:
    st.session_state[LIKE_KEY] = product_id
    st.session_state[GOTO_SEARCH_KEY] = True


def selection_views(selection: pd.DataFrame, colour_label: str, frame: pd.DataFrame) -> None:
    """The selection as a picture grid, a table and a close-up whose tooltips show the pictures."""
    grid, table, close_up = st.tabs(["Pictures", "Table", "Close-up (hover for pictures)"])
    with grid:
        if len(selection) > GRID_MAX:
            st.caption(f"Showing {GRID_MAX} of {len(selection):,} selected products (all are in the table and exports).")
        product_grid(
            [Product.from_row(r) for r in selection.head(GRID_MAX).to_dict("records")],
            action=("More like this", _more_like),
            key="map-grid",
        )
    with table:
        st.dataframe(selection[TABLE_COLUMNS], hide_index=True, width="stretch",
                     column_config={"price": st.column_config.NumberColumn(format="₹%d")})
    with close_up:
        thumbnail_chart(selection, COLOUR_FIELDS[colour_label], frame)


def thumbnail_chart(selection: pd.DataFrame, column: str, frame: pd.DataFrame) -> None:
    """Vega-Lite scatter of (at most CLOSE_UP_MAX of) the selected points, coloured as on the map
    (``frame`` is the whole map); the tooltip shows each product's picture."""
    shown = selection if len(selection) <= CLOSE_UP_MAX else selection.sample(CLOSE_UP_MAX, random_state=0)
    if len(shown) < len(selection):
        st.caption(f"A random {CLOSE_UP_MAX} of the {len(selection):,} selected products; select a smaller area for all.")
    data = pd.DataFrame({
        "x": shown["x"], "y": shown["y"], "image": state.map_thumbnails(tuple(shown["image"])),
        "name": shown["productDisplayName"], "price": [f"₹{p:,}" for p in shown["price"]],
        "type": shown["baseColour"] + " " + shown["articleType"], "id": shown["id"],
    })
    if column in CONTINUOUS_FIELDS:
        data[column] = shown[column].to_numpy()
        colour = alt.Color(f"{column}:Q", scale=alt.Scale(scheme="viridis"))
    else:
        values, colours = legend(frame, column)
        data[column] = values.loc[shown.index].to_numpy()
        present = [v for v in colours if v in set(data[column])]
        colour = alt.Color(f"{column}:N", scale=alt.Scale(domain=present, range=[colours[v] for v in present]),
                           legend=alt.Legend(labelLimit=260))
    chart = alt.Chart(data).mark_circle(size=90, opacity=0.85).encode(
        x=alt.X("x:Q", axis=None, scale=alt.Scale(zero=False)), y=alt.Y("y:Q", axis=None, scale=alt.Scale(zero=False)),
        color=colour, tooltip=["image:N", "name:N", "price:N", "type:N", "id:Q"],
    ).properties(height=520).interactive()
    st.altair_chart(chart, width="stretch")
