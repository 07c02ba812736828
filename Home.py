"""Streamlit entry point: the router. Every screen is listed in ``dashboard/router.py``."""

import streamlit as st

from dashboard.router import navigation

st.set_page_config(page_title="Fashion retrieval", page_icon="👗", layout="wide")
navigation().run()
