"""In-memory stand-ins for the employment ports: the event store, both indexes and the vault."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from services.employment.service_layer.handlers import EmploymentHandlers
from services.employment.service_layer.ports import CohortRecord, OpeningRecord, SeekerRecord, SessionRecord
from shared.clock import FixedClock
from shared.contracts.types import Sealed
from shared.outgoing.outbox import OutgoingMessage
from shared.platforms.loader import load_policies
from shared.privacy.errors import ResidentErasedError
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork

POLICIES = Path(__file__).resolve().parents[3] / "deploy" / "platforms"


class FakeSeekers:
    def __init__(self) -> None:
        self.rows: dict[str, SeekerRecord] = {}

    async def add(self, record: SeekerRecord) -> None:
        assert record.seeker_id not in self.rows
        self.rows[record.seeker_id] = record

    async def save(self, record: SeekerRecord) -> None:
        self.rows[record.seeker_id] = record

    async def get(self, seeker_id: str) -> SeekerRecord | None:
        return self.rows.get(seeker_id)

    async def of_platform(self, platform_id: str) -> list[SeekerRecord]:
        return [row for row in self.rows.values() if row.platform_id == platform_id]


class FakeOpenings:
    def __init__(self) -> None:
        self.rows: dict[str, OpeningRecord] = {}

    async def add(self, record: OpeningRecord) -> None:
        self.rows[record.opening_id] = record

    async def set_status(self, opening_id: str, status: str) -> None:
        self.rows[opening_id] = replace(self.rows[opening_id], status=status)

    async def of_platform(self, platform_id: str, provider_id: str | None) -> list[OpeningRecord]:
        return [row for row in self.rows.values()
                if row.platform_id == platform_id and provider_id in (None, row.provider_id)]


class FakeActivities:
    def __init__(self) -> None:
        self.session_rows: dict[str, SessionRecord] = {}
        self.cohort_rows: dict[str, CohortRecord] = {}

    async def save_session(self, record: SessionRecord) -> None:
        self.session_rows[record.session_id] = record

    async def sessions(self, platform_id: str) -> list[SessionRecord]:
        return [row for row in self.session_rows.values() if row.platform_id == platform_id]

    async def save_cohort(self, record: CohortRecord) -> None:
        self.cohort_rows[record.cohort_id] = record

    async def cohorts(self, platform_id: str) -> list[CohortRecord]:
        return [row for row in self.cohort_rows.values() if row.platform_id == platform_id]


class FakeOutbox:
    def __init__(self) -> None:
        self.messages: list[tuple[OutgoingMessage, datetime | None]] = []
        self.cancelled: list[str] = []

    async def queue(self, message: OutgoingMessage, now: datetime, not_before: datetime | None = None) -> None:
        self.messages.append((message, not_before))

    async def cancel_for(self, seeker_id: str) -> int:
        self.cancelled.append(seeker_id)
        return sum(1 for message, _ in self.messages if message.resident_id == seeker_id)


class FakeEmploymentUnitOfWork(FakeUnitOfWork):
    """Events and index rows become visible only on commit (indexes are shared here: tests commit or raise
    before the index is touched)."""

    def __init__(self, store: FakeEventStore, seekers: FakeSeekers, openings: FakeOpenings, outbox: FakeOutbox,
                 activities: FakeActivities) -> None:
        super().__init__(store)
        self.activities = activities
        self.seekers = seekers
        self.openings = openings
        self.outbox = outbox


class FakeVault:
    """Seals as readable JSON under each seeker's name; erasing makes their data unreadable."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}
        self.erased: set[str] = set()
        self.reads: list[tuple[str, str]] = []

    async def seal(self, resident_id: str, platform_id: str, data: Any) -> Sealed:
        self.data[resident_id] = data.model_dump() if hasattr(data, "model_dump") else dict(data)
        return Sealed(resident_id=resident_id, nonce="bm9uY2U", ciphertext="c2VhbGVk")

    async def unseal(self, sealed: Sealed, *, reader: Any, purpose: str) -> dict[str, Any]:
        self.reads.append((sealed.resident_id, purpose))
        if sealed.resident_id in self.erased:
            raise ResidentErasedError(sealed.resident_id)
        return self.data[sealed.resident_id]

    async def erase(self, resident_id: str) -> bool:
        self.erased.add(resident_id)
        return self.data.pop(resident_id, None) is not None


class World:
    def __init__(self, clock: FixedClock) -> None:
        self.store = FakeEventStore()
        self.seekers = FakeSeekers()
        self.openings = FakeOpenings()
        self.outbox = FakeOutbox()
        self.activities = FakeActivities()
        self.vault = FakeVault()
        self.clock = clock
        self.handlers = EmploymentHandlers(
            uow=lambda: FakeEmploymentUnitOfWork(self.store, self.seekers, self.openings, self.outbox,
                                                  self.activities),  # type: ignore[arg-type,return-value]
            personal=self.vault, policies=load_policies(POLICIES), clock=clock)

    def events(self, event_type: str) -> list[Any]:
        return [envelope.payload for envelope in self.store.events if envelope.event_type == event_type]
