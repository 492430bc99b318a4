"""Gates on the shape of ``src/truyenthanh``: no import cycle, no overlong function, no overgrown class.

The rules:

* **Import cycles.** The graph's nodes are the modules of ``truyenthanh``; an edge is any import of one by
  another, at module level or inside a function (a deferred import still runs, so it still ties the two modules
  together), but not one under ``if TYPE_CHECKING:`` (it never runs). A package's ``__init__`` counts only for
  what it imports itself: importing ``a.b.c`` is an edge to ``a.b.c``, as import-linter and grimp see it. Any
  strongly connected component of two or more modules (or a module importing itself) fails the test.
* **Function length.** No function or method in ``src/`` spans more than :data:`MAX_FUNCTION_LINES` lines, from
  its ``def`` to its last line (decorators excluded). Alembic migrations (``adapters/db/migrations/versions/``)
  are exempt: a migration is the schema as it was written on its day and is never edited afterwards.
* **Class size.** No class in ``src/`` has more than :data:`MAX_ATTRIBUTES` attributes, counting every name
  assigned as ``self.NAME`` in its own methods plus every name annotated in its body. Records are exempt,
  because their fields are data, not state a reader has to keep in mind:

  - pydantic models and settings (a base named ``BaseModel`` or ``BaseSettings``);
  - SQLModel tables (``class X(SQLModel, table=True)``);
  - dataclasses whose methods are only properties, dunders and JSON conversions (``to_json``, ``from_json``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import grimp
import pytest

import truyenthanh

SRC = Path(truyenthanh.__file__).parent
MAX_FUNCTION_LINES = 80
MAX_ATTRIBUTES = 15
MIGRATIONS = SRC / "adapters" / "db" / "migrations" / "versions"
RECORD_BASES = {"BaseModel", "BaseSettings"}
RECORD_METHODS = {"to_json", "from_json"}


def import_graph(package: str) -> dict[str, set[str]]:
    """Every module of ``package`` and the modules of ``package`` it imports (``TYPE_CHECKING`` imports left
    out)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    inside = {module for module in graph.modules if module == package or module.startswith(package + ".")}
    return {module: set(graph.find_modules_directly_imported_by(module)) & inside for module in inside}


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` that form a cycle, each sorted (Tarjan's algorithm,
    iterative so a deep graph cannot overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def _python_files() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC.parent), ast.parse(path.read_text(encoding="utf-8"), str(path))


def long_functions(limit: int = MAX_FUNCTION_LINES) -> list[str]:
    """``path:line name (N lines)`` for each function in ``src/`` longer than ``limit`` (migrations exempt)."""
    found = []
    for path, tree in _python_files():
        if (SRC.parent / path).is_relative_to(MIGRATIONS):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > limit:
                    found.append(f"{path}:{node.lineno} {node.name} ({length} lines)")
    return found


def _base_name(base: ast.expr) -> str:
    if isinstance(base, ast.Attribute):
        return base.attr
    return base.id if isinstance(base, ast.Name) else ""


def _is_record(node: ast.ClassDef) -> bool:
    if any(_base_name(base) in RECORD_BASES for base in node.bases):
        return True
    if any(
        keyword.arg == "table" and isinstance(keyword.value, ast.Constant) and keyword.value.value is True
        for keyword in node.keywords
    ):
        return True
    dataclass = any(
        _base_name(decorator.func if isinstance(decorator, ast.Call) else decorator) == "dataclass"
        for decorator in node.decorator_list
    )
    methods = [item for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
    return dataclass and all(
        method.name in RECORD_METHODS
        or (method.name.startswith("__") and method.name.endswith("__"))
        or any(_base_name(decorator) == "property" for decorator in method.decorator_list)
        for method in methods
    )


def attributes(node: ast.ClassDef) -> set[str]:
    """The names a class holds: ``self.NAME`` assigned in its own methods and names annotated in its body."""
    names = {
        item.target.id for item in node.body if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
    }
    pending: list[ast.AST] = [item for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)]
    while pending:
        current = pending.pop()
        for child in ast.iter_child_nodes(current):
            if isinstance(child, ast.ClassDef):
                continue  # a nested class holds its own attributes
            if (
                isinstance(child, ast.Attribute)
                and isinstance(child.ctx, ast.Store)
                and isinstance(child.value, ast.Name)
                and child.value.id == "self"
            ):
                names.add(child.attr)
            pending.append(child)
    return names


def large_classes(limit: int = MAX_ATTRIBUTES) -> list[str]:
    """``path:line name (N attributes)`` for each class in ``src/`` over ``limit`` attributes (records exempt)."""
    found = []
    for path, tree in _python_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and not _is_record(node):
                count = len(attributes(node))
                if count > limit:
                    found.append(f"{path}:{node.lineno} {node.name} ({count} attributes)")
    return found


def test_cycles_finds_each_cycle_once_and_ignores_chains() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert cycles(graph) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_import_graph_counts_deferred_imports_but_not_type_checking_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "cyclepkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cyclepkg import two\n"
    )
    (package / "two.py").write_text("import cyclepkg.one\n\ndef later():\n    from cyclepkg import three\n")
    (package / "three.py").write_text("from cyclepkg import two\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = import_graph("cyclepkg")
    assert graph["cyclepkg.one"] == set()
    assert cycles(graph) == [["cyclepkg.three", "cyclepkg.two"]]


def test_no_import_cycle_in_src() -> None:
    assert cycles(import_graph("truyenthanh")) == []


def test_size_rules_see_what_they_should() -> None:
    source = (
        "from dataclasses import dataclass\n"
        "@dataclass\nclass Row:\n    a: int\n    b: int\n    def to_json(self): return {}\n"
        "class Holder:\n    c: int\n    def __init__(self):\n"
        "        self.d = 1\n        if True:\n            self.e = 2\n"
        "    class Inner:\n        def __init__(self):\n            self.f = 3\n"
    )
    row, holder = (node for node in ast.parse(source).body if isinstance(node, ast.ClassDef))
    assert _is_record(row)
    assert not _is_record(holder)
    assert attributes(holder) == {"c", "d", "e"}


def test_no_function_over_80_lines_and_no_class_over_15_attributes() -> None:
    assert long_functions() == []
    assert large_classes() == []
