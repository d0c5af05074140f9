"""The package's import graph: no module imports itself back, and the lower layers do
not reach up into the server or the simulator.

The graph is read with the standard library's ``ast`` (no import is run): an edge for
every import a module makes when it is imported, at its top level, inside a top-level
``if``/``try`` (``if TYPE_CHECKING:`` included: a cycle of types is one too), never one
inside a function, which runs later and is the way to defer a heavy dependency.
``graphlib`` finds the cycles. Hand-written because the well-kept tools for this
(import-linter, grimp) are not among the project's dependencies, and this is 40 lines.
"""

from __future__ import annotations

import ast
import graphlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "robotest"
Graph = dict[str, set[str]]


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package at *root*, by dotted name."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _import_time_nodes(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run when a module is imported (not function or class bodies)."""
    for node in body:
        yield node
        if isinstance(node, ast.If | ast.Try):
            for block in (node.body, node.orelse, *[h.body for h in getattr(node, "handlers", [])]):
                yield from _import_time_nodes(block)


def _imported(node: ast.stmt, module: str, is_package: bool, known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if not isinstance(node, ast.ImportFrom):
        return set()
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    found = set()
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        found.add(submodule if submodule in known else base)
    return found


def import_graph(root: Path) -> Graph:
    """Module -> the package's modules it imports when it is imported."""
    modules = module_names(root)
    known = set(modules)
    graph: Graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        edges = set()
        for node in _import_time_nodes(tree.body):
            edges |= _imported(node, name, is_package, known)
        graph[name] = {edge for edge in edges if edge in known and edge != name}
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle of *graph* (its first module repeated at the end), or None."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def test_the_package_has_no_import_cycle() -> None:
    cycle = find_cycle(import_graph(ROOT))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_a_cycle_is_found_where_there_is_one(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .. import a\n"
    )
    (package / "c.py").write_text("def later():\n    from pkg import a\n")
    graph = import_graph(package)
    assert graph["pkg.c"] == set()  # an import inside a function is no edge
    assert sorted(find_cycle(graph) or ()) == ["pkg.a", "pkg.a", "pkg.sub.b"]


@pytest.mark.parametrize(
    ("layer", "above"),
    [
        ("robotest.runtime", "robotest.server"),
        ("robotest.runtime", "robotest.sim"),
        ("robotest.dsl", "robotest.server"),
        ("robotest.vision", "robotest.runtime"),
        ("robotest.station_sync", "robotest.runtime"),
    ],
)
def test_a_lower_layer_does_not_import_a_higher_one(layer: str, above: str) -> None:
    graph = import_graph(ROOT)
    reaching = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if target == above or target.startswith(above + ".")
    )
    assert reaching == []
