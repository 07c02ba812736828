"""Benchmark of cold starts: the wall time of whole ``python -m core ...`` commands, and what they import.

    python -m benchmarks.bench_startup --home /tmp/fh-s [--runs 5] [--json-out F]
    python -m benchmarks.bench_startup --home /tmp/fh-s --command 'search "red t-shirt" --json'

Each command (default: ``search "red t-shirt" --json`` and ``ask "brunch outfit" --json``) runs
``--runs`` times as a fresh subprocess on HOME, one after the other; the script prints the p50 and
the spread of the wall times, then runs it once more under ``python -X importtime`` and prints the
import time of the heavy libraries it loaded (torch, transformers, sentence-transformers, chromadb,
langchain_core, langgraph, pandas, sklearn, onnxruntime; absent = not imported; one imported by
another counts in both), and the load average (``/proc/loadavg``) before and after: on a shared
machine a busy neighbour shows there. The commands read HOME only (``ask`` without ``--thread``
adds a checkpoint to ``HOME/stylist/``): use a copy of a built home, never the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from benchmarks import loadavg

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_COMMANDS = ('search "red t-shirt" --json', 'ask "brunch outfit" --json')
HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb", "langchain_core", "langgraph",
         "pandas", "sklearn", "onnxruntime")
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)")


def run(argv: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    return time.perf_counter() - started, done


def heavy_imports(stderr: str) -> dict[str, float]:
    """Seconds spent importing each heavy package, from ``-X importtime`` output: the cumulative
    times of its modules imported from outside the package (a lazy package such as transformers
    imports submodules long after its ``__init__``). A package imported by another heavy one counts
    in both figures: they say what each costs, not a total."""
    rows = []  # (depth, module, cumulative microseconds), in the order printed: children first
    for line in stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            rows.append((len(match.group(2)), match.group(3), int(match.group(1))))
    found: dict[str, int] = {}
    stack: list[tuple[int, str]] = []  # walking backwards, the open parents
    for depth, module, micros in reversed(rows):
        while stack and stack[-1][0] >= depth:
            stack.pop()
        package = module.split(".")[0]
        parent = stack[-1][1].split(".")[0] if stack else None
        if package in HEAVY and parent != package:
            found[package] = found.get(package, 0) + micros
        stack.append((depth, module))
    return {package: round(micros / 1e6, 2) for package, micros in sorted(found.items())}


def measure(command: str, home: str, runs: int) -> dict:
    argv = [sys.executable, "-m", "core", *shlex.split(command), "--home", home]
    walls = []
    for _ in range(runs):
        seconds, done = run(argv)
        if done.returncode != 0:
            raise SystemExit(f"`{command}` failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        walls.append(seconds)
    _, traced = run([sys.executable, "-X", "importtime", *argv[1:]])
    return {
        "command": f"python -m core {command} --home {home}",
        "runs": runs,
        "p50_s": round(float(np.percentile(walls, 50)), 2),
        "min_s": round(min(walls), 2),
        "max_s": round(max(walls), 2),
        "heavy_imports_s": heavy_imports(traced.stderr),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="a built home (a copy: ask writes a checkpoint)")
    parser.add_argument("--runs", type=int, default=5, help="runs per command (default 5)")
    parser.add_argument("--command", action="append", help="a command line after `python -m core` (repeatable)")
    parser.add_argument("--json-out", help="also write the figures to this JSON file")
    args = parser.parse_args()

    figures: dict = {"load_average_before": loadavg(), "commands": []}
    for command in args.command or DEFAULT_COMMANDS:
        figures["commands"].append(measure(command, args.home, max(1, args.runs)))
    figures["load_average_after"] = loadavg()
    print(json.dumps(figures, indent=2))
    for row in figures["commands"]:
        print(f"{row['p50_s']:6.2f} s p50 ({row['min_s']}-{row['max_s']})  {row['command']}")
    print(f"load average before {figures['load_average_before']}, after {figures['load_average_after']}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
