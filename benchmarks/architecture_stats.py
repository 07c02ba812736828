"""Size and shape of ``core/``: folders, modules, lines, the largest modules, in-function imports, cycles.

    python -m benchmarks.architecture_stats [--root DIR]

Reads source only (milliseconds). ``--root`` points at another checkout (e.g. a ``git worktree``
of an older commit) to compare before and after. An import counts wherever it stands, inside
functions too; ``from core.x import y`` counts as an edge to ``core.x.y`` when that is a module,
else to ``core.x``.
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stats(root: Path) -> dict:
    files = sorted((root / "core").rglob("*.py"))
    names = {module_name(root, p) for p in files}
    sizes = {str(p.relative_to(root)): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    graph: dict[str, set[str]] = {}
    in_function = 0
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_function += imports_in_functions(tree)
        me = module_name(root, path)
        edges = graph.setdefault(me, set())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("core"):
                submodules = {f"{node.module}.{a.name}" for a in node.names} & names
                edges |= submodules or ({node.module} & names)
            elif isinstance(node, ast.Import):
                edges |= {a.name for a in node.names} & names
        edges.discard(me)
        edges -= {p for p in edges if me.startswith(p + ".")}  # one's own package's __init__
    return {"folders": len({p.parent for p in files}), "modules": len(files), "lines": sum(sizes.values()),
            "largest": max(sizes.items(), key=lambda item: item[1]),
            "over_400": sorted(((n, f) for f, n in sizes.items() if n > 400), reverse=True),
            "in_function_imports": in_function, "cycles": cycles(graph)}


def imports_in_functions(node: ast.AST, inside: bool = False) -> int:
    """Import statements that stand inside a function body (at any depth), each counted once."""
    count = int(inside and isinstance(node, (ast.Import, ast.ImportFrom)))
    inside = inside or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    return count + sum(imports_in_functions(child, inside) for child in ast.iter_child_nodes(node))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help="project checkout")
    figures = stats(Path(parser.parse_args().root))
    for key, value in figures.items():
        print(f"{key:<20} {value}")


if __name__ == "__main__":
    main()
