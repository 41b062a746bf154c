"""Wires the matching service: real dependencies by default, a given clock where a test passes one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from services.matching.adapters.fairness import fairness_projection
from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.adapters.unit_of_work import MatchingUnitOfWork
from services.matching.adapters.views import MatchingViews
from services.matching.service_layer.actions import OfferHandlers
from services.matching.service_layer.assignment import assignment_projection
from services.matching.service_layer.directory import DirectoryHandlers
from services.matching.service_layer.sweeper import DeadlineSweeper
from shared.clock import Clock, SystemClock
from shared.platforms.loader import load_policies
from shared.platforms.model import PlatformPolicy
from shared.security.tokens import TokenRegistry
from shared.service.runtime import ServiceRuntime
from shared.settings import Settings, load_settings
from shared.storage.engine import create_engine

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
SWEEP_INTERVAL_SECONDS = 5.0


@dataclass
class Matching:
    settings: Settings
    runtime: ServiceRuntime
    directory: DirectoryHandlers
    offers: OfferHandlers
    sweeper: DeadlineSweeper
    views: MatchingViews
    policies: dict[str, PlatformPolicy]
    clock: Any
    tokens: TokenRegistry
    registry: CollectorRegistry


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              sweep_interval: float = SWEEP_INTERVAL_SECONDS) -> Matching:
    settings = settings or load_settings()
    policies = load_policies(settings.platforms_dir)
    clock = clock or SystemClock()
    url = settings.service_database_url("matching")
    engine = create_engine(url)
    metadata = matching_metadata()
    projections = [
        assignment_projection(policies=policies, clock=clock, metadata=metadata, topic_prefix=settings.topic_prefix),
        fairness_projection(metadata),
    ]
    runtime = ServiceRuntime("matching", settings, engine, metadata, MIGRATIONS, projections=projections,
                             platforms=frozenset(policies))

    def unit_of_work() -> MatchingUnitOfWork:
        return MatchingUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix, on_commit=runtime.relay.notify)

    return Matching(
        settings=settings, runtime=runtime,
        directory=DirectoryHandlers(uow=unit_of_work, policies=policies, clock=clock),
        offers=OfferHandlers(uow=unit_of_work, policies=policies, clock=clock),
        sweeper=DeadlineSweeper(unit_of_work, policies, clock, interval=sweep_interval),
        views=MatchingViews(engine, metadata), policies=policies, clock=clock,
        tokens=TokenRegistry.from_settings(settings), registry=CollectorRegistry(),
    )
