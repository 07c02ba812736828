"""Fashion retrieval core: catalogue preparation, encoders, training, index, search, stylist.

Nothing here imports Streamlit; the dashboard renders what these modules return.
"""
