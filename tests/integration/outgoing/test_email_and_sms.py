"""The sender over a real SMTP server and a local SMS gateway: once each, retries, recorded failures, erasure."""

from __future__ import annotations

from datetime import timedelta

from relais.devstack.smtp_sink import SmtpSink
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.outbox import cancel_for_resident
from shared.outgoing.sender import INTERRUPTED
from shared.outgoing.sms import BrevoGateway, SmsChannel, SmsSettings
from shared.outgoing.smtp import SmtpMailer, SmtpSettings
from shared.storage.engine import begin_write

from .conftest import Gateway, Outbox


def mailer(sink: SmtpSink) -> SmtpMailer:
    return SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, security="none",
                                   sender="Proximain <avis@proximain.example>"))


def sms(gateway: Gateway) -> SmsChannel:
    settings = SmsSettings(url=gateway.url, api_key="brevo-key", sender="Proximain")
    return SmsChannel(BrevoGateway(settings), {"limoges": "FR", "mons-borinage": "BE"})


async def test_an_email_is_sent_once_across_rounds_and_a_restarted_sender(outbox: Outbox, smtp_sink: SmtpSink) -> None:
    notification_id = await outbox.queue_for(SendChannel.EMAIL)

    first = await outbox.sender({SendChannel.EMAIL: mailer(smtp_sink)}).send_due()
    await outbox.sender({SendChannel.EMAIL: mailer(smtp_sink)}).send_due()  # a restarted sender

    assert first.sent == 1
    (received,) = smtp_sink.messages()
    assert received["To"] == "Jeanne Martin <jeanne.martin@example.org>"
    assert received["Subject"] == "Votre avis sur l'intervention du 01/03/2026"
    assert received["Message-ID"] == f"<{notification_id}@relais>"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("Bonjour Jeanne Martin,")
    assert "https://avis.example.fr/s/secret-token" in text
    row = await outbox.row(notification_id)
    assert (row["status"], row["attempts"], row["outcome"]) == ("sent", 1, "e-mail accepté par le serveur SMTP")


async def test_an_unreachable_smtp_server_is_retried_with_backoff_then_recorded_failed(outbox: Outbox) -> None:
    notification_id = await outbox.queue_for(SendChannel.EMAIL)
    nowhere = SmtpMailer(SmtpSettings(host="127.0.0.1", port=9, security="none", timeout=2))
    sender = outbox.sender({SendChannel.EMAIL: nowhere}, max_attempts=3)

    assert (await sender.send_due()).retried == 1
    row = await outbox.row(notification_id)
    assert row["status"] == "pending" and row["next_attempt_at"] == outbox.clock.now() + timedelta(seconds=30)
    assert (await sender.send_due()).retried == 0  # not due yet
    outbox.clock.advance(timedelta(seconds=30))
    assert (await sender.send_due()).retried == 1
    assert (await outbox.row(notification_id))["next_attempt_at"] == outbox.clock.now() + timedelta(seconds=60)
    outbox.clock.advance(timedelta(seconds=60))
    assert (await sender.send_due()).failed == 1
    row = await outbox.row(notification_id)
    assert row["status"] == "failed" and row["outcome"].startswith("abandonné après 3 essais : serveur SMTP injoignable")


async def test_a_resident_without_email_is_a_recorded_failure(outbox: Outbox, smtp_sink: SmtpSink) -> None:
    from .conftest import JEANNE

    notification_id = await outbox.queue_for(SendChannel.EMAIL, contact=JEANNE.model_copy(update={"email": None}))

    assert (await outbox.sender({SendChannel.EMAIL: mailer(smtp_sink)}).send_due()).failed == 1
    assert (await outbox.row(notification_id))["outcome"] == "pas d'adresse e-mail connue"
    assert smtp_sink.messages() == []


async def test_an_sms_is_one_request_and_a_5xx_is_retried(outbox: Outbox, sms_gateway: Gateway) -> None:
    notification_id = await outbox.queue_for(SendChannel.SMS)
    sms_gateway.statuses = [503]
    sender = outbox.sender({SendChannel.SMS: sms(sms_gateway)})

    assert (await sender.send_due()).retried == 1
    assert (await outbox.row(notification_id))["outcome"] == "la passerelle SMS a répondu 503"
    outbox.clock.advance(timedelta(seconds=30))
    assert (await sender.send_due()).sent == 1
    assert (await sender.send_due()).sent == 0

    assert len(sms_gateway.requests) == 2
    headers, body = sms_gateway.requests[-1]
    assert headers["api-key"] == "brevo-key"
    assert body["recipient"] == "33612345678" and body["sender"] == "Proximain" and body["type"] == "transactional"
    assert body["content"].endswith("https://avis.example.fr/s/secret-token")
    assert (await outbox.row(notification_id))["status"] == "sent"


async def test_a_4xx_of_the_gateway_is_recorded_failed_after_one_request(outbox: Outbox, sms_gateway: Gateway) -> None:
    notification_id = await outbox.queue_for(SendChannel.SMS)
    sms_gateway.statuses = [400]
    sender = outbox.sender({SendChannel.SMS: sms(sms_gateway)})

    assert (await sender.send_due()).failed == 1
    outbox.clock.advance(timedelta(hours=2))
    await sender.send_due()

    assert len(sms_gateway.requests) == 1
    row = await outbox.row(notification_id)
    assert (row["status"], row["outcome"]) == ("failed", "la passerelle SMS a répondu 400")


async def test_a_message_interrupted_mid_sending_is_never_sent_again(outbox: Outbox, smtp_sink: SmtpSink) -> None:
    notification_id = await outbox.queue_for(SendChannel.EMAIL)
    crashed = outbox.sender({SendChannel.EMAIL: mailer(smtp_sink)})
    assert await crashed.claim(await outbox.row(notification_id), outbox.clock.now())  # then the process died

    restarted = outbox.sender({SendChannel.EMAIL: mailer(smtp_sink)})
    assert (await restarted.send_due()).sent == 0
    outbox.clock.advance(timedelta(minutes=5))
    assert (await restarted.send_due()).interrupted == 1

    row = await outbox.row(notification_id)
    assert (row["status"], row["outcome"]) == ("failed", INTERRUPTED)
    assert smtp_sink.messages() == []


async def test_erasing_the_resident_cancels_the_messages_not_sent(outbox: Outbox, smtp_sink: SmtpSink) -> None:
    by_event = await outbox.queue_for(SendChannel.EMAIL, resident_id="res-1")
    by_sender = await outbox.queue_for(SendChannel.EMAIL, resident_id="res-2")
    await outbox.vault.erase("res-1")
    await outbox.vault.erase("res-2")
    async with begin_write(outbox.engine) as connection:  # what ResidentErased does on each service
        assert await cancel_for_resident(connection, outbox.metadata, "res-1") == 1

    result = await outbox.sender({SendChannel.EMAIL: mailer(smtp_sink)}).send_due()

    assert result.cancelled == 1  # the vault refused the key of res-2
    for notification_id in (by_event, by_sender):
        row = await outbox.row(notification_id)
        assert (row["status"], row["outcome"]) == ("cancelled", "annulé : les données du résident ont été effacées")
    assert smtp_sink.messages() == []
