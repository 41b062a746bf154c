"""The public survey page: ``GET /s/{token}`` shows the questionnaire, ``POST /s/{token}`` records the answers.

No account: the single-use token in the link is the only key. Unknown token: 404; answered or
expired: 410; each with a clear page in French. Responses are never cached and send no referrer.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.feedback.domain.model import SurveyClosed
from services.feedback.entrypoints.survey_form import parse_form
from services.feedback.service_layer.handlers import FeedbackHandlers
from services.feedback.service_layer.ports import SurveyRecord
from shared.errors import NotFound

router = APIRouter(tags=["survey page"], include_in_schema=False)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
CLOSED = {
    "survey_answered": ("Vous avez déjà répondu", ["Vos réponses à ce questionnaire ont bien été enregistrées.",
                                                    "Ce lien ne peut servir qu'une fois. Merci de votre participation !"]),
    "survey_expired": ("Ce questionnaire est clos", ["Le délai pour répondre à ce questionnaire est dépassé.",
                                                     "Vous pouvez toujours appeler la plateforme pour donner votre avis."]),
}
UNKNOWN = ("Lien non valide", ["Ce lien ne correspond à aucun questionnaire.",
                               "Vérifiez qu'il a été recopié en entier, ou appelez la plateforme."])
THANKS = ("Merci !", ["Vos réponses ont bien été enregistrées.", "Elles nous aident à améliorer le service."])


@cache
def templates() -> Environment:
    folder = Path(__file__).parent / "templates"
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(default=True))


def french_date(day: date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


@router.get("/s/{token}", response_class=HTMLResponse)
async def show_survey(token: str, request: Request) -> HTMLResponse:
    handlers: FeedbackHandlers = request.app.state.handlers
    try:
        record = await handlers.survey_for_token(token)
    except (NotFound, SurveyClosed) as refused:
        return _refusal(handlers, refused)
    return _form(handlers, record, values={}, errors={}, status=200)


@router.post("/s/{token}", response_class=HTMLResponse)
async def answer_survey(token: str, request: Request) -> HTMLResponse:
    handlers: FeedbackHandlers = request.app.state.handlers
    try:
        record = await handlers.survey_for_token(token)
        parsed = parse_form(await request.form())
        if parsed.answers is None:
            return _form(handlers, record, values=parsed.values, errors=parsed.errors, status=422)
        await handlers.answer_online(token, parsed.answers)
    except (NotFound, SurveyClosed) as refused:
        return _refusal(handlers, refused)
    return _message(*THANKS, platform_name=handlers.policy(record.platform_id).name, status=200)


def _form(handlers: FeedbackHandlers, record: SurveyRecord, *, values: dict[str, str], errors: dict[str, str],
          status: int) -> HTMLResponse:
    policy = handlers.policy(record.platform_id)
    try:
        activity = policy.activity(record.activity).label
    except KeyError:
        activity = record.activity
    title = "Erreur : votre avis sur l'intervention" if errors else "Votre avis sur l'intervention"
    return _render("survey.html", status, title=title, platform_name=policy.name, activity=activity,
                   done_on=french_date(record.done_on), values=values, errors=errors)


def _refusal(handlers: FeedbackHandlers, refused: NotFound | SurveyClosed) -> HTMLResponse:
    title, lines = CLOSED.get(refused.code, UNKNOWN)
    return _message(title, lines, platform_name="Relais", status=refused.status)


def _message(title: str, lines: list[str], *, platform_name: str, status: int) -> HTMLResponse:
    return _render("message.html", status, title=title, lines=lines, platform_name=platform_name)


def _render(template: str, status: int, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates().get_template(template).render(**context), status_code=status, headers=HEADERS)
