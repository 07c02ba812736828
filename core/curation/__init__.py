"""Merchandisers' curation: the tag/flag/decision store and the suggestions (label errors, duplicates)."""
