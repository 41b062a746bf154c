"""The package map: ``shared/`` and ``services/`` never import ``relais``; the registry lists every service."""

from __future__ import annotations

import ast
from pathlib import Path

from relais.services import REGISTRY
from shared.settings import SERVICES

ROOT = Path(__file__).resolve().parents[3]


def imported_modules(source: Path) -> list[str]:
    """Every module ``source`` imports (absolute imports, at any depth of the module)."""
    names = []
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_shared_and_services_never_import_relais() -> None:
    sources = [path for package in ("shared", "services") for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(sources) > 100
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources
        for name in imported_modules(path)
        if name == "relais" or name.startswith("relais.")
    ]
    assert offenders == []


def test_the_registry_lists_every_folder_under_services_in_order() -> None:
    folders = sorted(path.name for path in (ROOT / "services").iterdir() if (path / "__init__.py").is_file())

    assert sorted(REGISTRY) == folders
    assert tuple(REGISTRY) == SERVICES
    for name, service in REGISTRY.items():
        assert service.name == name
        assert (service.migrations / "env.py").is_file()
        module, _, factory = service.app_factory.partition(":")
        assert (ROOT / f"{module.replace('.', '/')}.py").is_file() and factory
