"""The benchmarks stand on the site's code alone: a change to a test helper must never change
what a published benchmark measured, so no bench/ module imports from tests/."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(source: Path) -> list[str]:
    found: list[str] = []
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return found


def test_no_bench_module_imports_the_test_suite():
    offenders = {
        str(source.relative_to(ROOT)): module
        for source in sorted((ROOT / "bench").rglob("*.py"))
        if "node_modules" not in source.parts
        for module in _imported_modules(source)
        if module == "tests" or module.startswith("tests.")
    }

    assert offenders == {}
