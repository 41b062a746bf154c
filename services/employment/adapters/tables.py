"""Tables of the employment store: the core tables (event store/outbox, tracking) plus its own.

Write side (changed in the same transaction as the events): ``employment_seekers`` (each seeker's
situation, driving lists and proposals; the sealed identity, dropped at erasure), ``job_openings``,
``information_sessions`` and ``training_cohorts`` (at a glance, for lists and the advisors' page), and
``notifications`` (the outbox of the invitations and reminders to send: :mod:`shared.outgoing`).
Read side (the ``employment.figures`` projection of the employment topic): ``employment_facts`` (one
row per counted fact, no personal data) and ``employment_seeker_profiles`` (the trade and referral
source each later fact about a seeker is counted under).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, Index, Integer, MetaData, String, Table, Text

from shared.outgoing.tables import add_notifications_table
from shared.storage.tables import core_metadata
from shared.storage.types import UtcDateTime

ID = String(60)


def metadata() -> MetaData:
    """A fresh MetaData of every employment table (the Alembic target of its migrations)."""
    metadata = core_metadata()
    seekers = Table(
        "employment_seekers", metadata,
        Column("seeker_id", ID, primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("referral_source", String(30), nullable=False),
        Column("trades", String(200), nullable=False, comment="Trade codes, comma-separated, the preferred first."),
        Column("commune", String(10), nullable=False),
        Column("mobility_km", Integer, nullable=False),
        Column("available_from", Date, nullable=False),
        Column("registered_at", UtcDateTime, nullable=False),
        Column("status", String(30), nullable=False),
        Column("preselected_on", Date, nullable=True),
        Column("proposals", Integer, nullable=False, default=0),
        Column("identity", Text, nullable=True, comment="Sealed identity from SeekerRegistered; null once erased."),
        Column("channel", String(10), nullable=False, server_default="sms",
               comment="How messages reach the seeker: email when they gave one, else sms."),
    )
    Index("ix_employment_seekers_platform", seekers.c.platform_id, seekers.c.status)
    add_notifications_table(metadata)
    openings = Table(
        "job_openings", metadata,
        Column("opening_id", ID, primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("provider_id", ID, nullable=False),
        Column("trade", String(30), nullable=False),
        Column("starts_on", Date, nullable=False),
        Column("posted_at", UtcDateTime, nullable=False),
        Column("status", String(10), nullable=False),
    )
    Index("ix_job_openings_provider", openings.c.platform_id, openings.c.provider_id)
    sessions = Table(
        "information_sessions", metadata,
        Column("session_id", ID, primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("starts_at", UtcDateTime, nullable=False),
        Column("place", String(200), nullable=False),
        Column("capacity", Integer, nullable=False),
        Column("invited", Integer, nullable=False),
        Column("enrolled", Integer, nullable=False),
        Column("present", Integer, nullable=False),
        Column("held", Boolean, nullable=False),
    )
    Index("ix_information_sessions_platform", sessions.c.platform_id, sessions.c.starts_at)
    cohorts = Table(
        "training_cohorts", metadata,
        Column("cohort_id", ID, primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("title", String(200), nullable=False),
        Column("starts_on", Date, nullable=False),
        Column("ends_on", Date, nullable=False),
        Column("trainees", Integer, nullable=False),
        Column("completed", Integer, nullable=False),
        Column("certified", Integer, nullable=False),
        Column("steps_certified", Integer, nullable=False, server_default="0",
               comment="Steps (trainee x module) validated so far."),
    )
    Index("ix_training_cohorts_platform", cohorts.c.platform_id, cohorts.c.starts_on)
    facts = Table(
        "employment_facts", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("measure", String(40), primary_key=True),
        Column("subject", ID, primary_key=True, comment="The seeker counted, or '' for a fact about no one."),
        Column("platform_id", String(40), nullable=False),
        Column("month", String(7), nullable=False, comment="YYYY-MM of the fact, in the platform's time zone."),
        Column("trade", String(30), nullable=False,
               comment="The opening's trade for an opening's facts; '' for a seeker's (their profile's, when read)."),
        Column("amount", Integer, nullable=False, comment="1 for a count; days for time_to_fill_days."),
    )
    Index("ix_employment_facts_month", facts.c.platform_id, facts.c.month)
    Table(
        "employment_seeker_profiles", metadata,
        Column("seeker_id", ID, primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("trade", String(30), nullable=False, comment="Preferred trade."),
        Column("referral_source", String(30), nullable=False),
    )
    return metadata
