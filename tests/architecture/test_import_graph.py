"""The apps import each other in one direction only: no cycle, so each can be read (and moved)
with what is below it.

Imports under ``if TYPE_CHECKING:`` name types only and never run, so they do not count; an
import inside a function does, because it runs.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "lib",
    "mail",
    "accounts",
    "sessions_app",
    "chunking",
    "api",
    "realtime",
    "images",
    "blog",
    "config",
)


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for package in PACKAGES:
        for source in (ROOT / package).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            for module in _imported_modules(ast.parse(source.read_text())):
                target = module.split(".")[0]
                if target in PACKAGES and target != package:
                    graph[package].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path, or None."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in visiting:
            return [*visiting[visiting.index(node) :], node]
        if node in done:
            return None
        visiting.append(node)
        for target in sorted(graph.get(node, ())):
            if found := visit(target):
                return found
        visiting.pop()
        done.add(node)
        return None

    for start in sorted(graph):
        if found := visit(start):
            return found
    return None


def test_the_apps_import_each_other_without_a_cycle():
    cycle = _cycle(_package_graph())

    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_lib_imports_no_app():
    assert _package_graph()["lib"] == set()


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
