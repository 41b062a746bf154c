"""The billing service's projections (each event's effect on the store and the ledger; the runtime subscribes them).

- :func:`fee_projection` (``billing.fees``, live): the fee process manager. Reads provider and
  matching events and, in the same batch transaction as its processed ids and checkpoints, appends
  the billing events to the store (the outbox) and records them in the ledger: exactly-once.
- :func:`ledger_projection` (``billing.ledger``): the ledger as a fold of the billing topic alone.
  Not subscribed live (the ledger is already written with each billing event); it rebuilds the
  ledger from offset 0 into a fresh database (:func:`relais.replay.rebuilder.rebuild`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import MetaData

from services.billing.adapters.account_book import SqlAccountBook
from services.billing.adapters.ledger import Ledger
from services.billing.adapters.state import SqlBillingState
from services.billing.service_layer.fee_process import FeeProcess
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeCharged,
    MembershipFeeCharged,
    PaymentRecorded,
    StatementIssued,
)
from shared.contracts.events.matching import InterventionCorrected, InterventionDone
from shared.contracts.events.providers import ProviderAdmitted, ProviderApplied
from shared.contracts.topics import BILLING, MATCHING, PROVIDERS
from shared.errors import DomainError
from shared.messaging.projection import Projection, RejectEvent
from shared.platforms.model import PlatformPolicy
from shared.storage.ports import ProjectionConnection

FEES = "billing.fees"
LEDGER = "billing.ledger"

Step = Callable[[FeeProcess, Envelope[Any]], Awaitable[None]]


def fee_projection(metadata: MetaData, policies: Mapping[str, PlatformPolicy], ledger: Ledger,
                   topic_prefix: str = "") -> Projection:
    projection = Projection(FEES, topics=(PROVIDERS, MATCHING))

    def handler(step: Step) -> Callable[[ProjectionConnection, Envelope[Any]], Awaitable[None]]:
        async def handle(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
            process = FeeProcess(SqlBillingState(conn, metadata), SqlAccountBook(conn, metadata, ledger, topic_prefix),
                                 policies)
            try:
                await step(process, envelope)
            except DomainError as refusal:
                raise RejectEvent(f"{refusal.code}: {refusal.message}") from refusal

        return handle

    projection.handles(ProviderApplied)(handler(FeeProcess.provider_applied))
    projection.handles(ProviderAdmitted)(handler(FeeProcess.provider_admitted))
    projection.handles(InterventionDone)(handler(FeeProcess.intervention_done))
    projection.handles(InterventionCorrected)(handler(FeeProcess.intervention_corrected))
    return projection


def ledger_projection(ledger: Ledger) -> Projection:
    projection = Projection(LEDGER, topics=(BILLING,))

    @projection.handles(FeeCharged, FeeAdjusted, MembershipFeeCharged, PaymentRecorded, StatementIssued)
    async def record(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        await ledger.record(conn, envelope)

    return projection
