"""The vector index: the Chroma store, building it (records, embedding cache, manifest), filters,
queries, search and its attribute re-scoring, backup and restore."""
