"""The demo's employment history (``employment`` sections of the demo files): the same draws at every run, bodies the
employment API accepts, dates that fit the days before the demo starts, and nothing the shared end-to-end tests
recruit for on Val-de-Marne."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from dateutil.relativedelta import relativedelta

from relais.devstack.demo_data import DEMO_PLATFORM_IDS, demo_employment_spec, demo_providers, demo_users
from relais.devstack.demo_data.employment import EmploymentHistory, employment_history
from services.employment.domain import commands as c
from services.employment.domain.proposals import OpeningNeeds, PoolEntry, choose_candidates
from shared.platforms.calendar import distance_km
from shared.platforms.loader import load_policies
from tests.unit.platforms.policy_files import POLICY_DIR

TODAY = date(2026, 12, 5)
PLATFORMS = [p for p in DEMO_PLATFORM_IDS if demo_employment_spec(p) is not None]
FICTION_PHONES = re.compile(r"^(01 99 00|04 65 71) \d\d \d\d$")


@pytest.fixture(scope="module")
def policies():
    return load_policies(POLICY_DIR)


def history(policies, platform_id: str, today: date = TODAY) -> EmploymentHistory:
    spec = demo_employment_spec(platform_id)
    assert spec is not None
    return employment_history(platform_id, spec, today, policies[platform_id].zone)


def test_val_de_marne_and_herault_have_employment_activity():
    assert PLATFORMS == ["herault", "val-de-marne"]


@pytest.mark.parametrize("platform_id", PLATFORMS)
def test_the_same_history_at_every_run_shifted_to_its_day(policies, platform_id):
    assert history(policies, platform_id) == history(policies, platform_id)
    later = history(policies, platform_id, TODAY + relativedelta(days=10))
    assert [s["identity"] for s in later.seekers] == [s["identity"] for s in history(policies, platform_id).seekers]


@pytest.mark.parametrize("platform_id", PLATFORMS)
def test_every_body_is_one_the_employment_api_accepts(policies, platform_id):
    drawn, policy = history(policies, platform_id), policies[platform_id]
    assert {u["username"]: u["role"] for u in demo_users(platform_id)}[drawn.advisor] == "advisor"
    for body in drawn.seekers:
        seeker = c.RegisterSeeker.model_validate(body)
        assert seeker.commune in policy.commune_codes()
        assert FICTION_PHONES.match(seeker.identity.phone or "") and (seeker.identity.email or "@example.org").endswith("@example.org")
        assert seeker.available_from <= TODAY + relativedelta(days=10)
    for session in drawn.sessions:
        c.ScheduleSession.model_validate(session.body)
        assert set(session.enrolled) <= set(session.invited) and len(session.enrolled) <= session.body["capacity"]
        held = datetime.fromisoformat(session.body["starts_at"]).date() < TODAY
        assert bool(session.attendance) == held and (not held or set(session.attendance) == set(session.invited))
    for assessment in drawn.assessments.values():
        c.AssessSeeker.model_validate(assessment)
    admitted = {p["provider_id"] for p in demo_providers(platform_id) if p["status"] == "admitted"}
    for opening in drawn.openings:
        c.PostOpening.model_validate(opening.body)
        assert opening.provider in admitted and set(opening.body["communes"]) <= policy.commune_codes()


def test_val_de_marne_runs_the_deavs_course_and_follows_a_hire_to_six_months(policies):
    drawn = history(policies, "val-de-marne")
    assert len(drawn.seekers) == 60 and len(drawn.sessions) == 5 and sum(bool(s.attendance) for s in drawn.sessions) == 4
    cohort = drawn.cohort
    assert cohort is not None and "DEAVS" in cohort.body["title"]
    c.OpenCohort.model_validate(cohort.body)
    starts = date.fromisoformat(cohort.body["starts_on"])
    assert (date.fromisoformat(cohort.body["ends_on"]) - starts).days >= 59  # two months
    assert all(drawn.assessments[t]["decision"] == "referred_to_training" for t in cohort.trainees)
    assert all(starts <= date.fromisoformat(on) < TODAY for _, _, _, on in cohort.steps)
    assert {validated for *_, validated, _ in cohort.steps} == {True, False}
    assert set(cohort.completions) == set(cohort.trainees) and any(cohort.completions.values())
    six_months = [o for o in drawn.openings if o.hired_on and 6 in o.in_post
                  and date.fromisoformat(o.hired_on) + relativedelta(months=6) <= TODAY]
    assert six_months


def test_val_de_marne_leaves_the_end_to_end_tests_trades_to_them(policies):
    """The end-to-end tests share the demo and recruit home helps, childminders and housekeepers on Val-de-Marne:
    none of the demo's seekers or openings there aims for those trades."""
    drawn = history(policies, "val-de-marne")
    theirs = {"home_help", "childcare", "housekeeping"}
    assert not theirs & {trade for seeker in drawn.seekers for trade in seeker["trades"]}
    assert not theirs & {opening.body["trade"] for opening in drawn.openings}


@pytest.mark.parametrize("platform_id", PLATFORMS)
def test_each_opening_that_hires_finds_its_candidates_the_way_the_service_chooses_them(policies, platform_id):
    """The service proposes the candidates (:func:`choose_candidates`); played over the drawn pool in the loader's
    order, every opening gets at least as many candidates as the outcomes its plan records."""
    drawn, policy = history(policies, platform_id), policies[platform_id]
    status = {i: "registered" for i in range(len(drawn.seekers))}
    status.update({i: assessment["decision"] for i, assessment in drawn.assessments.items()})
    if drawn.cohort is not None:
        status.update({i: "preselected" if certified else "registered" for i, certified in drawn.cohort.completions.items()})
    proposals = dict.fromkeys(status, 0)
    hires = 0
    for opening in drawn.openings:
        pool = [PoolEntry(str(i), status[i], tuple(s["trades"]), s["commune"], s["mobility_km"],
                          date.fromisoformat(s["available_from"]), TODAY, proposals[i]) for i, s in enumerate(drawn.seekers)]
        needs = OpeningNeeds(opening.body["trade"], tuple(opening.body["communes"]),
                             date.fromisoformat(opening.body["starts_on"]), frozenset(), opening.wanted)
        proposed, _ = choose_candidates(needs, pool, lambda a, b: distance_km(policy.commune(a), policy.commune(b)))
        assert len(proposed) >= max(len(opening.outcomes), 1), opening
        for candidate, outcome in zip(proposed, opening.outcomes, strict=False):
            if outcome == "retained" and opening.hired_on:
                status[int(candidate.seeker_id)], hires = "hired", hires + 1
        for candidate in proposed:
            proposals[int(candidate.seeker_id)] += 1
    assert hires >= 2
