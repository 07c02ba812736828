"""The architecture as tests: layers, boundaries and sizes, read from the source (milliseconds).

``core/`` is one package per pipeline stage. A module may import from its own package and from
lower layers only; nothing in ``core`` knows the screens, and the screens know no heavy library.
Every import counts, including those inside functions (lazy imports hide a dependency, they do
not remove it).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"

# Lower layers first; a package may import its own layer's siblings only where no cycle follows.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("config", "errors", "files"),
    ("data",),
    ("understanding",),
    ("model",),
    ("index",),
    ("explore", "curation", "reports"),
    ("stylist",),
    ("pipeline",),
    ("cli", "__main__"),
)
LAYER_OF = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}

SCREEN_FORBIDDEN = ("chromadb", "torch", "sentence_transformers", "langchain", "langchain_core",
                    "langchain_openai", "langgraph", "umap", "transformers", "onnxruntime")
CORE_FORBIDDEN = ("streamlit", "plotly", "altair")

MAX_LINES = 400
# Modules allowed over MAX_LINES, with their size today: a count may only fall (lower it when a
# module shrinks; remove the entry when it fits).
OVERSIZE: dict[str, int] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def core_files() -> tuple[Path, ...]:
    return tuple(sorted(CORE.rglob("*.py")))


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imports(path: Path) -> list[tuple[str, tuple[str, ...], int]]:
    """``(module, names, line)`` for every import in the file, at any depth; relative ones resolved."""
    found = []
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            found += [(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found.append((base, tuple(alias.name for alias in node.names), node.lineno))
    return found


@cache
def core_modules() -> frozenset[str]:
    return frozenset(module_name(p) for p in core_files())


def core_targets(path: Path) -> set[str]:
    """The ``core`` modules a file imports (``from core.data import catalog`` counts as core.data.catalog)."""
    targets = set()
    for module, names, _ in imports(path):
        if not (module == "core" or module.startswith("core.")):
            continue
        submodules = {f"{module}.{name}" for name in names} & core_modules()
        targets |= submodules or {module}
    return targets


def top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def python_files(*folders: str) -> list[Path]:
    files = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    return files + ([ROOT / "Home.py"] if "pages" in folders else [])


def test_core_never_imports_the_screens_libraries():
    offenders = [f"{p.relative_to(ROOT)}:{line} imports {module}"
                 for p in core_files() for module, _, line in imports(p)
                 if module.split(".")[0] in CORE_FORBIDDEN + ("dashboard", "pages")]
    assert not offenders, offenders


def test_screens_never_import_heavy_libraries():
    offenders = [f"{p.relative_to(ROOT)}:{line} imports {module}"
                 for p in python_files("pages", "dashboard") for module, _, line in imports(p)
                 if module.split(".")[0] in SCREEN_FORBIDDEN]
    assert not offenders, offenders


def test_every_core_package_has_a_layer():
    packages = {top(m) for m in core_modules() if m != "core"}
    assert packages <= set(LAYER_OF), f"packages without a layer: {sorted(packages - set(LAYER_OF))}"


def test_layers_are_respected():
    offenders = []
    for path in core_files():
        me = module_name(path)
        if me == "core":
            continue
        for target in core_targets(path):
            if target == "core":
                offenders.append(f"{me} imports the bare core package")
            elif LAYER_OF[top(target)] > LAYER_OF[top(me)]:
                offenders.append(f"{me} (layer {LAYER_OF[top(me)]}) imports {target} (layer {LAYER_OF[top(target)]})")
    assert not offenders, "\n".join(offenders)


def test_no_import_cycle_inside_core():
    graph = {module_name(p): core_targets(p) - {module_name(p)} for p in core_files()}
    # A package's __init__ is imported with any of its modules: an edge to core.x.y implies core.x.
    for me, targets in graph.items():
        targets |= {t.rsplit(".", 1)[0] for t in targets if t.rsplit(".", 1)[0] in graph} - {me}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph or nxt == "core" or node.startswith(nxt + "."):
                continue  # importing one's own package's __init__ is not a cycle through code
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_environment_read_only_in_config():
    offenders = []
    for path in python_files("core", "dashboard", "pages"):
        if path == CORE / "config.py":
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} uses os.{node.attr}")
    assert not offenders, offenders


def test_argparse_and_print_only_in_the_command_line():
    cli = CORE / "cli"
    offenders = []
    for path in core_files():
        if cli in path.parents or path.name == "__main__.py":
            continue
        offenders += [f"{path.relative_to(ROOT)}:{line} imports argparse"
                      for module, _, line in imports(path) if module == "argparse"]
        offenders += [f"{path.relative_to(ROOT)}:{node.lineno} calls print"
                      for node in ast.walk(tree(path))
                      if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]
    assert not offenders, offenders


def test_no_module_imports_another_modules_private_names():
    offenders = []
    for path in python_files("core", "dashboard", "pages"):
        me = module_name(path)
        for module, names, line in imports(path):
            if module == me:
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private or any(part.startswith("_") and not part.startswith("__") for part in module.split(".")):
                offenders.append(f"{path.relative_to(ROOT)}:{line} from {module} import {', '.join(private) or '...'}")
    assert not offenders, offenders


def test_module_size_ratchet():
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in python_files("core", "dashboard", "pages")}
    too_big = {name: n for name, n in sizes.items() if n > OVERSIZE.get(name, MAX_LINES)}
    assert not too_big, f"over {MAX_LINES} lines (or grown past the allow-list): {too_big}"
    stale = {name: (limit, sizes.get(name)) for name, limit in OVERSIZE.items()
             if sizes.get(name, 0) < limit}
    assert not stale, f"shrunk: lower the allow-list to the new size (or remove it): {stale}"


def test_every_page_is_in_the_navigation():
    from tests.test_app_pages import PAGES

    router = (ROOT / "dashboard" / "router.py").read_text(encoding="utf-8")
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))
    assert files == sorted(PAGES), "every file in pages/ has an AppTest smoke test, and nothing else"
    missing = [f for f in files if f'"{f}"' not in router]
    assert not missing, f"pages missing from dashboard/router.py: {missing}"


@pytest.mark.parametrize("folder", ["core", "dashboard", "pages"])
def test_every_module_says_what_it_owns(folder):
    undocumented = [str(p.relative_to(ROOT)) for p in python_files(folder)
                    if p.name != "__main__.py" and not ast.get_docstring(tree(p))]
    assert not undocumented, undocumented
