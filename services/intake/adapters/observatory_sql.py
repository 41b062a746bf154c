"""The observatory's SQL over a batch of staged events (see :mod:`shared.messaging.set_based`).

Unmet demand counted by platform x activity x commune x local month x reason (``RequestUnmet``; a
message never called back, ``VoicemailUnanswered``, under an unknown activity and commune), and
information calls by topic x local month: one grouped upsert per table for the whole batch, adding
to the counts already there. The local month is staged with each event (column ``month``), and the
payload fields read (:data:`FIELDS`).
"""

from __future__ import annotations

from shared.contracts.events.matching import UnmetReason
from shared.messaging.set_based import Field, Statements
from shared.storage.batch_dialect import BatchDialect

NEVER_CALLED_BACK = UnmetReason.OUT_OF_HOURS_NEVER_CALLED_BACK.value
FIELDS = (Field("activity"), Field("commune"), Field("reason"), Field("topic_asked"))
"""The payload fields the statements read, staged as columns (the payload's JSON is not staged)."""


def observatory_statements(unspecified: str) -> Statements:
    """The statements builder, ``unspecified`` standing for the activity and commune of a message never called back."""

    def statements(sql: BatchDialect) -> list[str]:
        return [
            f"""
            INSERT INTO unmet_demand (platform_id, activity, commune, month, reason, count)
            SELECT platform_id, activity, commune, month, reason, count(*)
            FROM (
                SELECT e.platform_id, e.activity, e.commune, e.month, e.reason
                FROM {sql.staged} AS e WHERE e.event_type = 'RequestUnmet'
                UNION ALL
                SELECT e.platform_id, '{unspecified}', '{unspecified}', e.month, '{NEVER_CALLED_BACK}'
                FROM {sql.staged} AS e WHERE e.event_type = 'VoicemailUnanswered'
            ) AS unmet
            WHERE true
            GROUP BY platform_id, activity, commune, month, reason
            ON CONFLICT (platform_id, activity, commune, month, reason)
            DO UPDATE SET count = unmet_demand.count + excluded.count
            """,
            f"""
            INSERT INTO information_calls (platform_id, topic, month, count)
            SELECT e.platform_id, e.topic_asked, e.month, count(*)
            FROM {sql.staged} AS e
            WHERE e.event_type = 'InformationCallLogged'
            GROUP BY 1, 2, 3
            ON CONFLICT (platform_id, topic, month) DO UPDATE SET count = information_calls.count + excluded.count
            """,
        ]

    return statements
