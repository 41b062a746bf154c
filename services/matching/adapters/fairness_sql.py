"""The fairness projection's SQL over a batch of staged events (see :mod:`shared.messaging.set_based`).

The same rows as the handlers of :mod:`services.matching.adapters.fairness`, event for event:

- ``ProviderAssigned``: each distinct candidate's row of the request's activity x sector gets the offer
  (if chosen) and its equal share of it (``1 / distinct eligible`` if eligible); the request's group is
  recorded (the latest assignment of a request wins);
- ``ContactConfirmed`` / ``OfferDeclined`` / ``ContactDeadlineMissed``: +1 on the provider's row in the
  group of the request *as it was at that event*, only if that row existed then (the handler's UPDATE
  finds no row otherwise): the group comes from the request's latest earlier assignment in the batch,
  else from ``fairness_requests`` before the batch; the row existed before the batch or an earlier
  assignment of the batch created it.

``expected_offers`` is a float added up event after event: ``a + b + c`` depends on the order of the
additions, so the batch's shares are folded onto the stored value in event order (``WITH RECURSIVE``
over the batch's changes, :data:`CHANGES`), never summed first, to give the handlers' very bits.
"""

from __future__ import annotations

from shared.messaging.set_based import Field, WorkTable
from shared.storage.batch_dialect import BatchDialect

ASSIGNED = "ProviderAssigned"
OUTCOME_COLUMNS = {"ContactConfirmed": "accepted", "OfferDeclined": "declined", "ContactDeadlineMissed": "missed"}
KEY = ("platform_id", "activity", "sector", "provider_id")

FIELDS = (Field("request_id"), Field("provider_id"), Field("activity"), Field("sector"), Field("candidates", "json"),
          Field("eligible", "json"))
"""The payload fields the statements read, staged as columns (the payload's JSON is not staged)."""

CHANGES = WorkTable("fairness_changes", (
    ("rid", "integer"), ("platform_id", "text"), ("activity", "text"), ("sector", "text"), ("provider_id", "text"),
    ("n", "integer"), ("offers", "integer"), ("expected", "real"), ("accepted", "integer"), ("declined", "integer"),
    ("missed", "integer"),
), primary_key="rid")
"""The batch's changes to ``fairness_counts``, one per event and row, numbered (``rid``) row after row in event
order, ``n`` counting within the row: the next change of a row is ``rid + 1``, found by primary key."""


def _same_key(left: str, right: str) -> str:
    return " AND ".join(f"{left}.{column} = {right}.{column}" for column in KEY)


def fairness_statements(sql: BatchDialect) -> list[str]:
    zero = sql.real("0")
    key = ", ".join(KEY)
    outcome_types = ", ".join(f"'{name}'" for name in OUTCOME_COLUMNS)
    outcome_counts = ", ".join(
        f"CASE WHEN g.event_type = '{name}' THEN 1 ELSE 0 END AS {column}" for name, column in OUTCOME_COLUMNS.items())
    changes = f"""
        WITH assignment AS MATERIALIZED (
            SELECT e.seq, e.request_id, e.platform_id, e.activity, e.sector, e.provider_id AS chosen, e.candidates,
                   e.eligible
            FROM {sql.staged} AS e WHERE e.event_type = '{ASSIGNED}'
        ),
        candidacy AS (
            SELECT DISTINCT a.seq, c.value AS provider_id FROM assignment AS a, {sql.elements_of("a.candidates", "c")}
        ),
        eligibility AS MATERIALIZED (
            SELECT DISTINCT a.seq, x.value AS provider_id FROM assignment AS a, {sql.elements_of("a.eligible", "x")}
        ),
        eligible_count AS (
            SELECT seq, count(*) AS eligible FROM eligibility GROUP BY seq
        ),
        offered AS MATERIALIZED (
            SELECT a.seq, a.platform_id, a.activity, a.sector, c.provider_id,
                   CASE WHEN c.provider_id = a.chosen THEN 1 ELSE 0 END AS offers,
                   CASE WHEN x.seq IS NOT NULL THEN {sql.real("1")} / n.eligible ELSE {zero} END AS expected
            FROM candidacy AS c
            JOIN assignment AS a ON a.seq = c.seq
            JOIN eligible_count AS n ON n.seq = c.seq
            LEFT JOIN eligibility AS x ON x.seq = c.seq AND x.provider_id = c.provider_id
        ),
        first_offered AS (
            SELECT {key}, min(seq) AS seq FROM offered GROUP BY {key}
        ),
        outcome AS MATERIALIZED (
            SELECT e.seq, e.event_type, e.request_id, e.provider_id
            FROM {sql.staged} AS e WHERE e.event_type IN ({outcome_types})
        ),
        prior AS (
            SELECT o.seq, max(a.seq) AS assigned
            FROM outcome AS o JOIN assignment AS a ON a.request_id = o.request_id AND a.seq < o.seq
            GROUP BY o.seq
        ),
        outcome_in_group AS (
            SELECT o.seq, o.event_type, o.provider_id,
                   CASE WHEN p.assigned IS NULL THEN r.platform_id ELSE a.platform_id END AS platform_id,
                   CASE WHEN p.assigned IS NULL THEN r.activity ELSE a.activity END AS activity,
                   CASE WHEN p.assigned IS NULL THEN r.sector ELSE a.sector END AS sector
            FROM outcome AS o
            LEFT JOIN prior AS p ON p.seq = o.seq
            LEFT JOIN assignment AS a ON a.seq = p.assigned
            LEFT JOIN fairness_requests AS r ON r.request_id = o.request_id
        ),
        counted AS (
            SELECT g.seq, g.platform_id, g.activity, g.sector, g.provider_id, 0 AS offers, {zero} AS expected,
                   {outcome_counts}
            FROM outcome_in_group AS g
            LEFT JOIN fairness_counts AS f ON {_same_key("f", "g")}
            LEFT JOIN first_offered AS p ON {_same_key("p", "g")}
            WHERE g.platform_id IS NOT NULL AND (f.provider_id IS NOT NULL OR p.seq < g.seq)
        ),
        change AS (
            SELECT {key}, seq, offers, expected, 0 AS accepted, 0 AS declined, 0 AS missed FROM offered
            UNION ALL
            SELECT {key}, seq, offers, expected, accepted, declined, missed FROM counted
        )
        INSERT INTO {CHANGES.name} (rid, {key}, n, offers, expected, accepted, declined, missed)
        SELECT row_number() OVER (ORDER BY {key}, seq), {key},
               row_number() OVER (PARTITION BY {key} ORDER BY seq), offers, expected, accepted, declined, missed
        FROM change
        WHERE true
        """
    counts = f"""
        WITH RECURSIVE folded (rid, n, total) AS (
            SELECT c.rid, c.n, COALESCE(f.expected_offers, {zero}) + c.expected
            FROM {CHANGES.name} AS c
            LEFT JOIN fairness_counts AS f ON {_same_key("f", "c")}
            WHERE c.n = 1
            UNION ALL
            SELECT c.rid, c.n, t.total + c.expected
            FROM folded AS t
            JOIN {CHANGES.name} AS c ON c.rid = t.rid + 1 AND c.n = t.n + 1
        ),
        totals AS (
            SELECT {key}, max(rid) AS last, sum(offers) AS offers, sum(accepted) AS accepted,
                   sum(declined) AS declined, sum(missed) AS missed
            FROM {CHANGES.name}
            GROUP BY {key}
        )
        INSERT INTO fairness_counts ({key}, offers, accepted, declined, missed, expected_offers)
        SELECT {", ".join(f"s.{column}" for column in KEY)}, s.offers, s.accepted, s.declined, s.missed, t.total
        FROM totals AS s
        JOIN folded AS t ON t.rid = s.last
        WHERE true
        ON CONFLICT ({key}) DO UPDATE SET
            offers = fairness_counts.offers + excluded.offers,
            accepted = fairness_counts.accepted + excluded.accepted,
            declined = fairness_counts.declined + excluded.declined,
            missed = fairness_counts.missed + excluded.missed,
            expected_offers = excluded.expected_offers
        """
    requests = f"""
        INSERT INTO fairness_requests (request_id, platform_id, activity, sector)
        SELECT request_id, platform_id, activity, sector
        FROM (
            SELECT e.request_id, e.platform_id, e.activity, e.sector,
                   row_number() OVER (PARTITION BY e.request_id ORDER BY e.seq DESC) AS latest
            FROM {sql.staged} AS e WHERE e.event_type = '{ASSIGNED}'
        ) AS assignments
        WHERE latest = 1
        ON CONFLICT (request_id) DO UPDATE SET
            platform_id = excluded.platform_id, activity = excluded.activity, sector = excluded.sector
        """
    return [changes, counts, requests]
