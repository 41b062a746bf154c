"""What the employment use cases need from the outside world, as protocols and plain records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Protocol

from services.employment.domain.proposals import PoolEntry
from shared.contracts.events.employment import ReferralSource, Trade
from shared.contracts.events.feedback import SendChannel
from shared.contracts.types import Sealed
from shared.outgoing.outbox import OutgoingMessage
from shared.security.principals import Principal
from shared.storage.ports import UnitOfWork


@dataclass(frozen=True)
class SeekerRecord:
    """The seeker index row (write side, changed with the seeker's events): lists and proposals read it."""

    seeker_id: str
    platform_id: str
    referral_source: ReferralSource
    trades: tuple[Trade, ...]
    commune: str
    mobility_km: int
    available_from: date
    registered_at: datetime
    status: str
    identity: Sealed | None
    preselected_on: date | None = None
    proposals: int = 0
    channel: SendChannel = SendChannel.SMS

    def entry(self) -> PoolEntry:
        return PoolEntry(self.seeker_id, self.status, self.trades, self.commune, self.mobility_km, self.available_from,
                         self.preselected_on, self.proposals)

    def but(self, **changes: Any) -> SeekerRecord:
        return replace(self, **changes)


@dataclass(frozen=True)
class OpeningRecord:
    """The opening index row: a provider's openings, without reading every event."""

    opening_id: str
    platform_id: str
    provider_id: str
    trade: Trade
    starts_on: date
    posted_at: datetime
    status: str


@dataclass(frozen=True)
class SessionRecord:
    """The session index row: the platform's information sessions and their attendance, at a glance."""

    session_id: str
    platform_id: str
    starts_at: datetime
    place: str
    capacity: int
    invited: int
    enrolled: int
    present: int
    held: bool


@dataclass(frozen=True)
class CohortRecord:
    """The cohort index row: the platform's training cohorts and how far their trainees got."""

    cohort_id: str
    platform_id: str
    title: str
    starts_on: date
    ends_on: date
    trainees: int
    completed: int
    certified: int
    steps_certified: int = 0


class SeekerIndex(Protocol):
    async def add(self, record: SeekerRecord) -> None: ...
    async def get(self, seeker_id: str) -> SeekerRecord | None: ...
    async def of_platform(self, platform_id: str) -> list[SeekerRecord]: ...
    async def save(self, record: SeekerRecord) -> None: ...


class OpeningIndex(Protocol):
    async def add(self, record: OpeningRecord) -> None: ...
    async def of_platform(self, platform_id: str, provider_id: str | None) -> list[OpeningRecord]: ...
    async def set_status(self, opening_id: str, status: str) -> None: ...


class Outbox(Protocol):
    """The service's outgoing messages (:mod:`shared.outgoing`), written in the command's transaction."""

    async def queue(self, message: OutgoingMessage, now: datetime, not_before: datetime | None = None) -> None: ...
    async def cancel_for(self, seeker_id: str) -> int: ...


class ActivityIndex(Protocol):
    """The sessions and cohorts of each platform (one row each, replaced after every change)."""

    async def save_session(self, record: SessionRecord) -> None: ...
    async def sessions(self, platform_id: str) -> list[SessionRecord]: ...
    async def save_cohort(self, record: CohortRecord) -> None: ...
    async def cohorts(self, platform_id: str) -> list[CohortRecord]: ...


class EmploymentUnitOfWork(UnitOfWork, Protocol):
    """The event store, the indexes and the outbox in one transaction."""

    @property
    def seekers(self) -> SeekerIndex: ...

    @property
    def openings(self) -> OpeningIndex: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def activities(self) -> ActivityIndex: ...


UnitOfWorkFactory = Callable[[], EmploymentUnitOfWork]


class PersonalData(Protocol):
    """The vault as the employment service uses it: one key per seeker, reads audited, erasure by key deletion."""

    async def seal(self, resident_id: str, platform_id: str, data: Any) -> Sealed: ...
    async def unseal(self, sealed: Sealed, *, reader: Principal | str, purpose: str) -> dict[str, Any]: ...
    async def erase(self, resident_id: str) -> bool: ...
