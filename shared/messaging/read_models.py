"""What a service declares about its replayable read models: the contract ``relais replay`` and the exports read.

Each service provides ``services/<service>/read_models.py:describe()`` returning a :class:`ReadModels`: its
table metadata factory and its replayable projections, each with the tables it owns. Only pure read models
belong here: projections whose only effects are rows of their own tables (a process manager that appends
events must not be replayed). The applications find them through the registry ``relais.services``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import MetaData

from shared.contracts.envelope import Envelope
from shared.messaging.projection import Projection


Merge = Literal["union", "sum"]
KeyOf = Callable[[Envelope[Any]], str]


@dataclass(frozen=True)
class Split:
    """How a projection's rebuild may be shared out by partition among processes, then merged.

    Each process rebuilds the events of some partitions into a database of its own, and the parts are
    merged table by table: ``"union"`` for tables whose rows each belong to one aggregate keyed like the
    topics (a row is in one part only), ``"sum"`` for counters (rows of one key add up their numeric
    columns outside the key). That holds when everything a row depends on is keyed like the projection's
    topics (one key, one partition number on every topic: a request's events are all in one part).
    ``rekeyed`` names the logical topics keyed otherwise, with the key each of their events belongs to
    (billing's records are keyed by provider, while the console files a fee under its request): every
    part reads those whole and applies an event when the partition of that key is one of its own.
    """

    merge: Mapping[str, Merge]
    rekeyed: Mapping[str, KeyOf] = field(default_factory=dict)


@dataclass(frozen=True)
class ProjectionSpec:
    """A replayable projection: its consumer ``name``, how to build it on a metadata, the tables it owns.

    ``live_consumer`` is False when, live, the tables are written together with the service's own
    events rather than by a consumer of the bus (billing's ledger): there are no live checkpoints
    then, and a replay rebuilds from the bus only the events the service's store holds.
    ``rebuild_cost`` is what rebuilding it costs next to the others (seconds for the benchmark's
    history of 200,000 events): :mod:`relais.replay.parallel` shares projections out by it. ``split``
    says how its rebuild can be shared out by partition (see :class:`Split`); without it, one process
    rebuilds it whole.
    """

    name: str
    build: Callable[[MetaData], Projection]
    tables: tuple[str, ...]
    live_consumer: bool = True
    rebuild_cost: float = 1.0
    split: Split | None = None


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
