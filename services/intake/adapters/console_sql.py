"""The console's SQL over a batch of staged events (see :mod:`shared.messaging.set_based`).

The same rows as the console's handlers (:func:`services.intake.service_layer.projections.console_projection`),
event for event:

- ``timeline``: one row per event, its summary (a French sentence the domain composes) staged with it;
- ``request_view``: each request's latest status. An event changes the columns it sets if it is not older than
  the status shown at that moment (the stored ``status_at`` or a newer one set earlier in the batch), except
  the details of the call, set by the calls logged whatever their age: per request and column, the value of
  the last event of the batch that set it so, else the stored one;
- ``callback_queue``: a message left is (again) waiting; called back (other than no answer) it is done, if
  its entry exists then; never called back in time it becomes unanswered, if it was waiting then.

Staged computed columns (:data:`VIEW_STATUS` and the others) come from the projection's definition.
"""

from __future__ import annotations

from shared.messaging.set_based import Field
from shared.storage.batch_dialect import BatchDialect

LOGGED = ("RequestLogged", "InformationCallLogged")
FIELDS = (Field("request_id"), Field("activity"), Field("commune"), Field("provider_id"), Field("resident_id"),
          Field("left_at_local"))
"""The payload fields the statements read, staged as columns (the payload's JSON is not staged)."""


def _listed(names: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _later(a: str, b: str) -> str:
    """The later of two times, either of which may be NULL (SQLite's two-argument max() would give NULL)."""
    return f"CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL OR {a} > {b} THEN {a} ELSE {b} END"


def console_statements(sql: BatchDialect) -> list[str]:
    staged = sql.staged
    timeline = f"""
        INSERT INTO timeline (event_id, request_id, platform_id, occurred_at, aggregate_version, event_type, actor,
                              summary)
        SELECT e.event_id, e.timeline_request, e.platform_id, e.occurred_at, e.aggregate_version, e.event_type,
               e.actor, e.summary
        FROM {staged} AS e
        WHERE true
        ON CONFLICT (event_id) DO UPDATE SET
            request_id = excluded.request_id, platform_id = excluded.platform_id, occurred_at = excluded.occurred_at,
            aggregate_version = excluded.aggregate_version, event_type = excluded.event_type, actor = excluded.actor,
            summary = excluded.summary
        """
    view = f"""
        WITH changed AS MATERIALIZED (
            SELECT e.seq, e.aggregate_id AS request_id, e.platform_id, e.occurred_at AS at, e.view_status AS status,
                   e.event_type, e.kind, e.channel, e.activity, e.commune, e.provider_id, e.oriented, e.unmet_reason,
                   max(e.occurred_at) OVER (PARTITION BY e.aggregate_id ORDER BY e.seq
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_at
            FROM {staged} AS e
            WHERE e.view_status IS NOT NULL
        ),
        judged AS MATERIALIZED (
            SELECT c.*,
                   CASE WHEN {_later("c.previous_at", "r.status_at")} IS NULL OR c.at >= {_later("c.previous_at", "r.status_at")}
                        THEN 1 ELSE 0 END AS newer
            FROM changed AS c
            LEFT JOIN request_view AS r ON r.request_id = c.request_id
        ),
        latest AS (
            SELECT request_id,
                   max(CASE WHEN newer = 1 THEN seq END) AS status_seq,
                   max(CASE WHEN event_type IN ({_listed(LOGGED)}) THEN seq END) AS logged_seq,
                   max(CASE WHEN newer = 1 AND event_type IN ('ProviderAssigned', 'RequestUnmet') THEN seq END)
                       AS provider_seq,
                   max(CASE WHEN newer = 1 AND event_type = 'ProvidersOriented' THEN seq END) AS oriented_seq,
                   max(CASE WHEN newer = 1 AND event_type = 'RequestUnmet' THEN seq END) AS unmet_seq
            FROM judged
            GROUP BY request_id
        )
        INSERT INTO request_view (request_id, platform_id, kind, channel, activity, commune, status, provider_id,
                                  oriented, unmet_reason, status_at, logged_at, updated_at)
        SELECT l.request_id,
               CASE WHEN s.seq IS NULL THEN r.platform_id ELSE s.platform_id END,
               CASE WHEN g.seq IS NULL THEN r.kind ELSE g.kind END,
               CASE WHEN g.seq IS NULL THEN r.channel ELSE g.channel END,
               CASE WHEN g.seq IS NULL THEN r.activity ELSE g.activity END,
               CASE WHEN g.seq IS NULL THEN r.commune ELSE g.commune END,
               CASE WHEN s.seq IS NULL THEN r.status ELSE s.status END,
               CASE WHEN p.seq IS NULL THEN r.provider_id
                    WHEN p.event_type = 'RequestUnmet' THEN NULL ELSE p.provider_id END,
               CASE WHEN o.seq IS NULL THEN r.oriented ELSE o.oriented END,
               CASE WHEN u.seq IS NULL THEN r.unmet_reason ELSE u.unmet_reason END,
               CASE WHEN s.seq IS NULL THEN r.status_at ELSE s.at END,
               CASE WHEN g.seq IS NULL THEN r.logged_at ELSE g.at END,
               CASE WHEN s.seq IS NULL THEN r.updated_at ELSE s.at END
        FROM latest AS l
        LEFT JOIN request_view AS r ON r.request_id = l.request_id
        LEFT JOIN judged AS s ON s.seq = l.status_seq
        LEFT JOIN judged AS g ON g.seq = l.logged_seq
        LEFT JOIN judged AS p ON p.seq = l.provider_seq
        LEFT JOIN judged AS o ON o.seq = l.oriented_seq
        LEFT JOIN judged AS u ON u.seq = l.unmet_seq
        WHERE true
        ON CONFLICT (request_id) DO UPDATE SET
            platform_id = excluded.platform_id, kind = excluded.kind, channel = excluded.channel,
            activity = excluded.activity, commune = excluded.commune, status = excluded.status,
            provider_id = excluded.provider_id, oriented = excluded.oriented, unmet_reason = excluded.unmet_reason,
            status_at = excluded.status_at, logged_at = excluded.logged_at, updated_at = excluded.updated_at
        """
    queue = f"""
        WITH message AS MATERIALIZED (
            SELECT e.seq, e.event_type, e.called_back, e.platform_id, e.resident_id, e.left_at_local, e.occurred_at,
                   CASE WHEN e.event_type = 'VoicemailLogged' THEN e.request_id ELSE e.aggregate_id END AS entry_id
            FROM {staged} AS e
            WHERE e.event_type IN ('VoicemailLogged', 'VoicemailCalledBack', 'VoicemailUnanswered')
        ),
        first_logged AS (
            SELECT entry_id, min(seq) AS seq FROM message WHERE event_type = 'VoicemailLogged' GROUP BY entry_id
        ),
        last_logged AS (
            SELECT entry_id, max(seq) AS seq FROM message WHERE event_type = 'VoicemailLogged' GROUP BY entry_id
        ),
        reset AS MATERIALIZED (
            SELECT m.entry_id, m.seq, CASE WHEN m.event_type = 'VoicemailLogged' THEN 'waiting' ELSE 'done' END AS status
            FROM message AS m
            LEFT JOIN callback_queue AS c ON c.entry_id = m.entry_id
            LEFT JOIN first_logged AS f ON f.entry_id = m.entry_id
            WHERE m.event_type = 'VoicemailLogged'
               OR (m.event_type = 'VoicemailCalledBack' AND m.called_back = 1
                   AND (c.entry_id IS NOT NULL OR f.seq < m.seq))
        ),
        last_reset AS (
            SELECT entry_id, max(seq) AS seq FROM reset GROUP BY entry_id
        ),
        entry AS (
            SELECT m.entry_id, max(t.seq) AS reset_seq, max(l.seq) AS logged_seq,
                   max(CASE WHEN m.event_type = 'VoicemailUnanswered' THEN m.seq END) AS unanswered_seq
            FROM message AS m
            LEFT JOIN last_reset AS t ON t.entry_id = m.entry_id
            LEFT JOIN last_logged AS l ON l.entry_id = m.entry_id
            GROUP BY m.entry_id
        ),
        settled AS (
            SELECT n.entry_id, c.entry_id AS stored, g.seq AS logged,
                   CASE WHEN g.seq IS NULL THEN c.platform_id ELSE g.platform_id END AS platform_id,
                   CASE WHEN g.seq IS NULL THEN c.resident_id ELSE g.resident_id END AS resident_id,
                   CASE WHEN g.seq IS NULL THEN c.left_at_local ELSE g.left_at_local END AS left_at_local,
                   CASE WHEN g.seq IS NULL THEN c.logged_at ELSE g.occurred_at END AS logged_at,
                   CASE WHEN t.seq IS NULL THEN c.status ELSE t.status END AS status,
                   CASE WHEN n.unanswered_seq > COALESCE(n.reset_seq, -1) THEN 1 ELSE 0 END AS unanswered_after
            FROM entry AS n
            LEFT JOIN callback_queue AS c ON c.entry_id = n.entry_id
            LEFT JOIN reset AS t ON t.entry_id = n.entry_id AND t.seq = n.reset_seq
            LEFT JOIN message AS g ON g.seq = n.logged_seq
        )
        INSERT INTO callback_queue (entry_id, platform_id, resident_id, left_at_local, status, logged_at)
        SELECT entry_id, platform_id, resident_id, left_at_local,
               CASE WHEN status = 'waiting' AND unanswered_after = 1 THEN 'unanswered' ELSE status END, logged_at
        FROM settled
        WHERE stored IS NOT NULL OR logged IS NOT NULL
        ON CONFLICT (entry_id) DO UPDATE SET
            platform_id = excluded.platform_id, resident_id = excluded.resident_id,
            left_at_local = excluded.left_at_local, status = excluded.status, logged_at = excluded.logged_at
        """
    return [timeline, view, queue]
