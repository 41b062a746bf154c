"""What the feedback use cases need from the outside world, as protocols and plain records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from services.feedback.domain.sending import NotificationKind
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed


@dataclass(frozen=True)
class SurveyRecord:
    """The survey index row: finds a survey by link token hash or survey id, and drives the sweeper."""

    survey_id: str
    request_id: str
    platform_id: str
    resident_id: str
    provider_id: str
    activity: str
    done_on: date
    channel: SendChannel
    token_hash: str
    status: str
    sent_at: datetime
    expires_at: datetime
    reminders_sent: int = 0
    next_reminder_at: datetime | None = None


@dataclass(frozen=True)
class Notification:
    """A row of the notifications outbox: a message to send, print or call; ``message`` is sealed."""

    notification_id: str
    platform_id: str
    survey_id: str
    request_id: str
    resident_id: str
    kind: NotificationKind
    channel: SendChannel
    message: Sealed | None
    created_at: datetime


class EventStorePort(Protocol):
    async def append(self, envelopes: Sequence[Envelope[Any]]) -> None: ...
    async def load(self, aggregate_type: str, aggregate_id: str) -> list[Envelope[Any]]: ...


class SurveyIndex(Protocol):
    async def add(self, record: SurveyRecord) -> None: ...
    async def get(self, survey_id: str) -> SurveyRecord | None: ...
    async def by_token_hash(self, hashed: str) -> SurveyRecord | None: ...
    async def update(self, survey_id: str, *, status: str, reminders_sent: int,
                     next_reminder_at: datetime | None) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[SurveyRecord]: ...
    async def listing(self, platform_id: str, status: str | None, limit: int) -> list[SurveyRecord]: ...
    async def add_notification(self, notification: Notification) -> None: ...
    async def notifications(self, survey_id: str) -> list[Notification]: ...
    async def preferred_channel(self, platform_id: str, resident_id: str) -> SendChannel | None: ...
    async def set_preferred_channel(self, platform_id: str, resident_id: str, channel: SendChannel,
                                    at: datetime) -> None: ...
    async def add_recipient(self, request_id: str, platform_id: str, resident_id: str, contact: Sealed) -> None: ...


class Store(Protocol):
    """Events and survey index sharing one transaction (a unit of work, or a projection's batch)."""

    events: EventStorePort
    surveys: SurveyIndex


@dataclass
class BoundStore:
    """A :class:`Store` made of parts already bound to one open transaction."""

    events: EventStorePort
    surveys: SurveyIndex


class Sealer(Protocol):
    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed: ...
