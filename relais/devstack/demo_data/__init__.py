"""Demo federation data: fictional providers, users, residents and calls, one YAML file per platform.

Pure accessors: each call returns a fresh copy of the data of ``<platform_id>.yaml`` (package data);
nothing is read before the first call. Every name, number and address is invented.

Shapes (keys of each dict; dates and datetimes are ``date`` / timezone-aware ``datetime``):

- provider: ``provider_id``, ``name``, ``kind`` (association | artisan | company), ``siret`` (France)
  or ``bce_number`` (Belgium), ``located_in`` (commune code of the structure, for orientation by
  distance), ``activities``, ``communes`` (served), ``qualifications``, ``status`` (admitted | applied
  | suspended), ``admitted_on`` (absent when applied), ``suspension`` ({since, reason}, when
  suspended), ``accreditations`` ([{number, issued_on, expires_on, publics}]), ``weekly``
  ([{weekday, starts, ends}], platform local time). The field names follow the provider events of
  :mod:`shared.contracts.events.providers`.
- user: ``username``, ``display_name``, ``role`` (operator | coordinator | provider), ``provider_id``
  (providers only).
- resident: ``resident_id``, ``name``, ``phone``, ``email``, ``address``, ``commune``.
- call: ``call_id``, ``kind`` (request | information | voicemail), ``channel``, ``received_at``,
  ``expected`` (what the demo should show, for people), and per kind: request: ``resident``,
  ``activity``, ``commune``, ``fragile_publics``, ``availability`` ([{starts_at, ends_at}]),
  ``description``; information: ``topic``, ``answer``, ``commune``; voicemail: ``resident``,
  ``activity``, ``commune``, ``description``.
"""

from __future__ import annotations

import copy
import random
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from shared.platforms.model import PlatformPolicy

DEMO_PLATFORM_IDS: tuple[str, ...] = ("limoges", "herault", "val-de-marne", "brenne", "mons-borinage")
DEMO_DESK_IDS: tuple[str, ...] = ("pimms-lyon",)
"""The demo's mediation desks: users and drawn visits, no provider, resident or call."""


def demo_providers(platform_id: str) -> list[dict[str, Any]]:
    """The demo providers of ``platform_id`` (admitted, applied and suspended ones)."""
    return _section(platform_id, "providers")


def demo_users(platform_id: str) -> list[dict[str, Any]]:
    """The demo operator, coordinator, analyst and provider accounts of ``platform_id``."""
    return _section(platform_id, "users")


def demo_residents(platform_id: str) -> list[dict[str, Any]]:
    """The fictional residents who call ``platform_id`` in the demo."""
    return _section(platform_id, "residents")


def demo_calls(platform_id: str) -> list[dict[str, Any]]:
    """Example calls to ``platform_id``, in the order they are received."""
    return _section(platform_id, "calls")


def demo_employment_spec(platform_id: str) -> dict[str, Any] | None:
    """The ``employment`` section of ``platform_id``'s demo file (what :mod:`relais.devstack.demo_data.employment`
    draws the platform's employment history from), or None when its demo has no employment activity."""
    spec = _document(platform_id).get("employment")
    return copy.deepcopy(spec) if spec is not None else None


def demo_visits(desk: PlatformPolicy, today: date) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The visits of the weeks before ``today`` at the mediation desk ``desk`` (bodies of ``POST /visits``: topic,
    actions, minutes, commune, local time, and the service oriented to), drawn with a fixed seed from the desk's
    mix on its walk-in hours; the last open day gets only ``drop_yesterday`` of its visitors. Also the paper
    questionnaires some visitors filled in (bodies of ``POST /visit-answers``)."""
    if desk.desk is None:
        raise ValueError(f"{desk.platform_id} is not a mediation desk")
    hours, zone = desk.desk.walk_in_hours, desk.zone
    spec: dict[str, Any] = copy.deepcopy(_document(desk.platform_id)["visits"])
    rng = random.Random(f"{desk.platform_id}-demo")
    days = [today - timedelta(days=offset) for offset in range(spec["weeks"] * 7, 0, -1)]
    last_open = max((day for day in days if hours.intervals_on(day)), default=None)
    mix, weights = spec["mix"], [entry["weight"] for entry in spec["mix"]]
    low, high = spec["per_open_hour"]
    visits: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for day in days:
        scale = float(spec["drop_yesterday"]) if day == last_open else 1.0
        for interval in hours.intervals_on(day):
            for hour in range(interval.opens.hour, interval.closes.hour + (interval.closes.minute > 0)):
                for _ in range(round(rng.randint(low, high) * scale)):
                    entry = rng.choices(mix, weights)[0]
                    minute = rng.randint(0, 59)
                    at = datetime.combine(day, time(hour, minute))
                    if not interval.opens <= at.time() < interval.closes:
                        continue
                    visit = {"topic_asked": entry["topic"], "actions": entry["actions"],
                             "minutes_spent": rng.randint(*entry["minutes"]), "commune": rng.choice(spec["communes"]),
                             "visited_at_local": at.replace(tzinfo=zone).isoformat()}
                    if "oriented_to" in entry:
                        visit["oriented_to"] = entry["oriented_to"]
                    visits.append(visit)
                    if rng.random() < float(spec["paper_answers_share"]):
                        satisfied = rng.random() < float(spec["satisfied_share"])
                        answers.append({"satisfied": satisfied, "question_resolved": satisfied or rng.random() < 0.3,
                                        "would_come_back": satisfied or rng.random() < 0.5,
                                        "visited_on": day.isoformat()})
    return visits, answers


def _section(platform_id: str, name: str) -> list[dict[str, Any]]:
    return copy.deepcopy(_document(platform_id)[name])


@cache
def _document(platform_id: str) -> dict[str, Any]:
    if platform_id not in DEMO_PLATFORM_IDS + DEMO_DESK_IDS:
        known = ", ".join(DEMO_PLATFORM_IDS + DEMO_DESK_IDS)
        raise KeyError(f"no demo data for platform {platform_id!r}; known: {known}")
    text = resources.files(__name__).joinpath(f"{platform_id}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
