"""Wires the billing service: real dependencies by default, a test clock where a test passes one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry

from services.billing.adapters.ledger import Ledger
from services.billing.adapters.tables import metadata as billing_metadata
from services.billing.adapters.unit_of_work import BillingUnitOfWork
from services.billing.service_layer.handlers import BillingHandlers
from services.billing.service_layer.projections import fee_projection, ledger_projection
from shared.clock import Clock, SystemClock
from shared.messaging.projection import Projection
from shared.platforms.loader import load_policies
from shared.security.tokens import TokenRegistry
from shared.service.runtime import ServiceRuntime
from shared.settings import Settings, load_settings
from shared.storage.engine import create_engine

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


@dataclass
class Billing:
    settings: Settings
    runtime: ServiceRuntime
    handlers: BillingHandlers
    ledger: Ledger
    fees: Projection
    ledger_rebuild: Projection
    tokens: TokenRegistry
    registry: CollectorRegistry


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              tokens: TokenRegistry | None = None) -> Billing:
    settings = settings or load_settings()
    policies = load_policies(settings.platforms_dir)
    engine = create_engine(settings.service_database_url("billing"))
    metadata = billing_metadata()
    ledger = Ledger(metadata, {platform_id: policy.zone for platform_id, policy in policies.items()})
    fees = fee_projection(metadata, policies, ledger, settings.topic_prefix)
    runtime = ServiceRuntime("billing", settings, engine, metadata, MIGRATIONS, projections=[fees],
                             platforms=frozenset(policies))

    def unit_of_work() -> BillingUnitOfWork:
        return BillingUnitOfWork(engine, metadata, ledger, topic_prefix=settings.topic_prefix,
                                 on_commit=runtime.relay.notify)

    handlers = BillingHandlers(uow=unit_of_work, policies=policies, clock=clock or SystemClock())
    return Billing(settings, runtime, handlers, ledger, fees, ledger_projection(ledger),
                   tokens or TokenRegistry.from_settings(settings), CollectorRegistry())
