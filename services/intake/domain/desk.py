"""A mediation desk's figures from its visits: the dashboard (visits per day and week, by topic, partner and
group, busiest hours), the attendance alert (a day far from the norm of its weekday) and the monthly report
for one partner. Pure: visits in (days and hours already in the desk's local time), figures out, in French."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shared.contracts.events.providers import Weekday
from shared.contracts.labels import VISIT_ACTIONS, WEEKDAYS, label
from shared.platforms.desk import MediationDesk
from shared.platforms.model import PlatformPolicy


@dataclass(frozen=True)
class Visit:
    """One visit as the desk's read model keeps it."""

    platform_id: str
    day: date
    hour: int
    topic: str
    topic_group: str
    partner: str | None
    actions: tuple[str, ...]
    minutes: int
    oriented_to: str | None = None
    follow_up: bool = False


@dataclass(frozen=True)
class AttendanceAlert:
    """A day whose visits moved away from the norm of its weekday: ``kind`` is ``drop`` or ``surge``."""

    day: date
    visits: int
    norm: Decimal
    kind: str
    message: str


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def norm_start(desk: MediationDesk, first: date) -> date:
    """The first day whose visits the norm of ``first`` needs."""
    return first - timedelta(weeks=desk.attendance_alert.norm_weeks)


def attendance_alerts(desk: MediationDesk, visits_per_day: Mapping[date, int], days: Iterable[date],
                      today: date) -> list[AttendanceAlert]:
    """The open days of ``days`` before ``today`` (a day in progress is not judged) whose visits fell below
    ``drop_below`` x norm or rose above ``surge_above`` x norm; the norm is the average of the same weekday over
    the previous ``norm_weeks`` weeks on which the desk was open (and logging visits already: the weeks before its
    first visit are no history), and must reach ``min_norm_visits``."""
    rule, hours = desk.attendance_alert, desk.walk_in_hours
    known_since = min((day for day, count in visits_per_day.items() if count), default=None)
    alerts = []
    for day in days:
        if day >= today or not hours.intervals_on(day):
            continue
        previous = [day - timedelta(weeks=weeks) for weeks in range(1, rule.norm_weeks + 1)]
        open_before = [earlier for earlier in previous
                       if hours.intervals_on(earlier) and known_since is not None and earlier >= known_since]
        if not open_before:
            continue
        norm = Decimal(sum(visits_per_day.get(earlier, 0) for earlier in open_before)) / len(open_before)
        if norm < rule.min_norm_visits:
            continue
        visits = visits_per_day.get(day, 0)
        if visits < norm * rule.drop_below:
            kind, how = "drop", "bien moins"
        elif visits > norm * rule.surge_above:
            kind, how = "surge", "bien plus"
        else:
            continue
        weekday = WEEKDAYS[list(Weekday)[day.weekday()]]
        usual = _one_decimal(norm)
        message = (f"{weekday.capitalize()} {day:%d/%m/%Y} : {visits} visite(s), {how} que d'habitude ({usual} en "
                   f"moyenne les {len(open_before)} {weekday}s précédents).")
        alerts.append(AttendanceAlert(day, visits, norm.quantize(Decimal("0.1")), kind, message))
    return alerts


def dashboard(policy: PlatformPolicy, visits: Sequence[Visit], first: date, last: date, today: date,
              history: Sequence[Visit] = ()) -> dict[str, Any]:
    """The desk's dashboard over ``first``..``last`` (``visits`` of those days; ``history``: the visits of the
    weeks before, for the attendance norm)."""
    per_day = Counter(visit.day for visit in visits)
    days = days_between(first, last)
    alerts = []
    if policy.desk is not None:
        counts = per_day + Counter(visit.day for visit in history)
        alerts = attendance_alerts(policy.desk, counts, days, today)
    return {
        "platform_id": policy.platform_id, "name": policy.name, "since": first, "until": last,
        **figures(policy, visits),
        "per_day": [{"day": day, "visits": per_day.get(day, 0),
                     "by_group": _by_group(policy, [v for v in visits if v.day == day])} for day in days],
        "per_week": _per_week(visits, days),
        "alerts": [{"day": alert.day, "visits": alert.visits, "norm": str(alert.norm), "kind": alert.kind,
                    "message": alert.message} for alert in alerts],
    }


def figures(policy: PlatformPolicy, visits: Sequence[Visit]) -> dict[str, Any]:
    """Totals, and visits by topic, partner, group and hour of the day, with French labels."""
    total = len(visits)
    minutes = sum(visit.minutes for visit in visits)
    by_topic = Counter(visit.topic for visit in visits)
    by_partner = Counter(visit.partner for visit in visits if visit.partner)
    by_hour = Counter(visit.hour for visit in visits)
    return {
        "visits": total,
        "average_minutes": _one_decimal(Decimal(minutes) / total) if total else None,
        "follow_ups": sum(visit.follow_up for visit in visits),
        "by_group": _by_group(policy, visits),
        "by_topic": [{"topic": code, "label": _topic_label(policy, code), "visits": count}
                     for code, count in by_topic.most_common()],
        "by_partner": [{"partner": code, "name": _partner_name(policy, code), "visits": count}
                       for code, count in by_partner.most_common()],
        "by_action": [{"action": code, "label": label(VISIT_ACTIONS, code), "visits": count}
                      for code, count in Counter(a for visit in visits for a in visit.actions).most_common()],
        "busiest_hours": [{"hour": hour, "label": f"{hour} h – {hour + 1} h", "visits": count}
                          for hour, count in sorted(by_hour.items(), key=lambda item: (-item[1], item[0]))],
    }


def network_dashboard(policies: Sequence[PlatformPolicy], visits: Sequence[Visit]) -> dict[str, Any]:
    """The figures of a network of desks: all of them together, and each desk's totals."""
    reference = policies[0]
    per_desk = Counter(visit.platform_id for visit in visits)
    merged = reference.model_copy(update={"information_topics": [g for p in policies for g in p.information_topics],
                                          "partners": [partner for p in policies for partner in p.partners]})
    return {
        **figures(merged, visits),
        "desks": [{"platform_id": p.platform_id, "name": p.name, "visits": per_desk.get(p.platform_id, 0)}
                  for p in policies],
    }


REPORT_COLUMNS = {"day": "Jour", "topic": "Sujet", "actions": "Ce qui a été fait", "minutes": "Durée (min)",
                  "oriented_to": "Orienté vers", "follow_up": "Suivi promis"}
"""Columns of a partner's monthly report, in French (CSV header and printable page)."""


def partner_report(policy: PlatformPolicy, partner: str, month: str, visits: Sequence[Visit]) -> dict[str, Any]:
    """The month's visits about ``partner``'s services: totals by topic and action, and one line per visit."""
    own = sorted((visit for visit in visits if visit.partner == partner), key=lambda v: (v.day, v.hour))
    return {
        "platform_id": policy.platform_id, "desk": policy.name, "partner": partner,
        "partner_name": _partner_name(policy, partner), "month": month, **figures(policy, own),
        "lines": [{"day": f"{visit.day:%d/%m/%Y}", "topic": _topic_label(policy, visit.topic),
                   "actions": ", ".join(label(VISIT_ACTIONS, action) for action in visit.actions),
                   "minutes": visit.minutes, "oriented_to": visit.oriented_to or "",
                   "follow_up": "oui" if visit.follow_up else "non"} for visit in own],
    }


def _by_group(policy: PlatformPolicy, visits: Sequence[Visit]) -> list[dict[str, Any]]:
    counts = Counter(visit.topic_group for visit in visits)
    total = len(visits)
    listed = list(dict.fromkeys(group.code for group in policy.information_topics))
    codes = listed + sorted(code for code in counts if code not in listed)
    return [{"group": code, "label": _group_label(policy, code), "visits": counts.get(code, 0),
             "share": _one_decimal(Decimal(100 * counts.get(code, 0)) / total) if total else None} for code in codes]


def _per_week(visits: Sequence[Visit], days: Sequence[date]) -> list[dict[str, Any]]:
    mondays = sorted({day - timedelta(days=day.weekday()) for day in days})
    per_week = Counter(visit.day - timedelta(days=visit.day.weekday()) for visit in visits)
    return [{"week": f"{monday:%G-W%V}", "label": f"semaine du {monday:%d/%m/%Y}", "visits": per_week.get(monday, 0)}
            for monday in mondays]


def _topic_label(policy: PlatformPolicy, code: str) -> str:
    try:
        return policy.topic(code)[1].label
    except KeyError:
        return "sujet retiré de la liste"


def _group_label(policy: PlatformPolicy, code: str) -> str:
    return next((group.label for group in policy.information_topics if group.code == code), "groupe retiré de la liste")


def _partner_name(policy: PlatformPolicy, code: str) -> str:
    try:
        return policy.partner(code).name
    except KeyError:
        return "partenaire retiré de la liste"


def _one_decimal(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")
