"""What a message says and where it goes, before any channel (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from services.feedback.domain.sending import NotificationKind, invitation
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Delivery
from shared.outgoing.sms import international
from shared.security.signed_links import LinkExpired, LinkInvalid, LinkSigner

SECRET = "x" * 40


@pytest.mark.parametrize(("phone", "country", "number"), [
    ("06 12 34 56 78", "FR", "33612345678"),
    ("+33 (0)6 12 34 56 78", "FR", "33612345678"),
    ("0033612345678", "FR", "33612345678"),
    ("0475 12 34 56", "BE", "32475123456"),
    ("+32 475 12 34 56", "FR", "32475123456"),
])
def test_numbers_go_to_the_gateway_with_their_country_code(phone: str, country: str, number: str) -> None:
    assert international(phone, country) == number


def test_a_message_greets_by_name_and_ends_with_its_link_and_an_sms_keeps_the_first_paragraph() -> None:
    delivery = Delivery("ntf-1", "limoges", "survey", {"name": "Jeanne Martin"}, "Objet",
                        "Premier paragraphe\nsur deux lignes.\n\nSecond paragraphe.", "https://avis.example.fr/s/t")

    assert delivery.text() == ("Bonjour Jeanne Martin,\n\nPremier paragraphe\nsur deux lignes.\n\nSecond paragraphe."
                               "\n\nhttps://avis.example.fr/s/t\n")
    assert delivery.short_text() == "Premier paragraphe sur deux lignes. https://avis.example.fr/s/t"


def test_a_reminder_says_so_and_only_the_paper_survey_carries_the_questionnaire() -> None:
    subject, body = invitation(NotificationKind.SURVEY, SendChannel.EMAIL, "Proximain (Limoges)", "Jardinage",
                               date(2026, 3, 1))
    reminder, _ = invitation(NotificationKind.REMINDER, SendChannel.EMAIL, "Proximain (Limoges)", "Jardinage",
                             date(2026, 3, 1))
    _, paper = invitation(NotificationKind.SURVEY, SendChannel.PAPER, "Proximain (Limoges)", "Jardinage", date(2026, 3, 1))

    assert subject == "Votre avis sur l'intervention du 01/03/2026"
    assert reminder == "Rappel : votre avis sur l'intervention du 01/03/2026"
    assert body.startswith("Proximain (Limoges) vous remercie") and "Jardinage, le 01/03/2026" in body
    assert "ponctuel" not in body and "L'intervenant était-il ponctuel ?" in paper


def test_a_signed_link_opens_only_for_its_purpose_and_its_lifetime() -> None:
    offers = LinkSigner(SECRET, "offer", max_age_seconds=60)
    token = offers.sign({"r": "req-1"})

    assert offers.read(token) == {"r": "req-1"}
    with pytest.raises(LinkInvalid):
        LinkSigner(SECRET, "provider", max_age_seconds=60).read(token)
    with pytest.raises(LinkInvalid):
        LinkSigner("y" * 40, "offer", max_age_seconds=60).read(token)
    with pytest.raises(LinkInvalid):
        offers.read(token[:-2])
    with pytest.raises(LinkExpired):
        LinkSigner(SECRET, "offer", max_age_seconds=-1).read(token)
