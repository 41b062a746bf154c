"""The words of the messages inviting a seeker to an information session and reminding them the day before.

French, in the platform's local time, and without personal data (the greeting with the seeker's name is added
by the sender, from the sealed identity, at the moment of sending).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from shared.platforms.local_time import MONTHS, local

INVITATION, REMINDER = "session_invitation", "session_reminder"
REMINDER_BEFORE = timedelta(days=1)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass(frozen=True)
class Message:
    kind: str
    subject: str
    body: str
    not_before: datetime | None


def session_messages(starts_at: datetime, place: str, trades: list[str], platform_name: str, zone: tzinfo,
                     now: datetime) -> list[Message]:
    """The invitation, sent at once, and the reminder, sent the day before (when that is still to come)."""
    when = spoken_moment(starts_at, zone)
    about = f"Métiers présentés : {', '.join(trades)}." if trades else ""
    invitation = Message(
        INVITATION, f"Invitation : réunion d'information sur les métiers des services à la personne ({platform_name})",
        f"Vous êtes invité·e à une réunion d'information sur les métiers des services à la personne {when}, "
        f"{place}. {about}\n\nMerci de confirmer votre venue à votre conseiller emploi.", None)
    messages = [invitation]
    if starts_at - REMINDER_BEFORE > now:
        messages.append(Message(
            REMINDER, f"Rappel : réunion d'information demain ({platform_name})",
            f"Pour rappel, la réunion d'information sur les métiers des services à la personne a lieu {when}, "
            f"{place}.\n\nEn cas d'empêchement, prévenez votre conseiller emploi.", starts_at - REMINDER_BEFORE))
    return messages


def spoken_moment(at: datetime, zone: tzinfo) -> str:
    """``at`` in the platform's time as a letter says it: ``le jeudi 5 mars 2026 à 09:30``."""
    moment = local(at, zone)
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"le {WEEKDAYS[moment.weekday()]} {day} {MONTHS[moment.month - 1]} {moment.year} à {moment:%H:%M}"

