"""What a service declares about its replayable read models: the contract ``relais replay`` and the exports read.

Each service provides ``services/<service>/read_models.py:describe()`` returning a :class:`ReadModels`: its
table metadata factory and its replayable projections, each with the tables it owns. Only pure read models
belong here: projections whose only effects are rows of their own tables (a process manager that appends
events must not be replayed). The applications find them through the registry ``relais.services``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import MetaData

from shared.messaging.projection import Projection


@dataclass(frozen=True)
class ProjectionSpec:
    """A replayable projection: its consumer ``name``, how to build it on a metadata, the tables it owns.

    ``live_consumer`` is False when, live, the tables are written together with the service's own
    events rather than by a consumer of the bus (billing's ledger): there are no live checkpoints
    then, and a replay rebuilds from the bus only the events the service's store holds.
    ``rebuild_cost`` is what rebuilding it costs next to the others (seconds for the benchmark's
    history of 200,000 events): :mod:`relais.replay.parallel` shares projections out by it.
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
