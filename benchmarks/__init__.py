"""Benchmark scripts: each prints its figures. Run from the project root as modules, e.g.
``python -m benchmarks.bench_search --help``."""

from pathlib import Path


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages (``/proc/loadavg``), or ``unknown`` where there is none."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"
