"""Streamlit widgets shared by the pages: they render what ``core`` returns, nothing more."""
