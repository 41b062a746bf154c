"""Wires the employment service: real dependencies by default, a test clock where a test passes one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry

from services.employment.adapters.tables import metadata as employment_metadata
from services.employment.adapters.unit_of_work import EmploymentUnitOfWork
from services.employment.service_layer.handlers import EmploymentHandlers
from services.employment.service_layer.projections import figures_projection
from shared.clock import MovableClock, SystemClock
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Channel
from shared.outgoing.wiring import Outgoing, outgoing
from shared.platforms.loader import load_policies
from shared.platforms.model import PlatformPolicy
from shared.privacy.vault import Vault
from shared.security.tokens import TokenRegistry
from shared.service.runtime import ServiceRuntime
from shared.settings import Settings, load_settings
from shared.storage.engine import create_engine

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


@dataclass
class Employment:
    settings: Settings
    runtime: ServiceRuntime
    handlers: EmploymentHandlers
    tokens: TokenRegistry
    vault: Vault
    registry: CollectorRegistry
    policies: dict[str, PlatformPolicy]
    clock: MovableClock
    outgoing: Outgoing


def bootstrap(settings: Settings | None = None, *, clock: MovableClock | None = None,
              tokens: TokenRegistry | None = None, channels: Mapping[SendChannel, Channel] | None = None) -> Employment:
    """The employment service; ``channels`` replace the email/SMS channels of the settings (tests)."""
    settings = settings or load_settings()
    policies = load_policies(settings.platforms_dir)
    engine = create_engine(settings.service_database_url("employment"))
    metadata = employment_metadata()
    vault = Vault(create_engine(settings.vault_database_url()))
    runtime = ServiceRuntime("employment", settings, engine, metadata, MIGRATIONS,
                             projections=[figures_projection(metadata, policies)], platforms=frozenset(policies))

    def unit_of_work() -> EmploymentUnitOfWork:
        return EmploymentUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix, on_commit=runtime.relay.notify)

    clock = clock or SystemClock()
    handlers = EmploymentHandlers(uow=unit_of_work, personal=vault, policies=policies, clock=clock)
    sender = outgoing("employment", engine, metadata, unsealer=vault, policies=policies, data_dir=settings.data_dir,
                      clock=clock, channels=channels)
    return Employment(settings, runtime, handlers, tokens or TokenRegistry.from_settings(settings), vault,
                      CollectorRegistry(), policies, clock, sender)
