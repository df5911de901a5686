"""The house layout that lint can't see: no import cycle, no shared class name, imports explained.

An import inside a function still ties two modules together: a cycle hidden
that way breaks as soon as someone moves the import to the top, so the
graph here takes every `import` in a module, wherever it is.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "studylog"


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(path: Path) -> set[str]:
    """The studylog modules `path` imports anywhere in it (functions and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module in MODULES and node.level == 0:
            # `from studylog.cli import render` imports the submodule, not the package's names.
            submodules = {f"{node.module}.{alias.name}" for alias in node.names} & MODULES.keys()
            found.update(submodules)
            if len(submodules) < len(node.names):
                found.add(node.module)
    return found - {module_name(path)}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph` as a path that ends where it starts, or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return path[path.index(name) :] + [name]
        if name in done:
            return None
        for target in sorted(graph.get(name, ())):
            cycle = visit(target, [*path, name])
            if cycle is not None:
                return cycle
        done.add(name)
        return None

    for name in sorted(graph):
        cycle = visit(name, [])
        if cycle is not None:
            return cycle
    return None


def test_no_import_cycle_even_through_lazy_imports() -> None:
    graph = {name: imported_modules(path) for name, path in MODULES.items()}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_lazy_cycle() -> None:
    # The finder must bite, or the test above proves nothing.
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_two_classes_share_a_name() -> None:
    names: Counter[str] = Counter()
    for path in MODULES.values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names.update(node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef))
    assert [name for name, count in names.items() if count > 1] == []


def unexplained_imports(path: Path) -> list[int]:
    """Lines of in-function import blocks with no comment above them or beside them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    found: list[int] = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if not isinstance(inner, ast.Import | ast.ImportFrom):
                continue
            # The block of import lines this one belongs to shares one comment.
            start = inner.lineno
            while start > 1 and lines[start - 2].strip().startswith(("import ", "from ")):
                start -= 1
            above = lines[start - 2].strip() if start > 1 else ""
            beside = "#" in lines[inner.lineno - 1]
            if not (above.startswith("#") or beside):
                found.append(inner.lineno)
    return found


def test_every_import_inside_a_function_says_why() -> None:
    # ruff keeps the heavy libraries out of module level (TID253); an import
    # left inside a function for another reason must say which.
    missing = {
        name: lines for name, path in MODULES.items() if (lines := unexplained_imports(path))
    }
    assert missing == {}


def test_the_reason_check_bites(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "def f():\n    import json\n\n\ndef g():\n    # why\n    import json\n",
        encoding="utf-8",
    )
    assert unexplained_imports(probe) == [2]


def test_contributing_maps_every_module() -> None:
    # The newcomer's map in CONTRIBUTING.md names every module of the package.
    layout = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8").split("## The layout")[1]
    unmapped = [name for name, path in MODULES.items() if f" {path.name} " not in layout]
    assert unmapped == []
