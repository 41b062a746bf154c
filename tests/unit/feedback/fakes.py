"""In-memory stand-ins for the feedback store and the vault (no I/O)."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import datetime
from typing import Any, Self

from services.feedback.domain.model import SENT
from services.feedback.service_layer.ports import CallToMake, SurveyQuery, SurveyRecord
from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed
from shared.outgoing.outbox import OutgoingMessage
from shared.privacy.errors import ResidentErasedError
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork


class FakeSurveyIndex:
    def __init__(self) -> None:
        self.surveys: dict[str, SurveyRecord] = {}
        self.sent: list[OutgoingMessage] = []
        self.called: set[str] = set()
        self.preferences: dict[tuple[str, str], SendChannel] = {}
        self.recipients: dict[str, tuple[str, str, Sealed]] = {}

    async def add(self, record: SurveyRecord) -> None:
        if record.survey_id in self.surveys or any(r.token_hash == record.token_hash for r in self.surveys.values()):
            raise ValueError("duplicate survey")
        self.surveys[record.survey_id] = record

    async def get(self, survey_id: str) -> SurveyRecord | None:
        return self.surveys.get(survey_id)

    async def by_token_hash(self, hashed: str) -> SurveyRecord | None:
        return next((r for r in self.surveys.values() if r.token_hash == hashed), None)

    async def update(self, survey_id: str, *, status: str, reminders_sent: int, next_reminder_at: datetime | None) -> None:
        self.surveys[survey_id] = replace(self.surveys[survey_id], status=status, reminders_sent=reminders_sent,
                                          next_reminder_at=next_reminder_at)

    async def due(self, now: datetime, limit: int) -> list[SurveyRecord]:
        due = [r for r in self.surveys.values() if r.status == SENT and (
            r.expires_at <= now or (r.next_reminder_at is not None and r.next_reminder_at <= now))]
        return sorted(due, key=lambda r: r.sent_at)[:limit]

    async def listing(self, platform_id: str, query: SurveyQuery) -> list[SurveyRecord]:
        found = [r for r in self.surveys.values() if r.platform_id == platform_id and query.selects(r)]
        return sorted(found, key=lambda r: r.sent_at, reverse=True)[query.offset:query.offset + query.limit]

    async def add_notification(self, message: OutgoingMessage, now: datetime) -> None:
        self.sent.append(message)

    async def notifications(self, survey_id: str) -> list[OutgoingMessage]:
        return [n for n in self.sent if n.reference == survey_id]

    async def preferred_channel(self, platform_id: str, resident_id: str) -> SendChannel | None:
        return self.preferences.get((platform_id, resident_id))

    async def set_preferred_channel(self, platform_id: str, resident_id: str, channel: SendChannel, at: datetime) -> None:
        self.preferences[(platform_id, resident_id)] = channel

    async def add_recipient(self, request_id: str, platform_id: str, resident_id: str, contact: Sealed) -> None:
        self.recipients.setdefault(request_id, (platform_id, resident_id, contact))

    async def calls_to_make(self, platform_id: str, offset: int, limit: int) -> list[CallToMake]:
        calls = [CallToMake(n.reference or "", n.request_id, n.kind, datetime.min) for n in self.sent
                 if n.platform_id == platform_id and n.channel is SendChannel.PHONE and n.reference not in self.called]
        return calls[offset:offset + limit]

    async def calls_made(self, survey_id: str, at: datetime) -> None:
        self.called.add(survey_id)

    async def recipient(self, request_id: str) -> Sealed | None:
        found = self.recipients.get(request_id)
        return found[2] if found else None


class FakeFeedbackUnitOfWork(FakeUnitOfWork):
    """Events and the survey index, both discarded unless committed."""

    def __init__(self, store: FakeEventStore, index: FakeSurveyIndex) -> None:
        super().__init__(store)
        self.index = index
        self.surveys = FakeSurveyIndex()

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.surveys = copy.deepcopy(self.index)
        return self

    async def commit(self) -> None:
        await super().commit()
        self.index.__dict__.update(self.surveys.__dict__)


class FakeSealer:
    """Seals as readable JSON (tests can open it); erased residents refuse, like the vault."""

    def __init__(self) -> None:
        self.erased: set[str] = set()

    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed:
        if resident_id in self.erased:
            raise ResidentErasedError(resident_id)
        return Sealed(resident_id=resident_id, nonce=platform_id, ciphertext=json.dumps(data))

    @staticmethod
    def open(sealed: Sealed) -> dict[str, Any]:
        return json.loads(sealed.ciphertext)
