"""Migration 0003: ledger entries written with an English sentence get the codes of their event instead."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.billing.adapters.ledger import Ledger
from services.billing.adapters.tables import metadata as billing_metadata
from services.billing.bootstrap import MIGRATIONS
from services.billing.domain.ledger import entry_of
from services.billing.domain.money import to_cents
from shared.contracts.codec import to_json_dict
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeBasis,
    FeeCharged,
    MembershipFeeCharged,
    PaymentMethod,
    PaymentRecorded,
)
from shared.storage.migrate import upgrade_async
from tests.unit.billing.factories import PARIS, envelope

pytestmark = pytest.mark.integration
AT = datetime(2026, 3, 2, 10, tzinfo=UTC)
EVENTS = [
    FeeCharged(provider_id="p", request_id="req-1", intervention_event_id=uuid4(), policy_id="x",
               basis=FeeBasis.PERCENTAGE, base_amount="135.00", rate="0.05", hours_charged="0.00", amount="6.75"),
    FeeCharged(provider_id="p", request_id="req-2", intervention_event_id=uuid4(), policy_id="x",
               basis=FeeBasis.PER_HOUR_NEW_CLIENT, base_amount="0.00", rate="0.10", hours_charged="7.25", amount="0.73"),
    FeeAdjusted(provider_id="p", request_id="req-1", adjusts_event_id=uuid4(), correction_event_id=uuid4(),
                policy_id="x", amount="-1.00", reason="heures mal comptées"),
    MembershipFeeCharged(provider_id="p", year=2026, policy_id="x", amount="155.00"),
    PaymentRecorded(provider_id="p", amount="20.00", paid_on=date(2026, 3, 9), method=PaymentMethod.CHEQUE,
                    reference="CHQ 881"),
]
OLD_SENTENCES = ["5 % of 135.00 (labour + travel excl. tax)", "7.25 h x 0.10 (new client)",
                 "adjustment after a correction: heures mal comptées", "membership 2026", "payment (cheque, CHQ 881)"]


async def test_entries_of_0002_are_described_in_french_from_their_events(database_url: str, engine: AsyncEngine) -> None:
    await upgrade_async(database_url, MIGRATIONS, "0002")
    envelopes = [envelope(event, AT, version) for version, event in enumerate(EVENTS, start=1)]
    async with engine.begin() as conn:
        for written, sentence in zip(envelopes, OLD_SENTENCES, strict=True):
            await store_as_0002_did(conn, written, sentence)

    await upgrade_async(database_url, MIGRATIONS)

    ledger = Ledger(billing_metadata(), {"limoges": PARIS})
    async with engine.connect() as conn:
        migrated = await ledger.entries(conn, "p")
    assert [entry.description for entry in migrated] == [
        "5 % de 135,00\xa0€ (main-d'œuvre et déplacement, HT)", "7,25 h × 0,10\xa0€ (heures d'un nouveau client)",
        "Après correction de l'intervention : heures mal comptées", "Cotisation annuelle 2026", "Chèque, réf. CHQ 881"]
    assert migrated == [entry_of(written, PARIS) for written in envelopes], "not the entries the ledger writes today"


async def store_as_0002_did(conn, written, sentence: str) -> None:  # type: ignore[no-untyped-def]
    entry = written.payload
    amount = to_cents(-Decimal(entry.amount) if isinstance(entry, PaymentRecorded) else Decimal(entry.amount))
    await conn.execute(text(
        "INSERT INTO events (event_id, event_type, schema_version, platform_id, aggregate_type, aggregate_id, "
        "aggregate_version, occurred_at, correlation_id, topic, document) VALUES (:event_id, :event_type, 1, 'limoges', "
        "'account', 'p', :version, :occurred_at, :correlation_id, 'relais.billing', :document)"), {
        "event_id": str(written.event_id), "event_type": written.meta.event_type, "version": written.meta.aggregate_version,
        "occurred_at": AT, "correlation_id": str(written.meta.correlation_id),
        "document": orjson.dumps(to_json_dict(written)).decode()})
    booked_on = entry.paid_on if isinstance(entry, PaymentRecorded) else date(2026, 3, 2)
    await conn.execute(text(
        "INSERT INTO ledger_entries (entry_id, platform_id, provider_id, sequence, kind, booked_on, amount_cents, "
        "request_id, description) VALUES (:entry_id, 'limoges', 'p', :sequence, :kind, :booked_on, :amount, "
        ":request_id, :description)"), {
        "entry_id": str(written.event_id), "sequence": written.meta.aggregate_version,
        "kind": {"FeeCharged": "fee", "FeeAdjusted": "adjustment", "MembershipFeeCharged": "membership",
                 "PaymentRecorded": "payment"}[written.meta.event_type],
        "booked_on": booked_on, "amount": amount, "request_id": getattr(entry, "request_id", None),
        "description": sentence})
