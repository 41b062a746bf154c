"""The registry of the services' read models, loaded by dotted path when needed.

Each service that has read models provides ``services.<service>.read_models:describe()`` returning a
:class:`ReadModels`: its table metadata factory and its replayable projections, each with the
tables it owns. Only pure read models belong here: projections whose only effects are rows of their
own tables (a process manager that appends events must not be replayed).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import MetaData

from shared.messaging.projection import Projection
from shared.settings import SERVICES

DESCRIBE_PATH = "services.{service}.read_models:describe"


@dataclass(frozen=True)
class ProjectionSpec:
    """A replayable projection: its consumer ``name``, how to build it on a metadata, the tables it owns.

    ``live_consumer`` is False when, live, the tables are written together with the service's own
    events rather than by a consumer of the bus (billing's ledger): there are no live checkpoints
    then, and a replay rebuilds from the bus only the events the service's store holds.
    ``rebuild_cost`` is what rebuilding it costs next to the others (seconds for the benchmark's
    history of 200,000 events): :mod:`shared.analytics.parallel` shares projections out by it.
    """

    name: str
    build: Callable[[MetaData], Projection]
    tables: tuple[str, ...]
    live_consumer: bool = True
    rebuild_cost: float = 1.0


@dataclass(frozen=True)
class ReadModels:
    """What a service's ``describe()`` returns.

    ``personal`` names, per table, columns holding personal data in plain text: exports leave
    them out (columns named ``resident_id`` are pseudonymised in any case).
    """

    service: str
    metadata: Callable[[], MetaData]
    projections: tuple[ProjectionSpec, ...]
    personal: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def projection(self, name: str) -> ProjectionSpec:
        for spec in self.projections:
            if spec.name == name:
                return spec
        raise KeyError(f"{self.service} has no replayable projection {name!r}")


class UnknownProjection(LookupError):
    """No described service has a projection of that name."""


def load_read_models(service: str, path_template: str = DESCRIBE_PATH) -> ReadModels | None:
    """The service's :class:`ReadModels`, or ``None`` when it has no ``read_models`` module yet."""
    module_name, _, function = path_template.format(service=service).partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and (module_name == error.name or module_name.startswith(error.name + ".")):
            return None
        raise
    described = getattr(module, function)()
    if not isinstance(described, ReadModels):
        raise TypeError(f"{module_name}:{function}() returned {type(described).__name__}, not ReadModels")
    return described


def described_services(services: Iterable[str] = SERVICES) -> list[ReadModels]:
    """Read models of every service that describes them, in service order."""
    return [models for models in map(load_read_models, services) if models is not None]


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
