"""Tables of the billing store: the core tables (event store/outbox, tracking) plus its own.

Amounts are integer cents and hours integer hundredths, so sums are exact on every database.

- ``ledger_entries``, ``accounts``, ``statements``: the ledger, a fold of the billing events alone
  (rebuildable from the billing topic); an entry keeps codes and figures, never a sentence (its French
  line is written when read, :func:`services.billing.domain.ledger.describe`);
- ``billing_*``: the fee process manager's memory of providers, hours worked per resident,
  interventions seen and events parked until their provider is known.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from shared.storage.tables import Position, core_metadata


def metadata() -> MetaData:
    """A fresh MetaData of every billing table (the Alembic target of its migrations)."""
    metadata = core_metadata()
    _ledger_tables(metadata)
    _process_tables(metadata)
    return metadata


def _ledger_tables(metadata: MetaData) -> None:
    entries = Table(
        "ledger_entries",
        metadata,
        Column("entry_id", String(36), primary_key=True, comment="Id of the billing event of the entry."),
        Column("platform_id", String(40), nullable=False),
        Column("provider_id", String(120), nullable=False),
        Column("sequence", Integer, nullable=False, comment="Version of the event in the account's history."),
        Column("kind", String(20), nullable=False),
        Column("booked_on", Date, nullable=False),
        Column("amount_cents", BigInteger, nullable=False, comment="Owed by the provider; payments negative."),
        Column("request_id", String(120), nullable=True),
        Column("basis", String(30), nullable=True, comment="Fees: percentage or per_hour_new_client."),
        Column("rate", String(12), nullable=True, comment="Fees: the rate as in FeeCharged, e.g. '0.05'."),
        Column("base_cents", BigInteger, nullable=True, comment="Fees by percentage: labour + travel excl. tax."),
        Column("hours_hundredths", BigInteger, nullable=True, comment="Fees per hour: hours charged, x 100."),
        Column("year", Integer, nullable=True, comment="Memberships: the year paid for."),
        Column("method", String(20), nullable=True, comment="Payments: bank_transfer, cheque, cash, direct_debit."),
        Column("note", String(500), nullable=False, server_default="",
               comment="As typed by a person: a payment's reference, a correction's reason."),
    )
    Index("ix_ledger_entries_account", entries.c.provider_id, entries.c.sequence, unique=True)
    Index("ix_ledger_entries_platform_booked", entries.c.platform_id, entries.c.booked_on)
    Table(
        "accounts",
        metadata,
        Column("provider_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("balance_cents", BigInteger, nullable=False),
        Column("entries", Integer, nullable=False),
    )
    Table(
        "statements",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("statement_id", String(200), nullable=False, unique=True),
        Column("platform_id", String(40), nullable=False),
        Column("provider_id", String(120), nullable=False),
        Column("period", String(7), nullable=False),
        Column("issued_on", Date, nullable=False),
        Column("opening_cents", BigInteger, nullable=False),
        Column("charged_cents", BigInteger, nullable=False),
        Column("paid_cents", BigInteger, nullable=False),
        Column("closing_cents", BigInteger, nullable=False),
    )


def _process_tables(metadata: MetaData) -> None:
    Table(
        "billing_providers",
        metadata,
        Column("provider_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("admitted_on", Date, nullable=True),
    )
    Table(
        "billing_memberships",
        metadata,
        Column("provider_id", String(120), primary_key=True),
        Column("year", Integer, primary_key=True),
    )
    Table(
        "billing_client_hours",
        metadata,
        Column("provider_id", String(120), primary_key=True),
        Column("resident_id", String(120), primary_key=True),
        Column("hundredths", BigInteger, nullable=False, comment="Hours worked for the resident, x 100."),
    )
    Table(
        "billing_interventions",
        metadata,
        Column("intervention_event_id", String(36), primary_key=True),
        Column("latest_event_id", String(36), nullable=False),
        Column("request_id", String(120), nullable=False),
        Column("provider_id", String(120), nullable=False),
        Column("resident_id", String(120), nullable=False),
        Column("platform_id", String(40), nullable=False),
        Column("hours_hundredths", BigInteger, nullable=False),
        Column("hours_before_hundredths", BigInteger, nullable=False),
        Column("fee_cents", BigInteger, nullable=False),
        Column("last_fee_event_id", String(36), nullable=True),
        Column("policy_id", String(60), nullable=True),
    )
    Table(
        "billing_intervention_aliases",
        metadata,
        Column("event_id", String(36), primary_key=True, comment="InterventionDone or InterventionCorrected id."),
        Column("intervention_event_id", String(36), nullable=False),
    )
    parked = Table(
        "billing_parked",
        metadata,
        Column("seq", Position, primary_key=True, autoincrement=True),
        Column("provider_id", String(120), nullable=False),
        Column("document", Text, nullable=False),
    )
    Index("ix_billing_parked_provider", parked.c.provider_id, parked.c.seq)
