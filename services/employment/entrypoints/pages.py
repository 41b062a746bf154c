"""The employment pages: the advisors' ``GET /platforms/{p}/employment/board``, a provider's
``GET /platforms/{p}/openings/{id}/page``.

One French page for the platform's employment staff (advisors, coordinators): the figures of the last months,
the job seekers followed (no names: the reference opens the seeker's record through the API, audited) and each
opening with its candidates proposed and why, and the seekers skipped and why. Same token as the API.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.employment.adapters import figures as read_model
from services.employment.entrypoints import schemas as s
from services.employment.entrypoints.http import Advisor, Handlers, Recruiter, opening_view
from shared.contracts import labels
from shared.contracts.events import employment as e
from shared.platforms.local_time import french_month
from shared.service.read_model import ReadModel

router = APIRouter(prefix="/platforms/{platform_id}", tags=["employment pages"], include_in_schema=False)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
MONTHS_SHOWN = 6
HEADLINE = ("seekers_received", "sessions_held", "present_at_session", "assessed", "preselected", "referred_to_training",
            "modules_certified", "trainings_completed", "openings_posted", "candidates_proposed", "hires", "in_post_6")
"""The measures of the page's table, in the order of the path from registration to a placement."""


@cache
def templates() -> Environment:
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                              autoescape=select_autoescape(default=True))
    environment.filters["day"] = lambda day: f"{day:%d/%m/%Y}" if day else "—"
    return environment


@router.get("/employment/board", response_class=HTMLResponse)
async def board(platform_id: str, request: Request, who: Advisor, svc: Handlers, reads: ReadModel) -> HTMLResponse:
    policy = svc.policy(platform_id)
    communes = {commune.code: commune.name for commune in policy.communes}
    found = await read_model.figures(reads.conn, reads.metadata, platform_id, None, None)
    months = sorted(found.months)[-MONTHS_SHOWN:]
    openings = []
    for record in await svc.openings(platform_id, None):
        opening, events = await svc.opening(platform_id, record.opening_id, None)
        rounds = [event for event in events if isinstance(event, e.CandidatesProposed)]
        openings.append({"record": record, "opening": opening, "communes": _names(events[0].communes, communes),
                         "last": _round(rounds[-1]) if rounds else None, "rounds": len(rounds)})
    html = templates().get_template("board.html").render(
        platform=policy.name, today=svc.today(platform_id),
        months=[(month, french_month(date.fromisoformat(f"{month}-01"))) for month in months],
        rows=[(s.MEASURE_LABELS[measure], [found.months[month].get(measure, 0) for month in months],
               found.total.get(measure, 0)) for measure in HEADLINE],
        rates=_rates(found.total),
        seekers=[{"record": record, "status": labels.label(s.SEEKER_STATUSES, record.status),
                  "trades": ", ".join(labels.label(labels.TRADES, trade) for trade in record.trades),
                  "source": labels.label(labels.REFERRAL_SOURCES, record.referral_source),
                  "commune": communes.get(record.commune, record.commune)}
                 for record in await svc.seekers(platform_id)],
        openings=openings, trades=labels.TRADES, opening_statuses=s.OPENING_STATUSES,
        sessions=[s.SessionSummary.of(record, policy.zone) for record in await svc.sessions(platform_id)],
        cohorts=[s.CohortSummary.of(record) for record in await svc.cohorts(platform_id)])
    return HTMLResponse(html, headers=HEADERS)


@router.get("/openings/{opening_id}/page", response_class=HTMLResponse)
async def opening_page(platform_id: str, opening_id: str, who: Recruiter, svc: Handlers) -> HTMLResponse:
    """The provider's page of its opening: the candidates proposed to it, why, how to reach them (reads audited)."""
    view = await opening_view(platform_id, opening_id, who, svc)
    record = next(row for row in await svc.openings(platform_id, view.provider_id) if row.opening_id == opening_id)
    html = templates().get_template("opening.html").render(
        platform=svc.policy(platform_id).name, view=view, record=record, today=svc.today(platform_id),
        status=labels.label(s.OPENING_STATUSES, record.status))
    return HTMLResponse(html, headers=HEADERS)


def _names(codes: list[str], communes: dict[str, str]) -> str:
    return ", ".join(communes.get(code, code) for code in codes)


def _round(event: e.CandidatesProposed) -> dict[str, Any]:
    return {"proposed": [(candidate.seeker_id, s.why(candidate)) for candidate in event.proposed],
            "skipped": [(skip.seeker_id, labels.label(labels.CANDIDATE_SKIPS, skip.reason)) for skip in event.skipped]}


def _rates(total: dict[str, int]) -> list[tuple[str, str]]:
    def percent(part: str, whole: str) -> str:
        return _french(Decimal(100 * total.get(part, 0)) / total[whole], " %") if total.get(whole) else "—"

    days = "—"
    if total.get("hires"):
        average = Decimal(total.get("time_to_fill_days", 0)) / total["hires"]
        days = _french(average, " jour" if average < 2 else " jours")
    return [("Taux de présence aux réunions d'information", percent("present_at_session", "invited_to_session")),
            ("Taux de pré-sélection après évaluation", percent("preselected", "assessed")),
            ("Délai moyen pour pourvoir une offre", days),
            ("Personnes toujours en poste à 6 mois", percent("in_post_6", "placements_checked_6"))]


def _french(value: Decimal, unit: str) -> str:
    return f"{value.quantize(Decimal('0.1'))}".replace(".", ",").removesuffix(",0") + unit
