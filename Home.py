"""Streamlit entry point: the router that lists every screen in one place."""

import streamlit as st

st.set_page_config(page_title="Fashion retrieval", page_icon="👗", layout="wide")
navigation = st.navigation({
    "Overview": [st.Page("pages/home.py", title="Home", icon="🏠", default=True)],
})
navigation.run()
