"""The envelope every event travels in, in the stores and on Kafka."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import Event

P = TypeVar("P", bound=Event)

PLATFORM_ID_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Metadata(BaseModel):
    """Everything about an event except its payload."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID = Field(default_factory=uuid4, description="Unique id of this event; consumers deduplicate on it.")
    event_type: str = Field(description="Name of the event type, e.g. RequestLogged.")
    schema_version: int = Field(ge=1, description="Version of the payload schema this event was written with.")
    platform_id: str = Field(pattern=PLATFORM_ID_PATTERN, description="Platform (tenant) the event belongs to, e.g. limoges.")
    aggregate_type: str = Field(description="Kind of aggregate, e.g. request or provider.")
    aggregate_id: str = Field(min_length=1, max_length=120, description="Id of the aggregate the event belongs to; also the Kafka key.")
    aggregate_version: int = Field(ge=1, description="Position of the event in its aggregate's history (1, 2, ...).")
    occurred_at: datetime = Field(description="When the fact happened in the world (UTC).")
    recorded_at: datetime = Field(default_factory=utcnow, description="When the producing service stored the event (UTC).")
    correlation_id: UUID = Field(description="Id shared by every event of one business flow (one resident request).")
    causation_id: UUID | None = Field(default=None, description="Id of the event or command that caused this event.")
    actor: str = Field(description="Who did it: a person signed in '<role>:<account id>/<method>' (method password, "
                       "totp or oidc), an API token '<role>:<subject>' ('operator:op-3', 'provider:<id>'), 'resident', "
                       "'system:<service>'.")


class Envelope(BaseModel, Generic[P]):
    """An event: metadata plus its typed payload."""

    model_config = ConfigDict(frozen=True)

    meta: Metadata = Field(description="Envelope: ids, versions, platform, times, correlation and causation.")
    payload: P = Field(description="The event's own data.")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its metadata and payload: the codec's per-type classes (``Envelope[RequestLogged]``)
        are built at run time, so pickle could not find them by name."""
        return (_unpickled, (self.meta, self.payload))

    @property
    def event_id(self) -> UUID:
        return self.meta.event_id

    @property
    def event_type(self) -> str:
        return self.meta.event_type

    @property
    def platform_id(self) -> str:
        return self.meta.platform_id

    def caused(self, payload: Event, *, aggregate_id: str, aggregate_version: int, actor: str,
               occurred_at: datetime | None = None, platform_id: str | None = None) -> Envelope[Any]:
        """A new event caused by this one: same correlation id, causation id = this event's id."""
        return new_envelope(
            payload,
            platform_id=platform_id or self.meta.platform_id,
            aggregate_id=aggregate_id,
            aggregate_version=aggregate_version,
            actor=actor,
            occurred_at=occurred_at or self.meta.occurred_at,
            correlation_id=self.meta.correlation_id,
            causation_id=self.meta.event_id,
        )


def _unpickled(meta: Metadata, payload: Event) -> Envelope[Any]:
    return Envelope[Any].model_construct(meta=meta, payload=payload)


def new_envelope(payload: Event, *, platform_id: str, aggregate_id: str, aggregate_version: int, actor: str,
                 occurred_at: datetime | None = None, correlation_id: UUID | None = None,
                 causation_id: UUID | None = None, event_id: UUID | None = None) -> Envelope[Any]:
    """Wrap ``payload`` in a fresh envelope; a new flow gets a new correlation id."""
    event_id = event_id or uuid4()
    meta = Metadata(
        event_id=event_id,
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        platform_id=platform_id,
        aggregate_type=payload.aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        occurred_at=occurred_at or utcnow(),
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        actor=actor,
    )
    return Envelope[Any](meta=meta, payload=payload)
