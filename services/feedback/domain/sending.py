"""How a survey reaches the resident: the channel, and the single-use link token (only its hash is kept)."""

from __future__ import annotations

import hashlib
import secrets
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
