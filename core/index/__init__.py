"""The vector index: the Chroma store, building it, filters, search, backup and restore."""
