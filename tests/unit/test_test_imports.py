"""Tests never import other test modules as libraries (issue 15): shared helpers live in helper modules or conftest.py.

A test module imported by another runs its tests' module-level code twice and drags its fixtures along by name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, name) of every import in ``tree`` of a module (or a name) whose own name starts with ``test_``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names = [module, *(f"{module}.{alias.name}".lstrip(".") if module.strip(".") else alias.name
                               for alias in node.names)]
        else:
            continue
        for name in names:
            if any(part.startswith("test_") for part in name.split(".")):
                yield node.lineno, name
                break


def offenders() -> list[str]:
    return [f"{path.relative_to(TESTS.parent)}:{line} imports {name}"
            for path in sorted(TESTS.rglob("*.py"))
            for line, name in imported_test_modules(ast.parse(path.read_text(encoding="utf-8"), str(path)))]


def test_no_test_module_is_imported_by_another_module() -> None:
    found = offenders()
    assert not found, "move the shared helpers out of the test modules:\n" + "\n".join(found)


def test_the_check_sees_every_way_of_importing_a_test_module() -> None:
    sources = ["import tests.e2e.test_console", "from tests.e2e.test_console import check_page",
               "from tests.e2e import test_console", "from .test_console import check_page", "from . import test_console"]
    for source in sources:
        assert [name for _, name in imported_test_modules(ast.parse(source))], source
    helpers = "import tests.e2e.console_pages\nfrom tests.e2e.console_pages import check_page\nfrom . import factories"
    assert list(imported_test_modules(ast.parse(helpers))) == []
