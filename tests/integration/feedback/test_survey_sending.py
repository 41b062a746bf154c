"""Surveys really sent: the feedback store's notifications delivered by the shared sender to a real SMTP server."""

from __future__ import annotations

from typing import Any

from relais.devstack.smtp_sink import SmtpSink
from services.feedback.domain.commands import RecordPhoneFollowUp, SetPreferredChannel
from services.feedback.service_layer.projections import survey_process
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.feedback import FollowUpOutcome, SendChannel
from shared.contracts.events.intake import Channel, RequestLogged
from shared.outgoing.sender import Sender
from shared.outgoing.smtp import SmtpMailer, SmtpSettings
from shared.privacy.contact import ResidentContact
from tests.integration.feedback.harness import PREFIX, START, FeedbackStore, intervention_done


async def request_logged(store: FeedbackStore, request_id: str = "req-1", resident_id: str = "res-1") -> Envelope[Any]:
    contact = ResidentContact(name="Jeanne Martin", phone="05 55 12 34 56", email="jeanne.martin@example.org",
                              address="3 rue des Tilleuls, 87000 Limoges")
    payload = RequestLogged(request_id=request_id, channel=Channel.PHONE, activity="gardening", commune="87085",
                            resident_id=resident_id, contact=await store.vault.seal(resident_id, "limoges", contact))
    return new_envelope(payload, platform_id="limoges", aggregate_id=request_id, aggregate_version=1,
                        actor="operator:op-1", occurred_at=START)


def sender(store: FeedbackStore, sink: SmtpSink) -> Sender:
    mailer = SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, security="none"))
    return Sender(store.engine, store.metadata, channels={SendChannel.EMAIL: mailer}, unsealer=store.vault,
                  reader="system:feedback", clock=store.clock)


async def test_one_survey_email_per_intervention_across_a_redelivered_event_and_a_restarted_sender(
        feedback_store: FeedbackStore, tmp_path: Any) -> None:
    sink = SmtpSink(tmp_path / "mail").start()
    try:
        await feedback_store.handlers.set_preferred_channel(
            SetPreferredChannel(platform_id="limoges", resident_id="res-1", channel=SendChannel.EMAIL))
        process = survey_process(feedback_store.handlers, feedback_store.metadata, PREFIX)
        done = intervention_done("req-1")
        await feedback_store.deliver(process, await request_logged(feedback_store), done)
        await sender(feedback_store, sink).send_due()
        await feedback_store.deliver(process, done)  # redelivered
        await sender(feedback_store, sink).send_due()  # restarted

        (email,) = sink.messages()
    finally:
        sink.stop()
    (survey,) = await feedback_store.rows("surveys")
    token = await feedback_store.token_of(survey["survey_id"])
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert email["To"] == "Jeanne Martin <jeanne.martin@example.org>"
    assert email["Subject"] == "Votre avis sur l'intervention du 01/03/2026"
    assert "Proximain (Limoges) vous remercie" in text and "Jardinage" in text
    assert f"https://avis.example.fr/s/{token}" in text
    (row,) = await feedback_store.rows("notifications")
    assert (row["status"], row["channel"]) == ("sent", "email")
    assert token not in (row["message"] or "") and "Jeanne" not in (row["recipient"] or "")


async def test_a_follow_up_call_waits_on_the_operators_list_until_it_is_logged(feedback_store: FeedbackStore) -> None:
    await feedback_store.handlers.set_preferred_channel(
        SetPreferredChannel(platform_id="herault", resident_id="res-1", channel=SendChannel.EMAIL))
    process = survey_process(feedback_store.handlers, feedback_store.metadata, PREFIX)
    await feedback_store.deliver(process, intervention_done("req-1", platform_id="herault"))

    (call,) = await feedback_store.handlers.calls_to_make("herault")
    assert (call.request_id, call.kind) == ("req-1", "follow_up_call")
    await feedback_store.handlers.record_phone_follow_up(RecordPhoneFollowUp(
        platform_id="herault", survey_id=call.survey_id, operator="op-3", actor="operator:op-3",
        outcome=FollowUpOutcome.NO_ANSWER))

    assert await feedback_store.handlers.calls_to_make("herault") == []
    (phone,) = await feedback_store.rows("notifications", channel="phone")
    assert (phone["status"], phone["outcome"]) == ("sent", "appel passé par un opérateur")
