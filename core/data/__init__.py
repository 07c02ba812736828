"""Prepare the catalogue: loading, enrichment (groups, descriptions, prices), splits, pairs, the demo catalogue."""
