"""The engine's modules import each other one way only: no module reaches itself through its imports.

Imports inside functions count too: a lazy import that closes a loop still
ties the two modules together.
"""

from __future__ import annotations

import ast

from conftest import ROOT

PACKAGE = "lstm_poem"


def engine_imports() -> dict[str, set[str]]:
    """Each engine module's name -> the engine modules it imports (anywhere in the file)."""
    modules = {path.stem: path for path in (ROOT / PACKAGE).glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        used: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == PACKAGE:
                used |= {alias.name for alias in node.names if alias.name in modules}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PACKAGE + "."):
                used.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                used |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith(PACKAGE + ".")}
        graph[name] = used - {name, "__init__"}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop as a path that ends where it starts, or None."""
    finished: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in finished:
            return None
        for target in sorted(graph.get(name, ())):
            loop = visit(target, [*path, name])
            if loop:
                return loop
        finished.add(name)
        return None

    for start in sorted(graph):
        loop = visit(start, [])
        if loop:
            return loop
    return None


def test_find_cycle_reports_a_loop():
    assert find_cycle({"train": {"progress"}, "progress": {"train", "records"}, "records": set()}) == [
        "progress",
        "train",
        "progress",
    ]
    assert find_cycle({"train": {"progress", "records"}, "progress": {"records"}, "records": set()}) is None


def test_engine_imports_run_one_way():
    graph = engine_imports()
    assert {"records", "train_config"} <= graph["progress"] and "train" not in graph["progress"]
    loop = find_cycle(graph)
    assert loop is None, "engine modules import each other: " + " -> ".join(loop or [])
