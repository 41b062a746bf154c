"""The placement rule of the README's Layout section, checked on every service under ``services/``.

Each module is read with :mod:`ast` (nothing is imported): its room is the folder under the service
(``domain``, ``service_layer``, ``adapters``, ``entrypoints``) or the file at the service's root
(``bootstrap.py``, ``read_models.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"
SERVICES = sorted(path.name for path in SERVICES_DIR.iterdir() if (path / "__init__.py").is_file())
ROOMS = ("domain", "service_layer", "adapters", "entrypoints")

WEB_AND_BROKER = ("fastapi", "faststream", "starlette")
"""Only entrypoints/ and bootstrap.py import these: HTTP routes and pages, Kafka subscribers."""
INPUT_OUTPUT = (*WEB_AND_BROKER, "sqlalchemy", "aiokafka", "aiosqlite", "asyncpg", "httpx", "asyncio", "socket",
                "shared.storage", "shared.messaging", "shared.outgoing", "shared.service", "shared.privacy.vault")
"""What the domain never imports: it is pure rules (no database, broker, network, clock loop)."""
SQL_STATEMENTS = frozenset({"select", "insert", "update", "delete", "text", "func", "bindparam", "tuple_", "and_",
                            "or_", "literal", "case", "exists", "union", "union_all"})
"""SQLAlchemy's statement builders: the SQL of read models and queries is written in adapters/."""


@dataclass(frozen=True)
class Module:
    service: str
    path: Path
    tree: ast.Module

    @property
    def room(self) -> str:
        """``domain``, ``service_layer``, ``adapters``, ``entrypoints``, or the root file's name (``bootstrap.py``)."""
        return self.path.relative_to(SERVICES_DIR / self.service).parts[0]

    @property
    def name(self) -> str:
        return str(self.path.relative_to(SERVICES_DIR.parent))

    def imports(self) -> Iterator[tuple[int, str, tuple[str, ...]]]:
        """(line, module, names imported from it) of every import, at any depth (relative ones resolved)."""
        package = ".".join(self.path.relative_to(SERVICES_DIR.parent).with_suffix("").parts[:-1])
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield node.lineno, alias.name, ()
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join([*base, module] if module else base)
                yield node.lineno, module, tuple(alias.name for alias in node.names)
            elif (isinstance(node, ast.Call) and _called(node) == "import_module" and node.args
                  and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                yield node.lineno, node.args[0].value, ()

    def calls(self, name: str) -> list[int]:
        """Lines calling ``name`` (``name(...)`` or ``anything.name(...)``, decorators included)."""
        return [node.lineno for node in ast.walk(self.tree) if isinstance(node, ast.Call) and _called(node) == name]

    def protocols(self) -> list[str]:
        """The classes deriving from ``typing.Protocol``."""
        return [node.name for node in ast.walk(self.tree) if isinstance(node, ast.ClassDef)
                and any((isinstance(base, ast.Name) and base.id == "Protocol")
                        or (isinstance(base, ast.Attribute) and base.attr == "Protocol") for base in node.bases)]


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _within(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


@cache
def modules(service: str) -> tuple[Module, ...]:
    root = SERVICES_DIR / service
    return tuple(Module(service, path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
                 for path in sorted(root.rglob("*.py")) if "migrations" not in path.relative_to(root).parts)


def in_rooms(service: str, *rooms: str) -> list[Module]:
    return [module for module in modules(service) if module.room in rooms]


def test_every_service_is_walked() -> None:
    assert {"intake", "matching", "feedback", "billing", "employment"} <= set(SERVICES)


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_rooms(service: str) -> None:
    root = SERVICES_DIR / service
    expected = ["bootstrap.py", "domain/__init__.py", "domain/commands.py", "service_layer/__init__.py",
                "service_layer/handlers.py", "service_layer/ports.py", "service_layer/projections.py",
                "adapters/__init__.py", "entrypoints/__init__.py"]
    assert [path for path in expected if not (root / path).is_file()] == []
    strays = [path.name for path in root.iterdir() if path.suffix == ".py"
              and path.name not in ("__init__.py", "bootstrap.py", "read_models.py")]
    strays += [path.name for path in root.iterdir() if path.is_dir() and path.name not in (*ROOMS, "__pycache__")]
    assert strays == [], f"{service}: only the four rooms, bootstrap.py and read_models.py at the root"


@pytest.mark.parametrize("service", SERVICES)
def test_only_entrypoints_and_bootstrap_import_the_web_and_broker_frameworks(service: str) -> None:
    found = [f"{module.name}:{line} imports {name}" for module in in_rooms(service, "domain", "service_layer", "adapters",
                                                                           "read_models.py", "__init__.py")
             for line, name, _ in module.imports() if _within(name, *WEB_AND_BROKER)]
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_no_subscriber_outside_entrypoints(service: str) -> None:
    found = [f"{module.name}:{line}" for module in modules(service) if module.room != "entrypoints"
             for line in module.calls("subscriber")]
    assert found == [], "a Kafka subscriber lives in entrypoints/"


@pytest.mark.parametrize("service", SERVICES)
def test_sweeps_are_timed_only_in_entrypoints(service: str) -> None:
    found = [f"{module.name}:{line}" for module in modules(service) if module.room != "entrypoints"
             for line, name, _ in module.imports() if _within(name, "shared.service.periodic")]
    assert found == [], "what a sweep does is in service_layer/, its timer (shared.service.periodic) in entrypoints/"


@pytest.mark.parametrize("service", SERVICES)
def test_projections_are_built_in_the_service_layer(service: str) -> None:
    found = [f"{module.name}:{line}" for module in modules(service) if module.room != "service_layer"
             for line in module.calls("Projection")]
    assert found == [], "how each event updates the store or the read models is service_layer/ (projections.py)"


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_is_pure(service: str) -> None:
    own = f"services.{service}"
    found = [f"{module.name}:{line} imports {name}" for module in in_rooms(service, "domain")
             for line, name, _ in module.imports()
             if _within(name, *INPUT_OUTPUT, f"{own}.service_layer", f"{own}.adapters", f"{own}.entrypoints",
                        f"{own}.bootstrap", f"{own}.read_models")]
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_layer_writes_no_sql_and_never_reaches_the_entrypoints(service: str) -> None:
    own = f"services.{service}"
    found = [f"{module.name}:{line} imports {name} {sorted(set(names) & SQL_STATEMENTS)}"
             for module in in_rooms(service, "service_layer") for line, name, names in module.imports()
             if _within(name, f"{own}.entrypoints", f"{own}.bootstrap")
             or (_within(name, "sqlalchemy") and set(names) & SQL_STATEMENTS)]
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_adapters_never_reach_the_entrypoints(service: str) -> None:
    own = f"services.{service}"
    found = [f"{module.name}:{line} imports {name}" for module in in_rooms(service, "adapters")
             for line, name, _ in module.imports() if _within(name, f"{own}.entrypoints", f"{own}.bootstrap")]
    assert found == []


@pytest.mark.parametrize("service", SERVICES)
def test_ports_are_the_protocols_of_the_service_layer(service: str) -> None:
    ports = next(module for module in modules(service) if module.name.endswith("service_layer/ports.py"))
    assert ports.protocols(), f"{ports.name} declares the ports as typing.Protocols"
    own = f"services.{service}"
    assert [name for _, name, _ in ports.imports() if _within(name, f"{own}.adapters", f"{own}.entrypoints")] == []
    elsewhere = [f"{module.name}: {name}" for module in modules(service) if module is not ports
                 for name in module.protocols()]
    assert elsewhere == [], "a service's Protocols are declared in its service_layer/ports.py"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_never_imports_another_service(service: str) -> None:
    others = [f"services.{other}" for other in SERVICES if other != service]
    found = [f"{module.name}:{line} imports {name}" for module in modules(service)
             for line, name, _ in module.imports() if _within(name, *others)]
    assert found == []


def test_the_checks_see_imports_calls_and_protocols() -> None:
    module = Module("intake", SERVICES_DIR / "intake" / "domain" / "example.py", ast.parse(
        "from fastapi import APIRouter\nimport sqlalchemy.orm\nfrom . import model\nfrom typing import Protocol\n"
        "def f():\n    from sqlalchemy import select\n    importlib.import_module('services.billing.bootstrap')\n"
        "@broker.subscriber('t')\nasync def g(): ...\nclass P(Protocol): ...\n"))
    assert [name for _, name, _ in module.imports()] == [
        "fastapi", "sqlalchemy.orm", "services.intake.domain", "typing", "sqlalchemy", "services.billing.bootstrap"]
    assert module.calls("subscriber") == [8]
    assert module.protocols() == ["P"]
    assert module.room == "domain"
