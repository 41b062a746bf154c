"""How a survey reaches the resident: the channel, and the single-use link token (only its hash is kept)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date
from enum import StrEnum

from shared.contracts.events.feedback import SendChannel
from shared.platforms.model import SurveyChannel, SurveyPolicy

TOKEN_BYTES = 32

_POLICY_CHANNELS = {
    SurveyChannel.POSTAL: SendChannel.PAPER,
    SurveyChannel.EMAIL: SendChannel.EMAIL,
    SurveyChannel.SMS: SendChannel.SMS,
    SurveyChannel.PHONE: SendChannel.PHONE,
}


class NotificationKind(StrEnum):
    """What a row of the notifications outbox asks the sender (or an operator) to do."""

    SURVEY = "survey"
    REMINDER = "reminder"
    FOLLOW_UP_CALL = "follow_up_call"


def choose_channel(preferred: SendChannel | None, policy: SurveyPolicy) -> SendChannel:
    """The resident's preferred channel when known, else the platform's default."""
    return preferred or _POLICY_CHANNELS[policy.default_channel]


def new_token() -> str:
    """A random, URL-safe link token (256 bits)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a link token: what the store keeps. 256 random bits need no salt."""
    return hashlib.sha256(token.encode()).hexdigest()


def needs_follow_up_call(channel: SendChannel, policy: SurveyPolicy) -> bool:
    """Hérault-style follow-up: an operator calls after every intervention, unless the survey is a call already."""
    return policy.phone_follow_up and channel is not SendChannel.PHONE


PAPER_QUESTIONNAIRE = """1. Le travail de l'intervenant
L'intervenant était-il ponctuel ? (entourez une note de 1 à 5)   1   2   3   4   5
Êtes-vous satisfait de la qualité du travail ?   1   2   3   4   5
Recommanderiez-vous cet intervenant ?   Oui   Non

2. Le service de la plateforme
Feriez-vous de nouveau appel à la plateforme ?   Oui   Non
La plateforme vous a-t-elle facilité les choses ?   Oui   Non

3. Votre commentaire (facultatif)
....................................................................................................
....................................................................................................

Renvoyez cette page à la plateforme, ou répondez en ligne avec le lien ci-dessous."""


def invitation(kind: NotificationKind, channel: SendChannel, platform_name: str, activity: str,
               done_on: date) -> tuple[str, str]:
    """The French subject and body of a survey or reminder (no personal data: the link and name are added at sending)."""
    when = done_on.strftime("%d/%m/%Y")
    reminder = kind is NotificationKind.REMINDER
    subject = f"{'Rappel : ' if reminder else ''}votre avis sur l'intervention du {when}"
    subject = subject[0].upper() + subject[1:]
    opening = ("Vous n'avez pas encore donné votre avis : il nous aide beaucoup."
               if reminder else f"{platform_name} vous remercie d'avoir fait appel à ses services.")
    body = (f"{opening} Intervention : {activity}, le {when}. Deux minutes suffisent, "
            "sans compte ; le lien ne sert qu'une fois.")
    if channel is SendChannel.PAPER:
        body = f"{body}\n\n{PAPER_QUESTIONNAIRE}"
    return subject, body
