"""A mediation desk's satisfaction: answers typed in from paper questionnaires, the public page its QR code opens
(``/d/{platform_id}``, no account, anonymous), the QR code to print, and the desk's headline satisfaction rate."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.feedback.domain import commands as c
from services.feedback.entrypoints.http import MONTH, Handlers
from services.feedback.entrypoints.page import HEADERS, templates
from services.feedback.service_layer.handlers import FeedbackHandlers
from services.feedback.service_layer.visit_answers import VISITOR_ACTOR
from shared.contracts.events.feedback import VisitAnswerChannel
from shared.errors import NotFound
from shared.security.http import platform_member
from shared.security.principals import Principal, Role
from shared.service.read_model import ReadModel

router = APIRouter(prefix="/platforms/{platform_id}", tags=["mediation desk"])
page_router = APIRouter(tags=["desk questionnaire page"], include_in_schema=False)

Mediator = Annotated[Principal, Depends(platform_member(Role.MEDIATOR, Role.COORDINATOR, Role.FEDERATION_ADMIN))]
Reader = Annotated[Principal, Depends(platform_member(Role.MEDIATOR, Role.COORDINATOR, Role.ANALYST,
                                                      Role.FEDERATION_ADMIN))]
QUESTIONS = {"satisfied": ("Êtes-vous satisfait de l'accueil et de l'aide reçue ?",
                           "Dites si vous êtes satisfait de l'accueil et de l'aide reçue."),
             "question_resolved": ("Votre question a-t-elle trouvé une réponse, ou votre démarche a-t-elle avancé ?",
                                   "Dites si votre question a trouvé une réponse."),
             "would_come_back": ("Reviendriez-vous au point d'accueil si besoin ?",
                                 "Dites si vous reviendriez au point d'accueil.")}
"""The questionnaire's three questions and the message when one is left unanswered, in page order."""


class AnswerRecorded(BaseModel):
    id: str = Field(description="Id of the answer recorded.")


class DeskSatisfaction(BaseModel):
    """The desk's satisfaction over the months asked (all by default); rates are percentages, null without answers."""

    platform_id: str
    since: str | None
    until: str | None
    answers: int
    satisfaction_rate: str | None = Field(description="Share of satisfied visitors, in %, e.g. '92,5'.")
    question_resolved_rate: str | None
    would_come_back_rate: str | None
    headline: str = Field(description="The headline in French, e.g. « 92,5 % des visiteurs interrogés satisfaits ».")
    months: list[dict[str, Any]]


@router.post("/visit-answers", status_code=201, summary="Record a visitor's paper questionnaire")
async def record_paper_answer(platform_id: str, body: c.VisitAnswers, who: Mediator, svc: Handlers) -> AnswerRecorded:
    command = c.RecordVisitAnswer(**dict(body), platform_id=platform_id, channel=VisitAnswerChannel.PAPER,
                                  actor=who.actor)
    return AnswerRecorded(id=await svc.record_visit_answer(command))


@router.get("/desk/satisfaction", summary="The desk's satisfaction rate from its visitors' questionnaires, by month")
async def desk_satisfaction(platform_id: str, who: Reader, svc: Handlers, reads: ReadModel,
                            since: Annotated[str | None, Query(pattern=MONTH, description="First month, YYYY-MM.")] = None,
                            until: Annotated[str | None, Query(pattern=MONTH, description="Last month, YYYY-MM.")] = None,
                            ) -> DeskSatisfaction:
    svc.desk(platform_id)
    table = reads.metadata.tables["desk_satisfaction"]
    query = select(table).where(table.c.platform_id == platform_id).order_by(table.c.month)
    if since:
        query = query.where(table.c.month >= since)
    if until:
        query = query.where(table.c.month <= until)
    months = [dict(row._mapping) for row in await reads.conn.execute(query)]
    total = {name: sum(row[name] for row in months) for name in ("answers", "satisfied", "question_resolved",
                                                                   "would_come_back")}
    rate = _percent(total["satisfied"], total["answers"])
    headline = (f"{rate} % des visiteurs interrogés satisfaits ({total['answers']} réponse(s))" if rate
                else "Aucun questionnaire rempli sur la période")
    return DeskSatisfaction(
        platform_id=platform_id, since=since, until=until, answers=total["answers"], satisfaction_rate=rate,
        question_resolved_rate=_percent(total["question_resolved"], total["answers"]),
        would_come_back_rate=_percent(total["would_come_back"], total["answers"]), headline=headline,
        months=[{"month": row["month"], "answers": row["answers"],
                 "satisfaction_rate": _percent(row["satisfied"], row["answers"])} for row in months])


@router.get("/desk/questionnaire-qr.svg", response_class=Response, responses={200: {"content": {"image/svg+xml": {}}}},
            summary="The QR code to print at the desk: it opens the desk's questionnaire page")
async def questionnaire_qr_code(platform_id: str, who: Mediator, svc: Handlers) -> Response:
    svc.desk(platform_id)
    svg = segno.make(svc.desk_link(platform_id), error="m", micro=False).svg_inline(scale=8, border=2,
                                                                                    title="Questionnaire de satisfaction")
    return Response(svg, media_type="image/svg+xml")


@page_router.get("/d/{platform_id}", response_class=HTMLResponse)
async def show_desk_questionnaire(platform_id: str, request: Request) -> HTMLResponse:
    handlers: FeedbackHandlers = request.app.state.handlers
    try:
        policy = handlers.desk(platform_id)
    except NotFound:
        return _unknown()
    return _render("desk_survey.html", 200, title="Votre avis sur votre visite", platform_name=policy.name,
                   questions=QUESTIONS, values={}, errors={})


@page_router.post("/d/{platform_id}", response_class=HTMLResponse)
async def answer_desk_questionnaire(platform_id: str, request: Request) -> HTMLResponse:
    handlers: FeedbackHandlers = request.app.state.handlers
    try:
        policy = handlers.desk(platform_id)
    except NotFound:
        return _unknown()
    form = await request.form()
    values = {name: value for name, value in form.items() if isinstance(value, str)}
    choices = {name: {"oui": True, "non": False}.get(values.get(name, "")) for name in QUESTIONS}
    errors = {name: QUESTIONS[name][1] for name, choice in choices.items() if choice is None}
    if errors:
        return _render("desk_survey.html", 422, title="Erreur : votre avis sur votre visite",
                       platform_name=policy.name, questions=QUESTIONS, values=values, errors=errors)
    await handlers.record_visit_answer(c.RecordVisitAnswer(
        platform_id=platform_id, channel=VisitAnswerChannel.QR_CODE, actor=VISITOR_ACTOR,
        satisfied=choices["satisfied"], question_resolved=choices["question_resolved"],
        would_come_back=choices["would_come_back"]))
    return _render("message.html", 200, title="Merci !", platform_name=policy.name,
                   lines=["Vos réponses ont bien été enregistrées.", "Elles aident le point d'accueil à s'améliorer."])


def _unknown() -> HTMLResponse:
    return _render("message.html", 404, title="Lien non valide", platform_name="Relais",
                   lines=["Ce lien ne correspond à aucun point d'accueil.", "Demandez un questionnaire papier à l'accueil."])


def _render(template: str, status: int, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates().get_template(template).render(**context), status_code=status, headers=HEADERS)


def _percent(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")
