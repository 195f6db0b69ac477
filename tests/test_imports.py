"""The engine's modules import each other one way only: no module reaches itself through its imports,
and no file anywhere in the repository (pages, ui, bench, scripts, tests) does either. The modules
beside the rooms import nothing of the engine. And the engine never imports Streamlit: the pages use
it, the command line and the benchmarks do not.

Imports inside functions count too: a lazy import that closes a loop still
ties the two modules together.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

PACKAGE = "lstm_poem"


def engine_imports() -> dict[str, set[str]]:
    """Each engine module's dotted name inside the package (``training.train``) -> the engine modules it
    imports (anywhere in the file). A subpackage's ``__init__`` is the subpackage's own name."""
    modules = {
        ".".join(path.relative_to(ROOT / PACKAGE).with_suffix("").parts).removesuffix("__init__").rstrip("."): path
        for path in (ROOT / PACKAGE).rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        used: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == PACKAGE:
                base = node.module.removeprefix(PACKAGE).lstrip(".")
                for alias in node.names:
                    full = f"{base}.{alias.name}".lstrip(".")
                    used.add(full if full in modules else base)
            elif isinstance(node, ast.Import):
                used |= {
                    alias.name.removeprefix(PACKAGE + ".")
                    for alias in node.names
                    if alias.name.startswith(PACKAGE + ".")
                }
        graph[name] = used - {name, ""}
    graph.pop("", None)  # the package's own __init__
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
    dotted = {name.rpartition(".")[2]: name for name in graph}
    progress = graph[dotted["progress"]]
    assert {dotted["records"], dotted["train_config"]} <= progress and dotted["train"] not in progress
    loop = find_cycle(graph)
    assert loop is None, "engine modules import each other: " + " -> ".join(loop or [])


def repo_imports() -> dict[str, set[str]]:
    """Every Python file of the repository (engine, pages, ui, bench, scripts, tests) by its dotted path from
    the root (``bench.class_load``) -> the repository's modules it imports, anywhere in the file. A bare name
    is looked up beside the importer too: a script's or a test's own folder is on its ``sys.path``."""
    paths = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(ROOT).parts)
    }

    def resolve(name: str, importer: str) -> str | None:
        folder = importer.rpartition(".")[0]
        for candidate in (name, f"{folder}.{name}".lstrip(".")):
            if candidate in paths:
                return candidate
        return None

    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        used: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = ".".join(filter(None, [package if node.level else "", node.module or ""]))
                for alias in node.names:
                    found = resolve(f"{base}.{alias.name}".lstrip("."), name) or resolve(base, name)
                    used |= {found} if found else set()
            elif isinstance(node, ast.Import):
                used |= {found for alias in node.names if (found := resolve(alias.name, name))}
        graph[name] = used - {name}
    return graph


def test_no_import_circle_anywhere_in_the_repository():
    graph = repo_imports()
    assert {"bench.class_load", "bench.whole_class", "ui.session_runs", "tests.conftest"} <= set(graph)
    assert "bench.students" in graph["bench.whole_class"] and "tests.conftest" in graph["tests.test_imports"]
    loop = find_cycle(graph)
    assert loop is None, "these files import each other: " + " -> ".join(loop or [])


# The engine's rooms, bottom first: each imports only the rooms before it here (docs/architecture.md).
ROOMS = ("text", "network", "files", "training", "measuring", "running", "teaching", "command_line")


def test_each_room_imports_only_the_rooms_below_it():
    rooms = sorted(path.name for path in (ROOT / PACKAGE).iterdir() if (path / "__init__.py").is_file())
    assert rooms == sorted(ROOMS), "a new subpackage needs its place in ROOMS (and in docs/architecture.md)"
    level = {room: index for index, room in enumerate(ROOMS)}
    upward = [
        f"{module} imports {used}"
        for module, imports in engine_imports().items()
        for used in imports
        if "." in module and "." in used and level[used.split(".")[0]] > level[module.split(".")[0]]
    ]
    assert upward == [], "a room imports a room above it"


# Beside the rooms and below all of them (docs/architecture.md): every room may import these, and they
# import no engine module.
GROUND_FLOOR = ("checks", "limits", "units")


def test_the_ground_floor_imports_nothing_of_the_engine():
    beside_rooms = sorted(path.stem for path in (ROOT / PACKAGE).glob("*.py") if not path.stem.startswith("__"))
    assert beside_rooms == sorted(GROUND_FLOOR), "a new module beside the rooms needs its place in GROUND_FLOOR"
    graph = engine_imports()
    assert {name: graph[name] for name in GROUND_FLOOR} == {name: set() for name in GROUND_FLOOR}


def imported_names(path) -> set[str]:
    """The top-level names of every module ``path`` imports, anywhere in the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_engine_never_imports_streamlit():
    engine = sorted((ROOT / PACKAGE).rglob("*.py"))
    assert len(engine) > 20
    importers = [str(path.relative_to(ROOT)) for path in engine if "streamlit" in imported_names(path)]
    assert importers == [], "the engine must not import streamlit"
    # Nor through anything it imports: every engine module loaded in a fresh interpreter.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import importlib, pkgutil, sys, lstm_poem\n"
            "for module in pkgutil.walk_packages(lstm_poem.__path__, 'lstm_poem.'):\n"
            "    if not module.name.endswith('__main__'):\n"
            "        importlib.import_module(module.name)\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] == 'streamlit'))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert loaded.stdout.strip() == "[]"


def test_scripts_that_make_shipped_files_do_not_import_the_benchmarks():
    """What scripts/ builds (pretrained models, the improvements table) depends on the engine only."""
    for path in sorted((ROOT / "scripts").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            assert not any(m.split(".")[0] == "bench" for m in modules), f"{path.name} imports {modules}"
