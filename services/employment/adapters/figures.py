"""The employment figures: one row per counted fact, summed by month, trade and referral source when read.

The ``employment.figures`` projection writes the facts of each event inside its batch transaction (the
primary key event id x measure x seeker makes a redelivered event change nothing). A fact about a seeker
counts under the seeker's preferred trade and referral source, joined from their registration when the
figures are read, so the order in which the partitions deliver a seeker's registration and the later facts
about them does not matter (an opening's facts count under the opening's trade). No row holds personal data: erasing a seeker leaves
every count as it was. Months are the platform's local months.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import MetaData, func, select

from shared.contracts.envelope import Envelope
from shared.contracts.events import employment as e
from shared.platforms.local_time import local_date, local_month
from shared.platforms.model import PlatformPolicy
from shared.privacy.suppression import MIN_THRESHOLD, SECRET, Cell, Suppression, suppress
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import insert_new

MEASURES = (
    "seekers_received", "sessions_held", "invited_to_session", "present_at_session", "assessed", "preselected",
    "referred_to_training", "not_now", "trainings_started", "modules_assessed", "modules_certified",
    "trainings_completed", "certified", "openings_posted", "candidates_proposed", "hires", "time_to_fill_days",
    "placements_checked_3", "in_post_3", "placements_checked_6", "in_post_6",
)
"""Every measure counted, in the order of the path from registration to a placement still in post."""


@dataclass(frozen=True)
class Fact:
    measure: str
    subject: str = ""
    amount: int = 1
    trade: str | None = None


def facts_of(payload: Any, on: date) -> list[Fact]:
    """The facts one event counts; ``on`` is the platform's local day the event occurred on."""
    match payload:
        case e.SeekerRegistered(seeker_id=seeker_id):
            return [Fact("seekers_received", seeker_id)]
        case e.SessionHeld(attendance=attendance):
            return [Fact("sessions_held"), *(Fact("invited_to_session", seeker) for seeker in attendance),
                    *(Fact("present_at_session", seeker) for seeker, mark in attendance.items()
                      if mark is e.Attendance.PRESENT)]
        case e.SeekerAssessed(seeker_id=seeker_id, decision=decision):
            return [Fact("assessed", seeker_id), Fact(decision.value, seeker_id)]
        case e.SeekerJoinedCohort(seeker_id=seeker_id):
            return [Fact("trainings_started", seeker_id)]
        case e.ModuleCertified(seeker_id=seeker_id, certified=certified):
            return [Fact("modules_assessed", seeker_id), *([Fact("modules_certified", seeker_id)] if certified else [])]
        case e.TrainingCompleted(seeker_id=seeker_id, certified=certified):
            return [Fact("trainings_completed", seeker_id), *([Fact("certified", seeker_id)] if certified else [])]
        case e.OpeningPosted(trade=trade):
            return [Fact("openings_posted", trade=trade.value)]
        case e.CandidatesProposed(proposed=proposed):
            return [Fact("candidates_proposed", candidate.seeker_id) for candidate in proposed]
        case e.SeekerHired(seeker_id=seeker_id, posted_on=posted_on, trade=trade):
            return [Fact("hires", seeker_id, trade=trade.value),
                    Fact("time_to_fill_days", seeker_id, (on - posted_on).days, trade=trade.value)]
        case e.PlacementChecked(seeker_id=seeker_id, months=months, in_post=in_post):
            return [Fact(f"placements_checked_{months}", seeker_id), *([Fact(f"in_post_{months}", seeker_id)]
                                                                       if in_post else [])]
    return []


async def record_facts(conn: ProjectionConnection, metadata: MetaData, envelope: Envelope[Any],
                       policy: PlatformPolicy) -> None:
    payload = envelope.payload
    at = envelope.meta.occurred_at
    if isinstance(payload, e.SeekerRegistered):
        await insert_new(conn, metadata.tables["employment_seeker_profiles"], {
            "seeker_id": payload.seeker_id, "platform_id": envelope.platform_id, "trade": payload.trades[0].value,
            "referral_source": payload.referral_source.value}, key=["seeker_id"])
    month = local_month(at, policy.zone)
    for fact in facts_of(payload, local_date(at, policy.zone)):
        await insert_new(conn, metadata.tables["employment_facts"], {
            "event_id": str(envelope.event_id), "measure": fact.measure, "subject": fact.subject,
            "platform_id": envelope.platform_id, "month": month, "trade": fact.trade or "", "amount": fact.amount}, key=["event_id", "measure", "subject"])


@dataclass
class Figures:
    """Sums of each measure: overall, by month, by trade and by referral source."""

    total: dict[str, int] = field(default_factory=dict)
    months: dict[str, dict[str, int]] = field(default_factory=dict)
    trades: dict[str, dict[str, int]] = field(default_factory=dict)
    sources: dict[str, dict[str, int]] = field(default_factory=dict)
    cells: list[tuple[str, str, str, str, int]] = field(default_factory=list)
    """(measure, month, trade, referral source, sum): the finest cells, for the export."""


async def figures(conn: ProjectionConnection, metadata: MetaData, platform_id: str, since: str | None,
                  until: str | None) -> Figures:
    facts, profiles = metadata.tables["employment_facts"], metadata.tables["employment_seeker_profiles"]
    conditions = [facts.c.platform_id == platform_id]
    if since:
        conditions.append(facts.c.month >= since)
    if until:
        conditions.append(facts.c.month <= until)
    trade = func.coalesce(func.nullif(facts.c.trade, ""), profiles.c.trade, "")
    source = func.coalesce(profiles.c.referral_source, "")
    query = (select(facts.c.measure, facts.c.month, trade.label("trade"), source.label("referral_source"),
                    func.sum(facts.c.amount).label("amount"))
             .select_from(facts.outerjoin(profiles, facts.c.subject == profiles.c.seeker_id))
             .where(*conditions).group_by(facts.c.measure, facts.c.month, trade, source)
             .order_by(facts.c.month, facts.c.measure, trade, source))
    cells = [(row.measure, row.month, row.trade, row.referral_source, int(row.amount))
             for row in await conn.execute(query)]
    return summed(cells)


def summed(cells: Iterable[tuple[str, str, str, str, int]]) -> Figures:
    result = Figures(cells=list(cells))
    total: defaultdict[str, int] = defaultdict(int)
    by: Mapping[str, defaultdict[str, defaultdict[str, int]]] = {
        name: defaultdict(lambda: defaultdict(int)) for name in ("months", "trades", "sources")}
    for measure, month, trade, source, amount in result.cells:
        total[measure] += amount
        by["months"][month][measure] += amount
        if trade:
            by["trades"][trade][measure] += amount
        if source:
            by["sources"][source][measure] += amount
    result.total = dict(total)
    result.months, result.trades, result.sources = ({key: dict(values) for key, values in by[name].items()}
                                                    for name in ("months", "trades", "sources"))
    return result


def published_cells(figures: Figures, threshold: int) -> list[tuple[tuple[str, ...], str]]:
    """The counts for funders, small ones hidden: each measure x month total, its trades and, within each trade,
    its referral sources, with the published value ("< threshold" or "secret" where a small count could be
    recomputed; :mod:`shared.privacy.suppression`). Sums of days are not counts and are left out."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"le seuil de secret statistique doit valoir au moins {MIN_THRESHOLD}")
    tops: dict[tuple[str, ...], Cell] = {}
    for measure, month, trade, source, amount in figures.cells:
        if measure == "time_to_fill_days":
            continue
        top = tops.setdefault((measure, month), Cell((measure, month), 0))
        middle = next((cell for cell in top.children if cell.key == (measure, month, trade)), None)
        if middle is None:
            middle = top.add(Cell((measure, month, trade), 0))
        middle.add(Cell((measure, month, trade, source), amount))
        middle.count += amount
        top.count += amount
    suppress(tops.values(), threshold)
    published = {Suppression.NONE: None, Suppression.PRIMARY: f"< {threshold}", Suppression.SECONDARY: SECRET}
    return [(cell.key, published[cell.suppression] or str(cell.count)) for top in tops.values() for cell in top.walk()]
