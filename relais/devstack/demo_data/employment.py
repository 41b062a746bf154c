"""The demo's employment activity: job seekers, information sessions, assessments, a training cohort and openings.

Drawn with a fixed seed from the ``employment`` section of a platform's demo file, on the days before ``today``
(platform's local days), so that every run of the demo loads the same history shifted to its own day. The bodies
are those of the employment API (:mod:`relais.devstack.demo_employment` sends them, as an advisor would), so every
name and contact goes through the service's sealing. Who is proposed for an opening is the service's choice; a plan
says what becomes of the candidates in the order they were proposed.

Every name, phone number and address is invented (phone numbers in the ranges reserved for fiction, e-mail
addresses on example.org).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

FIRST_NAMES = ("Aïcha", "Bintou", "Camille", "Dalila", "Élodie", "Fatou", "Gaëlle", "Hawa", "Inès", "Jessica", "Karima",
               "Laetitia", "Mariam", "Nadia", "Océane", "Patricia", "Rokia", "Sabrina", "Sandrine", "Yasmina",
               "Amadou", "Bruno", "Cédric", "Djibril", "Éric", "Franck", "Hamid", "Kevin", "Mamadou", "Rachid")
LAST_NAMES = ("Exemple", "Démo", "Fictif", "Essai", "Modèle", "Témoin", "Prototype", "Maquette", "Brouillon", "Spécimen")
GRIDS = {"preselected": ((3, 5), (4, 5), (3, 5)), "referred_to_training": ((1, 3), (3, 5), (3, 5)),
         "not_now": ((2, 4), (1, 3), (1, 3))}
"""Ranges of the grid's scores (skills, motivation, constraints) that go with each decision."""
REASONS = {
    "preselected": ("Entretien et mise en situation concluants ; projet professionnel clair.",
                    "Expérience auprès de personnes âgées, tests réussis.",
                    "Bonne présentation, motivée par le métier, disponible rapidement."),
    "referred_to_training": ("Motivation réelle, savoir-faire à consolider : remise à niveau conseillée.",
                             "Tests de mise en situation à reprendre après une formation.",
                             "Projet clair, expérience à compléter par le parcours DEAVS."),
    "not_now": ("Projet professionnel à clarifier avant de reprendre contact.",
                "Contraintes d'horaires incompatibles pour le moment ; à revoir dans trois mois.",
                "Souhaite d'abord terminer une autre démarche en cours."),
}


@dataclass
class SessionPlan:
    body: dict[str, Any]
    invited: list[int]
    enrolled: list[int]
    attendance: dict[int, str] = field(default_factory=dict)
    """Each invited seeker's attendance, once the session is held (empty for an upcoming one)."""


@dataclass
class CohortPlan:
    body: dict[str, Any]
    trainees: list[int]
    attendance: list[tuple[int, str, str]]
    """(trainee, module, attendance), in the order of the course."""
    steps: list[tuple[int, str, bool, str]]
    """(trainee, module, validated, day), in the order of the course; a step not validated may be passed later."""
    completions: dict[int, bool]


@dataclass
class OpeningPlan:
    """An opening of a member provider and what becomes of the candidates the service proposes, in its order."""

    provider: str
    body: dict[str, Any]
    wanted: int
    outcomes: list[str]
    """Interview outcome of the 1st, 2nd... candidate proposed (fewer outcomes: the others wait for their interview)."""
    hired_on: str | None
    """First day in the job of each candidate retained, when the provider hired them."""
    in_post: dict[int, bool]
    """The follow-up at 3 and 6 months, recorded when its day has come."""


@dataclass
class EmploymentHistory:
    advisor: str
    """The demo advisor who does the work (username)."""
    seekers: list[dict[str, Any]]
    sessions: list[SessionPlan]
    assessments: dict[int, dict[str, Any]]
    cohort: CohortPlan | None
    openings: list[OpeningPlan]


def employment_history(platform_id: str, spec: dict[str, Any], today: date, zone: ZoneInfo) -> EmploymentHistory:
    """The history ``spec`` (a demo file's ``employment`` section) describes, drawn with the seed of ``platform_id``
    and dated from ``today``."""
    rng = random.Random(f"{platform_id}-employment")
    seekers, intake = _seekers(rng, spec, today)
    sessions, assessments, decisions = [], {}, {}
    previous = min(intake) - timedelta(days=1)
    for index, session in enumerate(spec["sessions"]):
        day = today + timedelta(days=session["day"])
        waiting = [i for i, came in enumerate(intake) if previous < came <= day - timedelta(days=3)]
        invited = waiting[:session["capacity"] + 2]
        starts_at = datetime.combine(day, time.fromisoformat(session["at"]), zone)
        plan = SessionPlan(body={"starts_at": starts_at.isoformat(), "place": session["place"],
                                 "trades": session["trades"], "capacity": session["capacity"]},
                           invited=invited, enrolled=[])
        if day < today:
            for i in invited:
                plan.attendance[i] = rng.choices(("present", "excused", "absent"), spec["attendance"])[0]
            plan.enrolled = [i for i in invited if plan.attendance[i] != "absent"][:session["capacity"]]
            for i in invited:
                if plan.attendance[i] == "present":
                    decisions[i] = _decision(rng, spec, seekers[i]["trades"])
                    assessments[i] = _assessment(rng, decisions[i], index)
        else:
            plan.enrolled = [i for i in invited if rng.random() < 0.6][:session["capacity"]]
        sessions.append(plan)
        previous = day - timedelta(days=3)
    cohort = _cohort(rng, spec.get("cohort"), today, decisions, seekers)
    openings = [_opening(rng, opening, today) for opening in spec.get("openings", [])]
    return EmploymentHistory(spec["advisor"], seekers, sessions, assessments, cohort, openings)


def _seekers(rng: random.Random, spec: dict[str, Any], today: date) -> tuple[list[dict[str, Any]], list[date]]:
    """The registration bodies, oldest first, and the day each seeker came to the platform."""
    low, high = spec["came_before_session"]
    sessions = [today + timedelta(days=session["day"]) for session in spec["sessions"]]
    days = sorted(min(rng.choice(sessions) - timedelta(days=rng.randint(low, high)), today - timedelta(days=1))
                  for _ in range(spec["seekers"]))
    sources, trades = spec["referral_sources"], spec["trades"]
    bodies = []
    for n, came in enumerate(days, start=1):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        preferred = rng.choices(list(trades), list(trades.values()))[0]
        chosen = [preferred] + ([rng.choice([t for t in trades if t != preferred])]
                                if rng.random() < spec["second_trade_share"] else [])
        identity = {"name": name, "phone": f"{spec['phone_prefix']} {10 + n // 100:02d} {n % 100:02d}"}
        if rng.random() < spec["email_share"]:
            identity["email"] = f"{_ascii(name).lower().replace(' ', '.')}.{n}@example.org"
        bodies.append({"identity": identity,
                       "referral_source": rng.choices(list(sources), list(sources.values()))[0],
                       "trades": chosen, "commune": rng.choice(spec["communes"]),
                       "mobility_km": rng.choice(spec["mobility_km"]),
                       "available_from": (came + timedelta(days=rng.randint(0, 10))).isoformat(),
                       "hours_per_week": rng.choice(spec["hours_per_week"])})
    return bodies, days


def _decision(rng: random.Random, spec: dict[str, Any], trades: list[str]) -> str:
    weights = spec["decisions"]
    decision = rng.choices(list(weights), list(weights.values()))[0]
    if decision == "referred_to_training" and "care_assistant" not in trades:
        return "preselected" if rng.random() < 0.5 else "not_now"  # the course is the DEAVS framework
    return decision


def _assessment(rng: random.Random, decision: str, session: int) -> dict[str, Any]:
    skills, motivation, constraints = (rng.randint(*bounds) for bounds in GRIDS[decision])
    return {"grid": {"skills": skills, "motivation": motivation, "constraints": constraints}, "decision": decision,
            "reason": REASONS[decision][(session + skills) % len(REASONS[decision])]}


def _cohort(rng: random.Random, spec: dict[str, Any] | None, today: date, decisions: dict[int, str],
            seekers: list[dict[str, Any]]) -> CohortPlan | None:
    if spec is None:
        return None
    starts, ends = today + timedelta(days=spec["starts"]), today + timedelta(days=spec["ends"])
    referred = [i for i, decision in sorted(decisions.items()) if decision == "referred_to_training"
                and date.fromisoformat(seekers[i]["available_from"]) < starts]
    trainees, modules = referred[:spec["trainees"]], spec["modules"]
    attendance, steps, completions = [], [], {}
    span = (min(ends, today - timedelta(days=1)) - starts).days
    for position, module in enumerate(modules):
        day = starts + timedelta(days=span * (position + 1) // (len(modules) + 1))
        for trainee in trainees:
            attendance.append((trainee, module, rng.choices(("present", "excused", "absent"), (90, 6, 4))[0]))
            if day < today:
                validated = rng.random() < spec["step_validated"]
                steps.append((trainee, module, validated, day.isoformat()))
                retake = day + timedelta(days=spec["retake_after"])
                if not validated and retake < min(ends, today) and rng.random() < spec["retake_validated"]:
                    steps.append((trainee, module, True, retake.isoformat()))
    if ends < today:
        validated = {(t, m) for t, m, ok, _ in steps if ok}
        completions = {t: all((t, m) in validated for m in modules) for t in trainees}
    body = {"title": spec["title"], "modules": modules, "starts_on": starts.isoformat(), "ends_on": ends.isoformat()}
    return CohortPlan(body, trainees, attendance, steps, completions)


def _opening(rng: random.Random, spec: dict[str, Any], today: date) -> OpeningPlan:
    starts = today + timedelta(days=spec["starts"])
    body = {"trade": spec["trade"], "hours_per_week": spec["hours_per_week"], "communes": spec["communes"],
            "starts_on": starts.isoformat(), "positions": spec.get("positions", 1)}
    hired_on = (starts + timedelta(days=rng.randint(0, 3))).isoformat() if spec.get("hired") else None
    return OpeningPlan(spec["provider"], body, spec.get("wanted", 3), list(spec.get("outcomes", [])), hired_on,
                       {int(months): in_post for months, in_post in spec.get("in_post", {}).items()})


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
