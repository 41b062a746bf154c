"""HTTP API of the employment service: seekers, information sessions, training, openings and figures.

Advisors (and coordinators) follow the seekers; a member provider posts its openings and sees only its
own, with the candidates proposed to it; analysts read the figures, never a seeker.
"""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import Response

from services.employment.adapters import figures as read_model
from services.employment.domain import commands as c
from services.employment.entrypoints import schemas as s
from services.employment.service_layer.handlers import EmploymentHandlers
from shared.contracts import labels
from shared.contracts.events import employment as e
from shared.errors import DomainError
from shared.privacy.suppression import raised_threshold
from shared.security.http import platform_member
from shared.security.principals import Principal, Role
from shared.service.listing import Page
from shared.service.read_model import ReadModel

router = APIRouter(prefix="/platforms/{platform_id}", tags=["employment"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


async def _handlers(request: Request) -> EmploymentHandlers:
    return request.app.state.handlers


Handlers = Annotated[EmploymentHandlers, Depends(_handlers)]
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=8, max_length=200,
    description="One key per creation (e.g. a UUID): sending it again with the same key creates nothing new and "
                "answers the first id (a retry, a double click).")]
Advisor = Annotated[Principal, Depends(platform_member(Role.ADVISOR, Role.COORDINATOR, Role.FEDERATION_ADMIN))]
Recruiter = Annotated[Principal, Depends(platform_member(Role.PROVIDER, Role.ADVISOR, Role.COORDINATOR,
                                                         Role.FEDERATION_ADMIN))]
Reader = Annotated[Principal, Depends(platform_member(Role.ADVISOR, Role.COORDINATOR, Role.ANALYST,
                                                      Role.FEDERATION_ADMIN))]


def _own(who: Principal) -> str | None:
    """The provider a provider's token is limited to; None for the platform's staff."""
    return who.subject if who.role is Role.PROVIDER else None


# job seekers

@router.post("/seekers", status_code=201, summary="Register a job seeker (personal data sealed with their own key)")
async def register_seeker(platform_id: str, body: c.RegisterSeeker, who: Advisor, svc: Handlers,
                          key: IdempotencyKey = None) -> s.Created:
    return s.Created(id=await svc.register_seeker(platform_id, body, who.actor, who.subject, key))


@router.get("/seekers", summary="The platform's job seekers, without personal data, oldest registration first: a page "
            "of them (offset, limit)")
async def list_seekers(platform_id: str, who: Advisor, svc: Handlers, page: Page) -> list[s.SeekerSummary]:
    return [s.SeekerSummary.of(record) for record in page.of(await svc.seekers(platform_id))]


@router.get("/seekers/{seeker_id}", summary="A job seeker with their name and contact details (read audited)")
async def show_seeker(platform_id: str, seeker_id: str, who: Advisor, svc: Handlers) -> s.SeekerDetail:
    record = await svc.seeker(platform_id, seeker_id)
    identity = await svc.identity(record, who, f"suivi du demandeur d'emploi {seeker_id}")
    assessments = [s.Assessment.of(event, on) for event, on in await svc.assessments(platform_id, seeker_id)]
    return s.SeekerDetail(**dict(s.SeekerSummary.of(record)), identity=identity, assessments=assessments)


@router.post("/seekers/{seeker_id}/assessment", status_code=204, summary="Record the grid, scores and decision")
async def assess_seeker(platform_id: str, seeker_id: str, body: c.AssessSeeker, who: Advisor, svc: Handlers) -> None:
    await svc.assess_seeker(platform_id, seeker_id, body, who.actor, who.subject)


@router.post("/seekers/{seeker_id}/erase", status_code=204,
             summary="Erase a seeker's personal data (key deleted); the counts stay")
async def erase_seeker(platform_id: str, seeker_id: str, who: Advisor, svc: Handlers) -> None:
    await svc.erase_seeker(platform_id, seeker_id, who.actor, who.actor)


# information sessions

@router.post("/sessions", status_code=201, summary="Schedule an information session")
async def schedule_session(platform_id: str, body: c.ScheduleSession, who: Advisor, svc: Handlers,
                           key: IdempotencyKey = None) -> s.Created:
    return s.Created(id=await svc.schedule_session(platform_id, body, who.actor, key))


@router.get("/sessions", summary="The platform's information sessions, latest first, with their attendance: a page of "
            "them (offset, limit)")
async def list_sessions(platform_id: str, who: Advisor, svc: Handlers, page: Page) -> list[s.SessionSummary]:
    zone = svc.policy(platform_id).zone
    return [s.SessionSummary.of(record, zone) for record in page.of(await svc.sessions(platform_id))]


@router.get("/sessions/{session_id}", summary="An information session: invited, enrolled, held")
async def show_session(platform_id: str, session_id: str, who: Advisor, svc: Handlers) -> s.SessionView:
    return s.SessionView.of(await svc.session(platform_id, session_id))


@router.post("/sessions/{session_id}/invitations", status_code=204, summary="Invite seekers to the session")
async def invite(platform_id: str, session_id: str, body: c.InviteSeekers, who: Advisor, svc: Handlers) -> None:
    await svc.invite(platform_id, session_id, body, who.actor)


@router.post("/sessions/{session_id}/registrations", status_code=204, summary="An invited seeker takes a seat")
async def enroll(platform_id: str, session_id: str, body: c.EnrollSeeker, who: Advisor, svc: Handlers) -> None:
    await svc.enroll(platform_id, session_id, body, who.actor)


@router.post("/sessions/{session_id}/attendance", status_code=204,
             summary="Record the session as held, with who was present, absent or excused")
async def hold_session(platform_id: str, session_id: str, body: c.RecordAttendance, who: Advisor,
                       svc: Handlers) -> None:
    await svc.hold_session(platform_id, session_id, body, who.actor)


# training cohorts

@router.post("/cohorts", status_code=201, summary="Open a training cohort with the modules of its framework")
async def open_cohort(platform_id: str, body: c.OpenCohort, who: Advisor, svc: Handlers,
                      key: IdempotencyKey = None) -> s.Created:
    return s.Created(id=await svc.open_cohort(platform_id, body, who.actor, key))


@router.get("/cohorts", summary="The platform's training cohorts, latest first, with how far their trainees got: a "
            "page of them (offset, limit)")
async def list_cohorts(platform_id: str, who: Advisor, svc: Handlers, page: Page) -> list[s.CohortSummary]:
    return [s.CohortSummary.of(record) for record in page.of(await svc.cohorts(platform_id))]


@router.get("/cohorts/{cohort_id}", summary="A training cohort: modules, trainees, completions")
async def show_cohort(platform_id: str, cohort_id: str, who: Advisor, svc: Handlers) -> s.CohortView:
    return s.CohortView.of(await svc.cohort(platform_id, cohort_id))


@router.post("/cohorts/{cohort_id}/trainees", status_code=204, summary="A seeker joins the cohort")
async def admit_trainee(platform_id: str, cohort_id: str, body: c.AdmitTrainee, who: Advisor, svc: Handlers) -> None:
    await svc.admit_trainee(platform_id, cohort_id, body, who.actor)


@router.post("/cohorts/{cohort_id}/attendance", status_code=204, summary="A trainee's attendance at a module")
async def record_module(platform_id: str, cohort_id: str, body: c.RecordModuleAttendance, who: Advisor,
                        svc: Handlers) -> None:
    await svc.record_module(platform_id, cohort_id, body, who.actor)


@router.post("/cohorts/{cohort_id}/certifications", status_code=204,
             summary="A step (module) of the framework validated or not for a trainee, with its day")
async def certify_module(platform_id: str, cohort_id: str, body: c.CertifyModule, who: Advisor,
                         svc: Handlers) -> None:
    await svc.certify_module(platform_id, cohort_id, body, who.actor)


@router.post("/cohorts/{cohort_id}/completions", status_code=204,
             summary="A trainee finished the course (certified: pre-selected from then on)")
async def complete_training(platform_id: str, cohort_id: str, body: c.CompleteTraining, who: Advisor,
                            svc: Handlers) -> None:
    await svc.complete_training(platform_id, cohort_id, body, who.actor)


# openings

@router.post("/openings", status_code=201, summary="Post a job opening (a provider for itself; an advisor names the provider)")
async def post_opening(platform_id: str, body: c.PostOpening, who: Recruiter, svc: Handlers,
                       key: IdempotencyKey = None) -> s.Created:
    provider_id = _own(who) or body.provider_id
    if provider_id is None or (_own(who) and body.provider_id not in (None, provider_id)):
        raise DomainError("provider_required", "Indiquez le prestataire qui recrute (provider_id).", field="provider_id")
    return s.Created(id=await svc.post_opening(platform_id, body, provider_id, who.actor, key))


@router.get("/openings", summary="Job openings, newest first (a provider sees only its own): a page of them (offset, "
            "limit)")
async def list_openings(platform_id: str, who: Recruiter, svc: Handlers, page: Page) -> list[s.OpeningSummary]:
    return [s.OpeningSummary.of(record) for record in page.of(await svc.openings(platform_id, _own(who)))]


@router.get("/openings/{opening_id}", summary="An opening with every round of proposals: who and why, who not and why")
async def show_opening(platform_id: str, opening_id: str, who: Recruiter, svc: Handlers) -> s.OpeningView:
    return await opening_view(platform_id, opening_id, who, svc)


async def opening_view(platform_id: str, opening_id: str, who: Principal, svc: EmploymentHandlers) -> s.OpeningView:
    """The opening as ``who`` may see it: the candidates' names and contact read through the vault (audited)."""
    opening, events = await svc.opening(platform_id, opening_id, _own(who))
    rounds = [s.Proposal.of(event) for event in events if isinstance(event, e.CandidatesProposed)]
    if who.role is Role.PROVIDER:  # the provider sees who was proposed to it, never who else was considered
        rounds = [proposal.model_copy(update={"skipped": []}) for proposal in rounds]
    for proposal in rounds:
        for candidate in proposal.proposed:
            record = await svc.seeker(platform_id, candidate.seeker_id)
            identity = await svc.identity(record, who, f"recrutement pour l'offre {opening_id}") or {}
            candidate.name, candidate.phone, candidate.email = (identity.get("name"), identity.get("phone"),
                                                                identity.get("email"))
            outcome = opening.outcomes.get(candidate.seeker_id)
            candidate.interview = labels.label(labels.INTERVIEW_OUTCOMES, outcome) if outcome else None
            candidate.hired_on = opening.hires.get(candidate.seeker_id)
    return s.OpeningView.of(opening, rounds)


@router.post("/openings/{opening_id}/proposals", status_code=201,
             summary="Propose the next pre-selected candidates in turn, with the reasons of each choice and skip")
async def propose(platform_id: str, opening_id: str, body: c.ProposeCandidates, who: Advisor,
                  svc: Handlers) -> s.Proposal:
    return s.Proposal.of(await svc.propose(platform_id, opening_id, body, who.actor))


@router.post("/openings/{opening_id}/interviews", status_code=204, summary="Record a candidate's interview outcome")
async def record_interview(platform_id: str, opening_id: str, body: c.RecordInterview, who: Recruiter,
                           svc: Handlers) -> None:
    await svc.record_interview(platform_id, opening_id, body, who.actor, _own(who))


@router.post("/openings/{opening_id}/hires", status_code=204, summary="Hire a retained candidate")
async def hire(platform_id: str, opening_id: str, body: c.Hire, who: Recruiter, svc: Handlers) -> None:
    await svc.hire(platform_id, opening_id, body, who.actor, _own(who))


@router.post("/openings/{opening_id}/placements", status_code=204,
             summary="Follow a hire up at 3 or 6 months: still in post or not")
async def check_placement(platform_id: str, opening_id: str, body: c.CheckPlacement, who: Recruiter,
                          svc: Handlers) -> None:
    await svc.check_placement(platform_id, opening_id, body, who.actor, _own(who))


# figures

Since = Annotated[str | None, Query(pattern=MONTH, description="First month, YYYY-MM (platform's local time).")]
Until = Annotated[str | None, Query(pattern=MONTH, description="Last month, YYYY-MM.")]
Threshold = Annotated[int | None, Query(
    ge=3, le=100, description="Counts under it are hidden; default: the platform policy's small_count_threshold (5 "
    "unless it says otherwise), which this may raise, never lower.")]


@router.get("/employment/figures", summary="Each step counted by month, trade and referral source, with the rates")
async def figures(platform_id: str, who: Reader, svc: Handlers, reads: ReadModel, since: Since = None,
                  until: Until = None) -> s.FiguresReport:
    svc.policy(platform_id)
    found = await read_model.figures(reads.conn, reads.metadata, platform_id, since, until)
    return s.FiguresReport.of(platform_id, since, until, found)


@router.get("/employment/figures.csv", summary="The figures for funders, as CSV, small counts hidden",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def figures_export(platform_id: str, who: Reader, svc: Handlers, reads: ReadModel, since: Since = None,
                         until: Until = None, threshold: Threshold = None) -> Response:
    try:
        threshold = raised_threshold(svc.policy(platform_id).small_count_threshold, threshold)
    except ValueError as refused:
        raise DomainError("threshold_below_policy", str(refused), field="threshold") from None
    found = await read_model.figures(reads.conn, reads.metadata, platform_id, since, until)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicateur", "mois", "metier", "orientation", "effectif_publie"])
    for key, published in read_model.published_cells(found, threshold):
        measure, month = key[:2]
        trade, source = (key[2] if len(key) > 2 else None), (key[3] if len(key) > 3 else None)
        writer.writerow([s.MEASURE_LABELS[measure], month, _dimension(labels.TRADES, trade, "tous métiers"),
                         _dimension(labels.REFERRAL_SOURCES, source, "toutes orientations"), published])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="emploi-{platform_id}.csv"'})


def _dimension(table: dict[e.Trade, str] | dict[e.ReferralSource, str], code: str | None, everything: str) -> str:
    """A row's trade or referral source in French: ``everything`` on a total row, "non précisé" for a fact of none."""
    if code is None:
        return everything
    return labels.label(table, code, "non précisé") if code else "non précisé"
