"""The registry of the five services the applications are built on: where each keeps its read models,
its migrations and its app factory.

Listed here by hand, imported only when asked for (``relais --help`` loads no service): the one place
the applications reach into ``services/``. The read models' contract itself
(:class:`~shared.messaging.read_models.ReadModels`) is plumbing, in ``shared/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import services
from shared.messaging.read_models import ProjectionSpec, ReadModels
from shared.settings import SERVICES

__all__ = [
    "REGISTRY",
    "ProjectionSpec",
    "ReadModels",
    "RegisteredService",
    "UnknownProjection",
    "UnknownService",
    "described_services",
    "load_read_models",
    "registered",
    "select_projections",
]

SERVICES_ROOT = Path(services.__file__).resolve().parent
"""The folder of the ``services`` package (its ``__init__`` is empty: importing it loads no service)."""


@dataclass(frozen=True)
class RegisteredService:
    """One service as the applications see it.

    ``read_models`` returns its :class:`ReadModels` (importing the service's ``read_models`` module);
    ``app_factory`` is the import string of its FastAPI factory (``relais serve`` hands it to uvicorn).
    """

    name: str
    read_models: Callable[[], ReadModels]
    app_factory: str

    @property
    def migrations(self) -> Path:
        """Its Alembic history, ``services/<service>/adapters/migrations``."""
        return SERVICES_ROOT / self.name / "adapters" / "migrations"


def _intake() -> ReadModels:
    from services.intake.read_models import describe

    return describe()


def _matching() -> ReadModels:
    from services.matching.read_models import describe

    return describe()


def _feedback() -> ReadModels:
    from services.feedback.read_models import describe

    return describe()


def _billing() -> ReadModels:
    from services.billing.read_models import describe

    return describe()


def _employment() -> ReadModels:
    from services.employment.read_models import describe

    return describe()


REGISTRY: dict[str, RegisteredService] = {
    service.name: service
    for service in (
        RegisteredService("intake", _intake, "services.intake.entrypoints.app:create_app"),
        RegisteredService("matching", _matching, "services.matching.entrypoints.app:create_app"),
        RegisteredService("feedback", _feedback, "services.feedback.entrypoints.app:create_app"),
        RegisteredService("billing", _billing, "services.billing.entrypoints.app:create_app"),
        RegisteredService("employment", _employment, "services.employment.entrypoints.app:create_app"),
    )
}
"""Every service, in the order of :data:`shared.settings.SERVICES`."""


class UnknownService(LookupError):
    """No registered service has that name."""


class UnknownProjection(LookupError):
    """No described service has a projection of that name."""


def registered(service: str) -> RegisteredService:
    """The registered ``service``; :class:`UnknownService` otherwise."""
    try:
        return REGISTRY[service]
    except KeyError:
        raise UnknownService(f"unknown service {service!r}; expected one of {', '.join(REGISTRY)}") from None


def load_read_models(service: str) -> ReadModels:
    """The :class:`ReadModels` of ``service``."""
    described = registered(service).read_models()
    if not isinstance(described, ReadModels) or described.service != service:
        raise TypeError(f"{service}'s read_models.describe() did not describe {service}'s read models")
    return described


def described_services(services: Iterable[str] = SERVICES) -> list[ReadModels]:
    """Read models of ``services``, in service order."""
    return [load_read_models(service) for service in services]


def select_projections(
    catalogue: Sequence[ReadModels], projection: str = "all", service: str | None = None
) -> list[tuple[ReadModels, ProjectionSpec]]:
    """The (service, projection) pairs named by ``projection`` ("all" or a consumer name) and ``service``."""
    chosen = [
        (models, spec)
        for models in catalogue
        if service is None or models.service == service
        for spec in models.projections
        if projection == "all" or spec.name == projection
    ]
    if not chosen:
        known = ", ".join(spec.name for models in catalogue for spec in models.projections) or "none"
        raise UnknownProjection(f"no projection {projection!r}{f' in {service}' if service else ''}; known: {known}")
    return chosen
