"""Tables of the feedback store: the core tables (event store/outbox, tracking) plus its own.

Write side (changed in the same transaction as the survey's events): ``surveys`` (the index of
surveys by link token hash, driving reminders and expiry), ``notifications`` (the outbox of
messages to send, print or call: :mod:`shared.outgoing`), ``survey_preferences`` and ``survey_recipients``.
Read side (projections of the feedback topic): ``survey_answers`` and ``satisfaction_alerts``; ``desk_satisfaction``
(the answers of mediation desks' visitors, counted per desk and month of the visit).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from shared.outgoing.tables import add_notifications_table
from shared.storage.tables import core_metadata
from shared.storage.types import UtcDateTime

ID = String(60)


def metadata() -> MetaData:
    """A fresh MetaData of every feedback table (the Alembic target of its migrations)."""
    metadata = core_metadata()
    surveys = Table(
        "surveys", metadata,
        Column("survey_id", ID, primary_key=True),
        Column("request_id", String(120), nullable=False, unique=True),
        Column("platform_id", String(40), nullable=False),
        Column("resident_id", ID, nullable=False),
        Column("provider_id", ID, nullable=False),
        Column("activity", String(40), nullable=False),
        Column("done_on", Date, nullable=False),
        Column("channel", String(10), nullable=False),
        Column("token_hash", String(64), nullable=False, unique=True),
        Column("status", String(10), nullable=False),
        Column("sent_at", UtcDateTime, nullable=False),
        Column("expires_at", UtcDateTime, nullable=False),
        Column("reminders_sent", Integer, nullable=False, default=0),
        Column("next_reminder_at", UtcDateTime, nullable=True),
    )
    Index("ix_surveys_platform_status", surveys.c.platform_id, surveys.c.status)
    Index("ix_surveys_status_expires", surveys.c.status, surveys.c.expires_at)
    Index("ix_surveys_status_reminder", surveys.c.status, surveys.c.next_reminder_at)
    add_notifications_table(metadata)
    Table(
        "survey_preferences", metadata,
        Column("platform_id", String(40), primary_key=True),
        Column("resident_id", ID, primary_key=True),
        Column("channel", String(10), nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
    )
    Table(
        "survey_recipients", metadata,
        Column("request_id", String(120), primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("resident_id", ID, nullable=False),
        Column("contact", Text, nullable=False, comment="Sealed contact from RequestLogged."),
    )
    answers = Table(
        "survey_answers", metadata,
        Column("survey_id", ID, primary_key=True),
        Column("platform_id", String(40), nullable=False),
        Column("provider_id", ID, nullable=False),
        Column("month", String(7), nullable=False, comment="YYYY-MM of the answer, in the platform's time zone."),
        Column("answered_at", UtcDateTime, nullable=False),
        Column("channel", String(10), nullable=False),
        Column("punctuality", Integer, nullable=False),
        Column("quality", Integer, nullable=False),
        Column("would_recommend", Boolean, nullable=False),
        Column("would_call_platform_again", Boolean, nullable=False),
        Column("platform_made_it_easier", Boolean, nullable=False),
        Column("satisfied", Boolean, nullable=False),
    )
    Index("ix_survey_answers_provider", answers.c.platform_id, answers.c.provider_id, answers.c.answered_at)
    Index("ix_survey_answers_month", answers.c.platform_id, answers.c.month)
    Table(
        "satisfaction_alerts", metadata,
        Column("platform_id", String(40), primary_key=True),
        Column("provider_id", ID, primary_key=True),
        Column("status", String(10), nullable=False, comment="open or cleared"),
        Column("satisfaction_rate", String(10), nullable=False),
        Column("answers", Integer, nullable=False),
        Column("threshold", String(10), nullable=False),
        Column("raised_at", UtcDateTime, nullable=False),
        Column("updated_at", UtcDateTime, nullable=False),
        Column("cleared_at", UtcDateTime, nullable=True),
    )
    Table(
        "desk_satisfaction", metadata,
        Column("platform_id", String(40), primary_key=True),
        Column("month", String(7), primary_key=True, comment="YYYY-MM of the visits answered about (local days)."),
        Column("answers", Integer, nullable=False),
        Column("satisfied", Integer, nullable=False),
        Column("question_resolved", Integer, nullable=False),
        Column("would_come_back", Integer, nullable=False),
    )
    return metadata
