"""Stylist: a chat that answers with real catalogue products, per browser session.

Every text on this screen (the shopper's message, the stylist's answer as it streams and when
done, its notices) is shown literally: ``dashboard.widgets.literal_markdown`` escapes all markdown and HTML and keeps
only the formatting our answers use, ``**bold**`` and ``- `` bullets. One renderer for the offline
writer's text and a model's, which ``verify`` has already made plain text: the streamed draft has
not been verified, and an offline answer quotes the catalogue's names and the shopper's words.
"""

from __future__ import annotations

import uuid

import streamlit as st

from core.errors import FashionError
from core.stylist.explain import understood_chips
from dashboard import router, state
from dashboard.products import product_grid
from dashboard.widgets import badges, literal, literal_markdown

THREAD, MESSAGES = "stylist-thread", "stylist-messages"


def preferences(vocabulary) -> dict:
    values = vocabulary.values
    with st.sidebar:
        st.header("Your preferences")
        gender = st.selectbox("Gender", ["any", *values.get("gender", ())], key="pref-gender")
        budget = st.number_input("Budget per outfit (₹, 0 = none)", 0, 100_000, 0, step=500, key="pref-budget")
        favourite = st.multiselect("Favourite colours", values.get("baseColour", ()), key="pref-fav")
        avoided = st.multiselect("Colours to avoid", values.get("baseColour", ()), key="pref-avoid")
        if st.button("New conversation", icon=":material/restart_alt:"):
            st.session_state.pop(THREAD, None)
            st.session_state.pop(MESSAGES, None)
            st.rerun()
    return {"gender": None if gender == "any" else gender, "budget": budget or None,
            "favourite_colours": list(favourite), "avoided_colours": list(avoided)}


def show_turn(turn: dict) -> None:
    with st.chat_message(turn["role"]):
        if turn["role"] == "user":
            st.markdown(literal_markdown(turn["text"]))
            return
        text_col, cards_col = st.columns([3, 2])
        text_col.markdown(literal_markdown(turn["text"]))  # the offline writer's notices are part of its answer
        for notice in turn.get("notices", []):  # the others (e.g. what verify removed from a model's text)
            text_col.caption(literal(notice))
        with cards_col:
            products = turn.get("products", [])  # ProductPick: a Product with its outfit slot
            product_grid(products, columns=2, captions=[p.slot for p in products], key=f"turn-{id(turn)}")
        with st.expander("What the stylist understood"):
            badges(understood_chips(turn.get("request", {})))


def render() -> None:
    st.title("Stylist")
    state.require_prepared()
    try:
        stylist, searcher = state.stylist(), state.searcher()
    except FashionError as error:
        st.warning(str(error))
        st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
        return
    prefs = preferences(searcher.vocabulary)
    st.caption(f"Provider: **{literal(stylist.provider)}**" + "".join(f" · {literal(n)}" for n in stylist.notices))
    st.session_state.setdefault(THREAD, uuid.uuid4().hex)
    history = st.session_state.setdefault(MESSAGES, [])
    for turn in history:
        show_turn(turn)

    message = st.chat_input("What should I wear for a brunch date?")
    if not message:
        if not history:
            st.info("Ask for an outfit: an occasion, a budget, colours you like… then refine it (“make it cheaper”, “in blue instead”).")
        return
    history.append({"role": "user", "text": message})
    show_turn(history[-1])
    with st.chat_message("assistant"):
        draft, shown, result = "", st.empty(), None
        try:
            for kind, value in stylist.stream(message, st.session_state[THREAD], prefs):
                if kind == "token":  # the unverified draft: literal too
                    draft += value
                    shown.markdown(literal_markdown(draft))
                else:
                    result = value
        except FashionError as error:
            st.error(str(error))
            return
    notices = [n for n in result.notices if n not in result.answer]
    history.append({"role": "assistant", "text": result.answer, "products": list(result.products), "request": result.request,
                    "notices": notices})
    st.rerun()


router.show(render)
