"""The match of a request and the provider's lifecycle: transitions and their errors (pure)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.matching.domain import commands as c
from services.matching.domain.match import (
    ASSIGNED,
    CONTACTED,
    DONE,
    WAITING,
    Match,
    RequestContext,
)
from services.matching.domain.provider_rules import application_event, change_event
from services.matching.domain.rotation import Decision
from shared.contracts.directory import Provider, evolve
from shared.contracts.events import matching as ev
from shared.contracts.events import providers as pev
from shared.errors import Conflict, DomainError, NotFound
from tests.unit.matching.builders import LIMOGES, T0, spec

DEADLINE = T0 + timedelta(hours=24)


def offered(to: str = "prv-a") -> Match:
    match = Match(RequestContext(spec(), "res-1"))
    match.offer(Decision(to, (to, "prv-b"), (), 0, (T0, to)), DEADLINE)
    return match


def test_an_offer_records_the_rotation_and_the_deadline() -> None:
    match = Match(RequestContext(spec(), "res-1"))
    match.offer(Decision("prv-b", ("prv-a", "prv-b"), (("prv-a", ev.SkipReason.UNAVAILABLE),), 1, (T0, "prv-b")), DEADLINE)

    (event,) = match.pending
    assert isinstance(event, ev.ProviderAssigned)
    assert (event.provider_id, event.rotation_position, event.attempt, event.sector) == ("prv-b", 1, 1, "agglo")
    assert event.skipped == [ev.Skip(provider_id="prv-a", reason=ev.SkipReason.UNAVAILABLE)]
    assert (match.status, match.deadline_at) == (ASSIGNED, DEADLINE)


def test_the_full_happy_path_ends_with_the_intervention_figures() -> None:
    match = offered()
    match.confirm_contact("prv-a", T0)
    match.send_quote("prv-a", Decimal(120), T0)
    match.answer_quote(None, True, T0)
    match.declare_done("prv-a", date(2026, 3, 9), Decimal("3.5"), Decimal(105), Decimal("12.4"))

    done = match.pending[-1]
    assert isinstance(done, ev.InterventionDone)
    assert (done.labour_hours, done.amount_excl_tax, done.resident_id, done.commune) == ("3.50", "117.40", "res-1", LIMOGES)
    assert match.status == DONE


def test_an_intervention_is_dated_neither_before_the_request_nor_before_the_admission() -> None:
    match = offered()
    match.confirm_contact("prv-a", T0)
    logged_on = T0.date()  # 10:00 in Limoges
    with pytest.raises(DomainError, match="la demande a été enregistrée le 02/03/2026") as early:
        match.declare_done("prv-a", logged_on - timedelta(days=1), Decimal(1), Decimal(1), Decimal(0))
    assert early.value.code == "done_before_request"
    with pytest.raises(DomainError, match="admis que le 05/03/2026") as before_admission:
        match.declare_done("prv-a", date(2026, 3, 4), Decimal(1), Decimal(1), Decimal(0), admitted_on=date(2026, 3, 5))
    assert before_admission.value.code == "done_before_admission"
    match.declare_done("prv-a", logged_on, Decimal(1), Decimal(1), Decimal(0), admitted_on=date(2026, 3, 1))
    assert match.status == DONE


def test_a_decline_excludes_the_provider_and_waits_for_the_next_offer() -> None:
    match = offered()
    match.decline("prv-a", ev.DeclineReason.TOO_FAR, "")

    assert (match.status, match.provider_id, match.excluded) == (WAITING, None, {"prv-a": ev.SkipReason.DECLINED})
    match.offer(Decision("prv-b", ("prv-b", "prv-a"), (("prv-a", ev.SkipReason.DECLINED),), 0, (T0, "prv-b")), DEADLINE)
    assert match.pending[-1].attempt == 2


def test_a_missed_deadline_only_once_it_passed() -> None:
    match = offered()
    with pytest.raises(DomainError, match="pas dépassé"):
        match.miss_deadline(DEADLINE - timedelta(seconds=1))

    match.miss_deadline(DEADLINE)

    assert match.excluded == {"prv-a": ev.SkipReason.MISSED_DEADLINE}


@pytest.mark.parametrize(("act", "error", "code"), [
    (lambda m: m.confirm_contact("prv-b", T0), NotFound, "not_found"),
    (lambda m: m.declare_done("prv-a", date(2026, 3, 9), Decimal(1), Decimal(1), Decimal(0)), DomainError, "contact_first"),
    (lambda m: m.answer_quote("prv-a", True, T0), DomainError, "no_quote_pending"),
    (lambda m: m.send_quote("prv-a", Decimal(10), T0), DomainError, "contact_first"),
])
def test_invalid_actions_on_a_fresh_offer(act, error, code) -> None:
    with pytest.raises(error) as raised:
        act(offered())
    assert raised.value.code == code


def test_confirming_twice_is_a_conflict_and_declining_after_contact_is_refused() -> None:
    match = offered()
    match.confirm_contact("prv-a", T0)

    with pytest.raises(Conflict):
        match.confirm_contact("prv-a", T0)
    with pytest.raises(DomainError, match="déjà été contacté"):
        match.decline("prv-a", ev.DeclineReason.OTHER, "")
    assert match.status == CONTACTED


def test_a_pending_quote_blocks_the_intervention_and_nothing_follows_a_cancellation() -> None:
    match = offered()
    match.confirm_contact(None, T0)
    match.send_quote(None, Decimal(50), T0)
    with pytest.raises(DomainError, match="pas encore répondu au devis"):
        match.declare_done(None, date(2026, 3, 9), Decimal(1), Decimal(1), Decimal(0))

    match.cancelled = True
    with pytest.raises(DomainError, match="annulée par l'usager"):
        match.answer_quote(None, True, T0)


def test_a_match_is_rebuilt_from_its_events() -> None:
    from shared.contracts.envelope import new_envelope

    live = offered()
    live.decline("prv-a", ev.DeclineReason.UNAVAILABLE, "")
    envelopes = [new_envelope(e, platform_id="limoges", aggregate_id="req-1", aggregate_version=i + 1, actor="x")
                 for i, e in enumerate(live.pending)]

    rebuilt = Match.from_history(live.context, envelopes)

    assert (rebuilt.version, rebuilt.status, rebuilt.excluded, rebuilt.attempt) == (2, WAITING, live.excluded, 1)


KNOWN = {"activities": {"gardening"}, "communes": {LIMOGES}}
COMMITTEE = [pev.CommitteeMember(body=pev.CommitteeBody.CCAS, label="CCAS de Limoges")]


def applied() -> Provider:
    details = c.ApplicationDetails(name="Jardins", kind="association", activities=["gardening"], communes=[LIMOGES])
    event = application_event("prv-1", details, **KNOWN)
    return evolve(Provider("prv-1", "limoges"), event, occurred_at=T0, version=1)


def step(provider: Provider, change: c.DirectoryChange) -> Provider:
    return evolve(provider, change_event(provider, change, **KNOWN), occurred_at=T0, version=provider.version + 1)


def test_the_provider_lifecycle() -> None:
    admit = c.CommitteeDecision(decision="admitted", committee_on=date(2026, 2, 1), members=COMMITTEE, charter_signed_at=T0)
    provider = step(applied(), admit)
    assert (provider.status, provider.joined_at, provider.committee_members) == ("admitted", T0, (("ccas", "CCAS de Limoges"),))

    with pytest.raises(Conflict):
        step(provider, admit)
    with pytest.raises(DomainError, match="Action impossible"):
        step(provider, c.Reinstatement(since=date(2026, 3, 1)))
    with pytest.raises(DomainError, match="motif"):
        step(provider, c.Suspension(since=date(2026, 3, 1)))

    provider = step(provider, c.Suspension(since=date(2026, 3, 1), reason="assurance expirée"))
    provider = step(provider, c.Reinstatement(since=date(2026, 3, 8)))
    provider = step(provider, c.Withdrawal(since=date(2026, 4, 1), reason="cessation d'activité"))
    assert provider.status == "withdrawn"
    with pytest.raises(DomainError, match="close"):
        step(provider, c.ActivitiesDetails(activities=["gardening"]))


def test_unknown_activities_and_communes_are_refused() -> None:
    with pytest.raises(DomainError, match="skydiving"):
        step(applied(), c.ActivitiesDetails(activities=["skydiving"]))
    with pytest.raises(DomainError, match="99999"):
        step(applied(), c.CommunesDetails(communes=["99999"]))


def test_a_rejection_needs_its_reason_and_an_admission_its_charter() -> None:
    with pytest.raises(ValueError, match="reason"):
        c.CommitteeDecision(decision="rejected", committee_on=date(2026, 2, 1), members=COMMITTEE)
    with pytest.raises(ValueError, match="charter"):
        c.CommitteeDecision(decision="admitted", committee_on=date(2026, 2, 1), members=COMMITTEE)
