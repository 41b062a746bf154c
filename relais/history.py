"""``relais history``: a request's whole story, event by event, from every service's store.

An event belongs to the story when its aggregate id is the request id or its payload names the
request (``request_id``), e.g. a fee charged on the provider's account for that request. Personal
data never shows: sealed fields read ``[sealed]``. Nothing is cut: an offer's details end with its
assignment proof in full (every candidate of the turn in order, by name, each one passed over and why).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_

from relais.stores import Stores, events_table, stored_events
from shared.contracts.envelope import Envelope
from shared.contracts.events.matching import ProviderAssigned
from shared.contracts.events.providers import ProviderApplied
from shared.contracts.proof import turn_of, turn_text
from shared.contracts.types import Sealed
from shared.settings import SERVICES, Settings

SEALED = "[sealed]"
_PROOF_FIELDS = frozenset({"candidates", "rotation_position", "skipped", "eligible"})


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: datetime
    service: str
    event_type: str
    platform_id: str
    actor: str
    details: str
    event_id: str


def redacted(value: Any) -> Any:
    """``value`` as plain data with every sealed part replaced by ``[sealed]``."""
    if isinstance(value, Sealed):
        return SEALED
    if isinstance(value, BaseModel):
        return {name: redacted(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, list | tuple):
        return [redacted(item) for item in value]
    if isinstance(value, dict):
        return {key: redacted(item) for key, item in value.items()}
    if hasattr(value, "value") and not isinstance(value, str | int | float):
        return value.value
    return value


def describe(payload: BaseModel, request_id: str, names: Mapping[str, str] | None = None) -> str:
    """``field=value`` pairs of the payload, whole (request id left out); an offer's turn as its proof, with the
    providers' ``names``."""
    offer = isinstance(payload, ProviderAssigned)
    parts = []
    for name, value in redacted(payload).items():
        if (name == "request_id" and value == request_id) or (offer and name in _PROOF_FIELDS):
            continue
        if value in (None, "", [], {}):
            continue
        parts.append(f"{name}={value if isinstance(value, str) else _compact(value)}")
    if isinstance(payload, ProviderAssigned):
        parts.append(f"tour: {turn_text(turn_of(payload, names or {}))}")
    return ", ".join(parts)


def _compact(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_compact(item) if not isinstance(item, str) else item for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_compact(item)}" for key, item in value.items()) + "}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


async def request_history(settings: Settings, request_id: str, services: Iterable[str] = SERVICES) -> list[HistoryLine]:
    """Every event of ``request_id`` in every store, ordered by occurrence (then recording) time."""
    table = events_table()
    pattern = '%"request_id":"' + _escape_like(request_id) + '"%'
    found: dict[str, tuple[str, Envelope[Any]]] = {}
    async with Stores(settings, services) as stores:
        for service, engine in stores.engines.items():
            where = [or_(table.c.aggregate_id == request_id, table.c.document.like(pattern, escape="\\"))]
            async for stored in stored_events(engine, service, where=where):
                envelope = stored.envelope
                if envelope.meta.aggregate_id != request_id and getattr(envelope.payload, "request_id", None) != request_id:
                    continue
                found[str(envelope.meta.event_id)] = (service, envelope)
        candidates = {pid for _, envelope in found.values() if isinstance(envelope.payload, ProviderAssigned)
                      for pid in envelope.payload.candidates}
        names = await _provider_names(stores, candidates)
    ordered = sorted(found.values(), key=lambda item: (item[1].meta.occurred_at, item[1].meta.recorded_at,
                                                       str(item[1].meta.event_id)))
    return [HistoryLine(envelope.meta.occurred_at, service, envelope.meta.event_type, envelope.meta.platform_id,
                        envelope.meta.actor, describe(envelope.payload, request_id, names), str(envelope.meta.event_id))
            for service, envelope in ordered]


async def _provider_names(stores: Stores, provider_ids: set[str]) -> dict[str, str]:
    """The names the providers applied with, from matching's store (empty when it is not among the stores)."""
    engine = stores.engines.get("matching")
    if engine is None or not provider_ids:
        return {}
    table = events_table()
    names = {}
    async for stored in stored_events(engine, "matching", where=[table.c.aggregate_id.in_(sorted(provider_ids))]):
        if isinstance(stored.envelope.payload, ProviderApplied):
            names[stored.envelope.meta.aggregate_id] = stored.envelope.payload.name
    return names


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
