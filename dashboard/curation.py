"""Curation screen widgets: the author box, the suggestions (computed with progress the first time),
one suggestion card with its products and Accept / Dismiss (a near-duplicate: "Keep this one" under
each product, flagging only the other; a pair whose prices differ says so), what was checked when a
kind has no suggestion, the tag/flag/note editor (its example ids from the catalogue in use), and
the table of curated products with CSV and Parquet downloads (prices marked simulated).

Every write goes straight to the curation store (``core.curation.store``) from a button callback, so
two sessions clicking at once both land (the store serialises writers); nothing about decisions
or tags is cached here, only the suggestions themselves (on disk, by ``core.curation.suggestions``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.curation.export import PRICE_COLUMN, PRICE_NOTE, export_frame, to_csv_bytes, to_parquet_bytes
from core.curation.review import price_disagreement, what_was_checked
from core.curation.rules import Suggestion
from core.curation.schema import FLAG_KINDS
from core.curation.store import CurationStore
from core.curation.suggestions import STATUSES, SuggestionSet, cached_suggestions, compute_suggestions, decide
from core.data.product import Product
from core.errors import FashionError
from dashboard import state
from dashboard.products import product_card
from dashboard.widgets import example_ids

AUTHOR_KEY = "curation-author"
KIND_LABELS = {"near-duplicate": "Near-duplicates", "label-error": "Label errors", "outlier": "Outliers"}


def store() -> CurationStore:
    return CurationStore(state.settings().curation_db)


def author_sidebar() -> str:
    """The name stored with every action (default "merchandiser")."""
    with st.sidebar:
        name = st.text_input("Your name", value="merchandiser", key=AUTHOR_KEY,
                             help="Stored with every tag, flag, note and decision")
    return name.strip() or "merchandiser"


def suggestions() -> SuggestionSet:
    """The latest model's suggestions: from the disk cache (without loading the encoder), else
    computed here with progress."""
    version = state.model_version(state.require_model_dir())
    client = state.client()
    found = cached_suggestions(state.settings(), version, client=client)
    if found is not None:
        return found
    embedder = state.embedder()
    with st.status("Computing curation suggestions for the first time…", expanded=True) as status:
        bar = st.progress(0.0)

        def progress(stage: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=stage)

        result = compute_suggestions(state.settings(), embedder, client=client, progress=progress)
        status.update(label=f"Suggestions computed in {result.seconds:.1f} s", state="complete", expanded=False)
    return result


def _product(products: pd.DataFrame, pid: int) -> Product:
    if pid in products.index:
        return Product.from_row({**products.loc[pid].to_dict(), "id": pid})
    return Product.from_row({"id": pid, "productDisplayName": f"product {pid} (not in the catalogue)", "price": 0})


def _decide(suggestion: Suggestion, decision: str, author: str) -> None:
    try:
        decide(store(), suggestion, decision, author=author)
    except FashionError as error:
        st.session_state["curation-error"] = str(error)


def _keep(suggestion: Suggestion, kept: int, author: str) -> None:
    """Accept a near-duplicate keeping ``kept``: only the other product is flagged."""
    try:
        store().decide(suggestion.key, suggestion.kind, suggestion.ids, "accepted", author=author,
                       note=suggestion.evidence[:500], flag=suggestion.flag, kept=kept)
    except FashionError as error:
        st.session_state["curation-error"] = str(error)


def _decided(decision) -> str:
    """``"accepted by asha, 2026-11-30 12:00 · kept 10001, flagged 10002"``."""
    line = f"{decision.decision} by {decision.author}, {decision.time[:16].replace('T', ' ')}"
    if decision.kept is not None:
        others = ", ".join(str(i) for i in decision.ids if i != decision.kept)
        line += f" · kept {decision.kept}, flagged {others} duplicate"
    return line


def _reopen(key: str, author: str) -> None:
    store().undecide(key, author=author)


def suggestion_card(suggestion: Suggestion, decision, products: pd.DataFrame, author: str) -> None:
    """One suggestion: evidence, the products side by side, and its decision or the buttons.

    A pending near-duplicate is accepted by keeping one of its products ("Keep this one" under
    each): only the other is flagged.
    """
    with st.container(border=True):
        st.markdown(f"**{KIND_LABELS[suggestion.kind][:-1]}** · {', '.join(map(str, suggestion.ids))} "
                    f"· score {suggestion.score:.3f}")
        st.caption(suggestion.evidence)
        shown = [(pid, f"id {pid}") for pid in suggestion.ids]
        if suggestion.kind == "outlier" and suggestion.details.get("nearest") is not None:
            nearest = int(suggestion.details["nearest"])
            shown.append((nearest, f"id {nearest} · its nearest product overall"))
        cards = {pid: _product(products, pid) for pid, _ in shown}
        keep_one = suggestion.kind == "near-duplicate" and decision is None
        if suggestion.kind == "near-duplicate" and (note := price_disagreement({p: cards[p].price for p in suggestion.ids})):
            st.caption(f":orange[{note}]")
        columns = st.columns(max(len(shown), 2) + 1)
        for column, (pid, caption) in zip(columns, shown):
            with column:
                product_card(cards[pid], caption=caption)
                if keep_one:
                    others = ", ".join(str(i) for i in suggestion.ids if i != pid)
                    st.button("Keep this one", key=f"keep-{suggestion.key}-{pid}", type="primary",
                              help=f"The same product twice: keep {pid} and flag {others} as a duplicate",
                              on_click=_keep, args=(suggestion, pid, author))
        with columns[-1]:
            if keep_one:
                st.caption("The same product twice? Keep one of them: only the other is flagged duplicate.")
                st.button("Dismiss", key=f"dismiss-{suggestion.key}", help="Not duplicates",
                          on_click=_decide, args=(suggestion, "dismissed", author))
            elif decision is None:
                flag = f" (flags {suggestion.flag})" if suggestion.flag else ""
                st.button("Accept", key=f"accept-{suggestion.key}", type="primary", help=f"A real problem{flag}",
                          on_click=_decide, args=(suggestion, "accepted", author))
                st.button("Dismiss", key=f"dismiss-{suggestion.key}", help="Not a problem",
                          on_click=_decide, args=(suggestion, "dismissed", author))
            else:
                st.caption(_decided(decision))
                st.button("Reopen", key=f"reopen-{suggestion.key}", on_click=_reopen, args=(suggestion.key, author))


def suggestion_list(result: SuggestionSet, kind: str, status: str, author: str, *, per_page: int = 10) -> None:
    """Counts, then one page of the chosen kind and status."""
    decisions = store().decisions()
    of_kind = [s for s in result.suggestions if s.kind == kind]
    status_of = {s.key: decisions[s.key].decision if s.key in decisions else "pending" for s in of_kind}
    columns = st.columns(len(STATUSES))
    for column, name in zip(columns, STATUSES):
        column.metric(name.capitalize(), sum(v == name for v in status_of.values()))
    shown = [s for s in of_kind if status == "all" or status_of[s.key] == status]
    if not of_kind:
        types = state.catalog()["articleType"].value_counts().to_dict()
        st.info(f"No {KIND_LABELS[kind].lower()} found. {what_was_checked(kind, types)}")
        return
    if not shown:
        st.info(f"No {status if status != 'all' else ''} {KIND_LABELS[kind].lower()}.")
        return
    pages = (len(shown) - 1) // per_page + 1
    page = st.number_input(f"Page (of {pages})", 1, pages, 1, key=f"curation-page-{kind}-{status}") if pages > 1 else 1
    st.caption(f"{len(shown)} suggestion{'s' if len(shown) != 1 else ''} · {result.products:,} products · "
               f"model {result.version}")
    products = state.catalog().set_index("id", drop=False)
    for suggestion in shown[(page - 1) * per_page: page * per_page]:
        suggestion_card(suggestion, decisions.get(suggestion.key), products, author)


def _parse_ids(text: str) -> list[int]:
    parts = [p for p in text.replace(",", " ").split() if p]
    bad = [p for p in parts if not p.lstrip("-").isdigit()]
    if bad or not parts:
        raise FashionError(f"type product ids separated by spaces or commas (not {', '.join(bad) or 'nothing'})")
    return [int(p) for p in parts]


def label_editor(author: str) -> None:
    """Tag, untag, flag or annotate products by id."""
    with st.form("curation-edit", clear_on_submit=False, border=True):
        ids_text = st.text_input("Product ids", placeholder=example_ids(state.catalog()["id"]), key="curation-ids",
                                 help="Ids of the catalogue in use, separated by spaces or commas")
        left, middle, right = st.columns(3)
        tag = left.text_input("Tag", max_chars=40, key="curation-tag")
        flag = middle.selectbox("Flag", FLAG_KINDS, key="curation-flag")
        note = right.text_input("Note", key="curation-note")
        action = st.radio("Action", ["Add tag", "Remove tag", "Flag", "Unflag", "Add note"],
                          horizontal=True, key="curation-action")
        if not st.form_submit_button("Apply"):
            return
    try:
        ids, s = _parse_ids(ids_text), store()
        match action:
            case "Add tag":
                n = s.add_tag(ids, tag, author=author, note=note)
                st.success(f"Tagged {n} more products “{tag.strip()}”.")
            case "Remove tag":
                st.success(f"Removed “{tag.strip()}” from {s.remove_tag(ids, tag, author=author)} products.")
            case "Flag":
                st.success(f"Flagged {s.flag(ids, flag, author=author, note=note)} more products {flag}.")
            case "Unflag":
                st.success(f"Cleared {flag} on {s.unflag(ids, flag, author=author)} products.")
            case "Add note":
                for pid in ids:
                    s.add_note(pid, note, author=author)
                st.success(f"Noted on {len(ids)} products.")
    except FashionError as error:
        st.error(str(error))


def curated_table() -> None:
    """Every tagged, flagged or annotated product, with downloads and one product's history."""
    s = store()
    labels = s.labels()
    if labels.empty:
        st.info("No product is tagged, flagged or annotated yet.")
        return
    catalog = state.catalog()
    frame = export_frame(catalog[catalog["id"].isin(labels["id"])], s)
    columns = [c for c in ("id", "productDisplayName", "articleType", "baseColour", "gender", PRICE_COLUMN,
                           "tags", "flags", "notes") if c in frame.columns]
    st.caption(f"{len(frame)} curated products · tags in use: {', '.join(s.tag_names()) or 'none'} · "
               f"prices are simulated (the files' column is {PRICE_COLUMN})")
    st.dataframe(frame[columns], hide_index=True, width="stretch", column_config={
        PRICE_COLUMN: st.column_config.NumberColumn("Price (simulated)", help=PRICE_NOTE, format="₹%d")})
    left, right = st.columns(2)
    left.download_button("Download CSV", to_csv_bytes(frame), "curated-products.csv", "text/csv",
                         key="curation-csv")
    right.download_button("Download Parquet", to_parquet_bytes(frame), "curated-products.parquet",
                          "application/vnd.apache.parquet", key="curation-parquet")
    pid = st.selectbox("History of product", labels["id"].tolist(), key="curation-history-id")
    st.dataframe(s.history(pid), hide_index=True, width="stretch")
