"""HTTP API of the feedback service: phone follow-ups, preferences, satisfaction figures and alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.feedback.adapters import satisfaction as read_model
from services.feedback.domain import commands as c
from services.feedback.entrypoints import schemas as s
from services.feedback.service_layer.handlers import FeedbackHandlers
from services.feedback.service_layer.ports import SurveyQuery
from shared.security.http import platform_member
from shared.security.principals import Principal, Role
from shared.service.listing import Page, Period
from shared.service.read_model import ReadModel

router = APIRouter(prefix="/platforms/{platform_id}", tags=["feedback"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


async def _handlers(request: Request) -> FeedbackHandlers:
    return request.app.state.handlers


_operator = platform_member(Role.OPERATOR, Role.COORDINATOR, Role.FEDERATION_ADMIN)


_reader = platform_member(Role.COORDINATOR, Role.ANALYST, Role.FEDERATION_ADMIN)


_committee = platform_member(Role.COORDINATOR, Role.FEDERATION_ADMIN)


Handlers = Annotated[FeedbackHandlers, Depends(_handlers)]
Operator = Annotated[Principal, Depends(_operator)]
Reader = Annotated[Principal, Depends(_reader)]
Committee = Annotated[Principal, Depends(_committee)]


@router.post("/surveys/{survey_id}/phone-answers", status_code=201, summary="Record a follow-up call and the answers given on it")
async def record_phone_answers(platform_id: str, survey_id: str, body: c.PhoneFollowUpDetails, who: Operator,
                               svc: Handlers) -> s.PhoneFollowUpRecorded:
    command = c.RecordPhoneFollowUp(**dict(body), platform_id=platform_id, survey_id=survey_id,
                                    operator=who.subject, actor=who.actor)
    return s.PhoneFollowUpRecorded(survey_id=survey_id, answered=await svc.record_phone_follow_up(command))


@router.get("/follow-up-calls", summary="The operators' call list: surveys to take by phone and follow-up calls "
            "not made yet, oldest first (a page of them: offset, limit)")
async def follow_up_calls(platform_id: str, who: Operator, svc: Handlers, page: Page) -> list[s.CallToMakeOut]:
    return [s.CallToMakeOut.of(call) for call in await svc.calls_to_make(platform_id, page.offset, page.limit)]


@router.get("/surveys", summary="Surveys of the platform, newest first: a page of them (offset, limit), filtered by "
            "status, activity and the local days they were sent on (since, until)")
async def list_surveys(platform_id: str, who: Operator, svc: Handlers, page: Page, period: Period,
                       status: Annotated[str | None, Query(pattern="^(sent|answered|expired)$")] = None,
                       activity: Annotated[str | None, Query(max_length=40)] = None) -> list[s.SurveySummary]:
    sent_from, sent_before = period.bounds(svc.policy(platform_id).zone)
    query = SurveyQuery(status=status, activity=activity, sent_from=sent_from, sent_before=sent_before,
                        offset=page.offset, limit=page.limit)
    return [s.SurveySummary.of(record) for record in await svc.list_surveys(platform_id, query)]


@router.put("/residents/{resident_id}/survey-channel", status_code=204, summary="Record how a resident wants surveys")
async def set_survey_channel(platform_id: str, resident_id: str, body: c.ChannelPreference, who: Operator,
                             svc: Handlers) -> None:
    await svc.set_preferred_channel(c.SetPreferredChannel(platform_id=platform_id, resident_id=resident_id,
                                                          channel=body.channel))


@router.get("/satisfaction", summary="Satisfaction per platform, month and provider, with the two headline rates")
async def satisfaction(platform_id: str, who: Reader, svc: Handlers, reads: ReadModel,
                       since: Annotated[str | None, Query(pattern=MONTH, description="First month, YYYY-MM.")] = None,
                       until: Annotated[str | None, Query(pattern=MONTH, description="Last month, YYYY-MM.")] = None,
                       ) -> s.SatisfactionReport:
    svc.policy(platform_id)
    figures = await read_model.satisfaction(reads.conn, reads.metadata, platform_id, since, until)
    by_provider: dict[str, list[s.MonthFigures]] = {}
    for (provider_id, month), tally in figures["provider_months"].items():
        by_provider.setdefault(provider_id, []).append(s.MonthFigures(month=month, **dict(s.Figures.of(tally))))
    return s.SatisfactionReport(
        platform_id=platform_id, since=since, until=until, platform=s.Figures.of(figures["platform"]),
        months=[s.MonthFigures(month=month, **dict(s.Figures.of(tally))) for month, tally in figures["months"].items()],
        providers=[s.ProviderFigures(provider_id=provider_id, months=by_provider.get(provider_id, []),
                                     **dict(s.Figures.of(tally))) for provider_id, tally in figures["providers"].items()],
    )


@router.get("/alerts", summary="Providers flagged for the committee (low satisfaction), a page of them (offset, "
            "limit); never a suspension")
async def list_alerts(platform_id: str, who: Committee, svc: Handlers, reads: ReadModel, page: Page,
                      include_cleared: bool = False) -> list[s.Alert]:
    svc.policy(platform_id)
    rows = await read_model.alerts(reads.conn, reads.metadata, platform_id, include_cleared)
    return [s.Alert(**{name: row[name] for name in s.Alert.model_fields}) for row in page.of(rows)]
