"""How the code is laid out: imports point one way, and the command line is one package over services."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("newswatch", "extractors", "alerts", "storage", "flows")
CLI = ROOT / "newswatch" / "cli"
# The CLI's layers, lowest first: a module may import the ones before it, never a later one or a sibling.
CLI_LAYERS = ("base", "running", "demo")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The project modules `path` imports (at module level only, or anywhere in it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _sources() -> dict[str, Path]:
    return {
        _module(p): p
        for package in PACKAGES
        for p in (ROOT / package).rglob("*.py")
        if "migrations" not in p.parts and "newsroom" not in p.parts[-2:-1]
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_level_import_cycle_in_the_project() -> None:
    sources = _sources()
    graph = {
        name: {i for i in _imports(path, top_level_only=True) if i in sources and i != name}
        for name, path in sources.items()
    }
    assert _cycle(graph) is None


def test_command_modules_import_only_the_layers_below_them() -> None:
    for path in sorted(CLI.glob("*.py")):
        name = path.stem
        cli_imports = {
            i.split(".")[2] for i in _imports(path, top_level_only=False) if i.startswith("newswatch.cli.")
        }
        if name == "__init__":
            continue  # the entry module registers every command module
        allowed = set(CLI_LAYERS[: CLI_LAYERS.index(name)]) if name in CLI_LAYERS else set(CLI_LAYERS)
        assert cli_imports <= allowed, (name, cli_imports - allowed)


def test_nothing_outside_the_command_line_imports_it() -> None:
    for name, path in _sources().items():
        if name.startswith("newswatch.cli") or name == "newswatch.__main__":
            continue
        assert not any(i.startswith("newswatch.cli") for i in _imports(path, top_level_only=False)), name


def test_the_pure_core_never_imports_prefect() -> None:
    for package in ("extractors", "alerts", "storage"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else []
                )
                assert not any(n.split(".")[0] == "prefect" for n in names), path
