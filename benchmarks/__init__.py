"""Benchmark scripts: each prints its figures. Run from the project root as modules, e.g.
``python -m benchmarks.bench_search --help``."""
