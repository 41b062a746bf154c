"""What the feedback use cases need from the outside world, as protocols and plain records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed
from shared.outgoing.outbox import OutgoingMessage
from shared.storage.ports import EventLog, UnitOfWork


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
class SurveyQuery:
    """Which surveys of a platform to list, newest first: filters (each optional) and a page."""

    status: str | None = None
    activity: str | None = None
    sent_from: datetime | None = None
    sent_before: datetime | None = None
    offset: int = 0
    limit: int = 200

    def selects(self, record: SurveyRecord) -> bool:
        """Whether ``record`` passes the filters (the page aside)."""
        return (self.status in (None, record.status) and self.activity in (None, record.activity)
                and (self.sent_from is None or record.sent_at >= self.sent_from)
                and (self.sent_before is None or record.sent_at < self.sent_before))


@dataclass(frozen=True)
class CallToMake:
    """A call on the operators' list: a survey by phone, or a follow-up after a survey sent otherwise."""

    survey_id: str
    request_id: str
    kind: str
    queued_at: datetime


class SurveyIndex(Protocol):
    async def add(self, record: SurveyRecord) -> None: ...
    async def get(self, survey_id: str) -> SurveyRecord | None: ...
    async def by_token_hash(self, hashed: str) -> SurveyRecord | None: ...
    async def update(self, survey_id: str, *, status: str, reminders_sent: int,
                     next_reminder_at: datetime | None) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[SurveyRecord]: ...
    async def listing(self, platform_id: str, query: SurveyQuery) -> list[SurveyRecord]: ...
    async def add_notification(self, message: OutgoingMessage, now: datetime) -> None: ...
    async def notifications(self, survey_id: str) -> list[OutgoingMessage]: ...
    async def preferred_channel(self, platform_id: str, resident_id: str) -> SendChannel | None: ...
    async def set_preferred_channel(self, platform_id: str, resident_id: str, channel: SendChannel,
                                    at: datetime) -> None: ...
    async def add_recipient(self, request_id: str, platform_id: str, resident_id: str, contact: Sealed) -> None: ...
    async def recipient(self, request_id: str) -> Sealed | None: ...
    async def calls_to_make(self, platform_id: str, offset: int, limit: int) -> list[CallToMake]: ...
    async def calls_made(self, survey_id: str, at: datetime) -> None: ...


class Store(Protocol):
    """Events and survey index sharing one transaction (a unit of work, or a projection's batch)."""

    @property
    def events(self) -> EventLog: ...

    @property
    def surveys(self) -> SurveyIndex: ...


class FeedbackUnitOfWork(Store, UnitOfWork, Protocol):
    """A :class:`Store` of its own transaction, made durable by ``commit()``."""


UnitOfWorkFactory = Callable[[], FeedbackUnitOfWork]


@dataclass
class BoundStore:
    """A :class:`Store` made of parts already bound to one open transaction."""

    events: EventLog
    surveys: SurveyIndex


class Sealer(Protocol):
    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed: ...
