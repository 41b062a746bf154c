"""HTTP routes of a mediation desk: mediators log visits; the desk's dashboard, its network's, and the monthly
report for each partner (CSV, and a printable French page)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from services.intake.adapters.views import IntakeViews
from services.intake.domain import commands as c
from services.intake.domain import desk
from services.intake.entrypoints.http import Created, Handlers, IdempotencyKey
from services.intake.entrypoints.views_http import Views
from services.intake.service_layer.handlers import IntakeHandlers
from shared.errors import DomainError, NotFound
from shared.platforms.desk import MediationDesk
from shared.platforms.local_time import french_month, local_date
from shared.platforms.model import PlatformPolicy
from shared.security.http import platform_member
from shared.security.principals import Principal, Role
from shared.service.listing import Period

router = APIRouter(prefix="/platforms/{platform_id}", tags=["mediation desk"])
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

Mediator = Annotated[Principal, Depends(platform_member(Role.MEDIATOR, Role.COORDINATOR, Role.FEDERATION_ADMIN))]
Reader = Annotated[Principal, Depends(platform_member(Role.MEDIATOR, Role.COORDINATOR, Role.ANALYST,
                                                      Role.FEDERATION_ADMIN))]
Funders = Annotated[Principal, Depends(platform_member(Role.COORDINATOR, Role.ANALYST, Role.FEDERATION_ADMIN))]
Month = Annotated[str | None, Query(pattern=r"^20\d\d-(0[1-9]|1[0-2])$",
                                    description="The month, YYYY-MM (local calendar); the previous month by default.")]
DEFAULT_DAYS, MAX_DAYS = 28, 366


@router.post("/visits", status_code=201, summary="Log a visit to the mediation desk")
async def log_visit(platform_id: str, body: c.VisitDetails, who: Mediator, svc: Handlers,
                    key: IdempotencyKey = None) -> Created:
    command = c.LogVisit(**dict(body), platform_id=platform_id, actor=who.actor, idempotency_key=key)
    return Created(id=await svc.log_visit(command))


@router.get("/desk/dashboard", summary="The desk's visits per day and week, by topic, partner and group, busiest "
            "hours and attendance alerts, over the local days since..until (the last 4 weeks by default)")
async def desk_dashboard(platform_id: str, who: Reader, svc: Handlers, views: Views, period: Period) -> dict[str, Any]:
    policy, rules = _desk(svc, platform_id)
    today = local_date(svc.clock.now(), policy.zone)
    first, last = _days(period.since, period.until, today)
    visits = await views.desk_visits([platform_id], desk.norm_start(rules, first), last)
    return desk.dashboard(policy, [v for v in visits if v.day >= first], first, last, today,
                          history=[v for v in visits if v.day < first])


@router.get("/desk/network", summary="The figures of every desk of this desk's network over since..until, "
            "together and desk by desk")
async def network_dashboard(platform_id: str, who: Reader, svc: Handlers, views: Views,
                            period: Period) -> dict[str, Any]:
    policy, rules = _desk(svc, platform_id)
    network = rules.network
    members = [p for p in svc.policies.values() if p.desk is not None and network and p.desk.network == network]
    members = sorted(members or [policy], key=lambda p: p.platform_id)
    first, last = _days(period.since, period.until, local_date(svc.clock.now(), policy.zone))
    visits = await views.desk_visits([p.platform_id for p in members], first, last)
    return {"network": network, "since": first, "until": last, **desk.network_dashboard(members, visits)}


@router.get("/desk/partners/{partner}/report.csv", summary="The month's visits about a partner's services, as CSV",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def partner_report_csv(platform_id: str, partner: str, who: Funders, svc: Handlers, views: Views,
                             month: Month = None) -> Response:
    report = await _partner_report(svc, views, platform_id, partner, month)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(desk.REPORT_COLUMNS), extrasaction="ignore")
    writer.writerow(desk.REPORT_COLUMNS)
    writer.writerows(report["lines"])
    filename = f"visites-{platform_id}-{partner}-{report['month']}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/desk/partners/{partner}/report", response_class=HTMLResponse,
            summary="The month's visits about a partner's services, as a printable French page")
async def partner_report_page(request: Request, platform_id: str, partner: str, who: Funders, svc: Handlers,
                              views: Views, month: Month = None) -> HTMLResponse:
    report = await _partner_report(svc, views, platform_id, partner, month)
    first = date.fromisoformat(f"{report['month']}-01")
    context = {**report, "columns": desk.REPORT_COLUMNS, "month_label": french_month(first)}
    return templates.TemplateResponse(request, "desk_report.html", context)


async def _partner_report(svc: IntakeHandlers, views: IntakeViews, platform_id: str, partner: str,
                          month: str | None) -> dict[str, Any]:
    policy, _ = _desk(svc, platform_id)
    if partner not in {p.code for p in policy.partners}:
        raise NotFound("Partenaire")
    if month is None:
        month = f"{local_date(svc.clock.now(), policy.zone).replace(day=1) - timedelta(days=1):%Y-%m}"
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return desk.partner_report(policy, partner, month, await views.desk_visits([platform_id], first, last))


def _desk(svc: IntakeHandlers, platform_id: str) -> tuple[PlatformPolicy, MediationDesk]:
    policy = svc.policy(platform_id)
    if policy.desk is None:
        raise NotFound("Point de médiation")
    return policy, policy.desk


def _days(since: date | None, until: date | None, today: date) -> tuple[date, date]:
    last = until or (today if since is None else min(today, since + timedelta(days=DEFAULT_DAYS - 1)))
    first = since or last - timedelta(days=DEFAULT_DAYS - 1)
    if (last - first).days >= MAX_DAYS:
        raise DomainError("period_too_long", f"La période dure plus de {MAX_DAYS} jours : choisissez-en une plus courte.",
                          field="paramètre since")
    return first, last

