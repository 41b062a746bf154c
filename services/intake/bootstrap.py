"""Wires the intake service: real dependencies by default, fakes where a test passes them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry

from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.adapters.views import IntakeViews
from services.intake.service_layer.callbacks import CallbackSweeper
from services.intake.service_layer.handlers import IntakeHandlers
from services.intake.service_layer.ports import Sealer
from services.intake.service_layer.projections import (
    console_projection,
    desk_projection,
    observatory_projection,
)
from shared.clock import MovableClock, SystemClock
from shared.platforms.loader import load_policies
from shared.privacy.erasure import forget_erased_residents
from shared.privacy.vault import Vault
from shared.security.tokens import TokenRegistry
from shared.service.runtime import ServiceRuntime
from shared.settings import Settings, load_settings
from shared.storage.engine import create_engine
from shared.storage.unit_of_work import SqlUnitOfWork

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
CALLBACK_SWEEP_SECONDS = 30.0


@dataclass
class Intake:
    settings: Settings
    runtime: ServiceRuntime
    handlers: IntakeHandlers
    views: IntakeViews
    tokens: TokenRegistry
    vault: Vault
    registry: CollectorRegistry
    callbacks: CallbackSweeper
    clock: MovableClock
    sweep_interval: float = CALLBACK_SWEEP_SECONDS


def bootstrap(settings: Settings | None = None, *, clock: MovableClock | None = None,
              sealer: Sealer | None = None) -> Intake:
    settings = settings or load_settings()
    policies = load_policies(settings.platforms_dir)
    engine = create_engine(settings.service_database_url("intake"))
    metadata = intake_metadata()
    vault = Vault(create_engine(settings.vault_database_url()))
    projections = [console_projection(metadata, policies), observatory_projection(metadata, policies),
                   desk_projection(metadata, policies),
                   forget_erased_residents(vault, "intake.privacy")]
    runtime = ServiceRuntime("intake", settings, engine, metadata, MIGRATIONS, projections=projections,
                             platforms=frozenset(policies))

    def unit_of_work() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix, on_commit=runtime.relay.notify)

    clock = clock or SystemClock()
    handlers = IntakeHandlers(uow=unit_of_work, sealer=sealer or vault, policies=policies, clock=clock)
    views = IntakeViews(engine, metadata)
    callbacks = CallbackSweeper(handlers, views.waiting_callbacks, policies)
    return Intake(settings, runtime, handlers, views, TokenRegistry.from_settings(settings), vault, CollectorRegistry(),
                  callbacks, clock)
