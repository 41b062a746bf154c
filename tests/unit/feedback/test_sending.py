"""Sending surveys after interventions, reminders and expiry, on fakes."""

from __future__ import annotations

from datetime import timedelta

from services.feedback.domain.sending import NotificationKind, token_hash
from shared.contracts.events.feedback import (
    SendChannel,
    SurveyExpired,
    SurveyReminderSent,
    SurveySent,
)
from tests.unit.feedback.world import START, World, done


async def test_an_intervention_sends_a_survey_by_the_platform_default_channel(world: World) -> None:
    cause = done("req-1")
    survey_id = await world.handlers.open_survey(world.bound(), cause)

    (sent,) = world.payloads("req-1")
    assert isinstance(sent, SurveySent)
    assert (sent.survey_id, sent.provider_id, sent.channel) == (survey_id, "prv-1", SendChannel.PAPER)
    assert sent.expires_at == START + timedelta(days=30)
    (envelope,) = world.events.events
    assert (envelope.meta.correlation_id, envelope.meta.causation_id) == (cause.meta.correlation_id, cause.event_id)
    assert envelope.meta.actor == "system:feedback"
    (notification,) = world.index.sent
    assert (notification.kind, notification.channel) == (NotificationKind.SURVEY, SendChannel.PAPER)


async def test_the_link_is_sealed_for_the_resident_and_only_its_token_hash_is_stored(world: World) -> None:
    survey_id = await world.intervention_done("req-1")

    (notification,) = world.index.sent
    assert notification.secret is not None and notification.secret.resident_id == "res-1"
    message = world.sealer.open(notification.secret)
    assert message["link"].startswith("https://avis.example.fr/s/")
    token = world.token_of(survey_id)
    record = world.index.surveys[survey_id]
    assert record.token_hash == token_hash(token)
    assert token not in repr(record)


async def test_the_residents_preferred_channel_wins(world: World) -> None:
    world.index.preferences[("limoges", "res-1")] = SendChannel.EMAIL

    await world.intervention_done("req-1")

    assert world.payloads("req-1")[0].channel is SendChannel.EMAIL


async def test_one_survey_per_intervention_even_if_the_event_comes_again(world: World) -> None:
    first = await world.intervention_done("req-1")
    again = await world.intervention_done("req-1")

    assert first is not None and again is None
    assert world.types("req-1") == ["SurveySent"]
    assert len(world.index.sent) == 1


async def test_herault_queues_a_follow_up_call_when_the_survey_is_not_a_call(world: World) -> None:
    world.index.preferences[("herault", "res-1")] = SendChannel.EMAIL

    await world.intervention_done("req-1", platform_id="herault")

    kinds = [(n.kind, n.channel) for n in world.index.sent]
    assert kinds == [(NotificationKind.SURVEY, SendChannel.EMAIL), (NotificationKind.FOLLOW_UP_CALL, SendChannel.PHONE)]


async def test_no_survey_for_an_erased_resident(world: World) -> None:
    world.sealer.erased.add("res-1")

    assert await world.intervention_done("req-1") is None
    assert world.events.events == [] and world.index.sent == []


async def test_reminders_go_out_on_the_policy_days_with_the_same_link(world: World) -> None:
    survey_id = await world.intervention_done("req-1")
    assert (await world.handlers.sweep()).reminded == 0

    world.clock.advance(timedelta(days=7))
    assert (await world.handlers.sweep()).reminded == 1
    assert (await world.handlers.sweep()).reminded == 0
    world.clock.advance(timedelta(days=7))
    assert (await world.handlers.sweep()).reminded == 1

    reminders = [p for p in world.payloads("req-1") if isinstance(p, SurveyReminderSent)]
    assert [r.reminder_number for r in reminders] == [1, 2]
    first, *later = world.index.sent
    assert [n.kind for n in later] == [NotificationKind.REMINDER, NotificationKind.REMINDER]
    assert all(n.secret == first.secret and n.recipient == first.recipient for n in later)
    assert world.index.surveys[survey_id].next_reminder_at is None


async def test_an_unanswered_survey_expires_on_the_policy_day(world: World) -> None:
    survey_id = await world.intervention_done("req-1")

    world.clock.advance(timedelta(days=29, hours=23))
    result = await world.handlers.sweep()
    assert (result.reminded, result.expired) == (1, 0)
    world.clock.advance(timedelta(hours=1))
    assert (await world.handlers.sweep()).expired == 1
    assert (await world.handlers.sweep()).expired == 0

    assert world.types("req-1") == ["SurveySent", "SurveyReminderSent", "SurveyExpired"]
    assert isinstance(world.payloads("req-1")[-1], SurveyExpired)
    assert world.index.surveys[survey_id].status == "expired"
