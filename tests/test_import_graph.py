"""The package's modules import each other without a cycle.

A cycle hidden by a function-level import works until someone moves that import to the top (or
imports the modules in another order), so every import counts here: module level, inside
functions and under ``TYPE_CHECKING``. The graph is read from the source with ``ast``, so the
test covers modules added later without being told about them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "nlp_pipeline"


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of a (possibly relative) ``from`` import inside ``module``."""
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports.

    A ``from pkg import name`` that names a submodule imports that submodule; importing a module
    also runs its parent packages' ``__init__``, except the importer's own parents, which are
    already initialised (``loaders/__init__`` importing its readers is no cycle with them). A
    name that is no submodule is a real use of the module it comes from, parent or not.
    """
    paths = {_module_name(p, root): p for p in (root / package).rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        parts = name.split(".")
        own_parents = {".".join(parts[:i]) for i in range(1, len(parts))}

        def with_parents(target: str, own: set[str] = own_parents) -> set[str]:
            bits = target.split(".")
            return {".".join(bits[:i]) for i in range(1, len(bits) + 1)} - own

        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    deps |= with_parents(alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                deps |= with_parents(base)
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    deps |= with_parents(sub) if sub in paths else {base}
        graph[name] = {d for d in deps if d in paths and d != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that starts and ends at the same module, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep):], dep]
            if dep not in state and (cycle := visit(dep)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "nlp_pipeline.loaders.pdf" in graph and len(graph) > 30  # the walk found the package
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


def test_format_readers_do_not_import_the_loaders_package() -> None:
    """The readers take their helpers from ``base`` and ``files``; ``loaders/__init__`` (which
    dispatches to them) must stay above them."""
    graph = import_graph()
    readers = [m for m in graph if m.startswith("nlp_pipeline.loaders.")]
    assert {"nlp_pipeline.loaders.base", "nlp_pipeline.loaders.files", "nlp_pipeline.loaders.html"} <= set(readers)
    assert [m for m in readers if "nlp_pipeline.loaders" in graph[m]] == []


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, None),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
        ({"a": {"a"}}, ["a", "a"]),
        ({"a": {"b", "c"}, "b": {"c"}, "c": set(), "d": {"e"}, "e": {"d"}}, ["d", "e", "d"]),
    ],
)
def test_find_cycle(edges: dict[str, set[str]], cycle: list[str] | None) -> None:
    assert find_cycle(edges) == cycle


def test_import_graph_sees_relative_and_lazy_imports(tmp_path: Path) -> None:
    """The old loader cycle, rebuilt: a reader importing a helper back from the module that
    imports it lazily, inside a function."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "loading.py").write_text("def load():\n    from .sub.reader import read\n", encoding="utf-8")
    (pkg / "sub" / "__init__.py").write_text("from . import reader\n", encoding="utf-8")
    (pkg / "sub" / "reader.py").write_text("from ..loading import load\nimport pkg.other\n", encoding="utf-8")
    (pkg / "other.py").write_text("", encoding="utf-8")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {
        "pkg": set(),
        "pkg.loading": {"pkg.sub", "pkg.sub.reader"},
        "pkg.sub": {"pkg.sub.reader"},
        "pkg.sub.reader": {"pkg.loading", "pkg.other"},
        "pkg.other": set(),
    }
    assert find_cycle(graph) == ["pkg.loading", "pkg.sub", "pkg.sub.reader", "pkg.loading"]
