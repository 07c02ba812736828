"""Streamlit entry point: the router that lists every screen in one place, grouped by who uses it."""

import streamlit as st

st.set_page_config(page_title="Fashion retrieval", page_icon="👗", layout="wide")
navigation = st.navigation({
    "Overview": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
    "Explore": [st.Page("pages/dataset.py", title="Dataset", icon=":material/bar_chart:")],
})
navigation.run()
