"""``relais history``: a request's whole story, event by event, from every service's store.

An event belongs to the story when its aggregate id is the request id or its payload names the
request (``request_id``), e.g. a fee charged on the provider's account for that request. Personal
data never shows: sealed fields read ``[sealed]``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import or_

from shared.analytics.stores import Stores, events_table, stored_events
from shared.contracts.types import Sealed
from shared.settings import SERVICES, Settings

SEALED = "[sealed]"
MAX_TEXT = 80


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


def describe(payload: BaseModel, request_id: str) -> str:
    """``field=value`` pairs of the payload (request id left out; long values shortened)."""
    parts = []
    for name, value in redacted(payload).items():
        if name == "request_id" and value == request_id:
            continue
        if value in (None, "", [], {}):
            continue
        text = value if isinstance(value, str) else _compact(value)
        parts.append(f"{name}={text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + '…'}")
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
    found: dict[str, tuple[datetime, datetime, HistoryLine]] = {}
    async with Stores(settings, services) as stores:
        for service, engine in stores.engines.items():
            where = [or_(table.c.aggregate_id == request_id, table.c.document.like(pattern, escape="\\"))]
            async for stored in stored_events(engine, service, where=where):
                envelope = stored.envelope
                if envelope.meta.aggregate_id != request_id and getattr(envelope.payload, "request_id", None) != request_id:
                    continue
                meta = envelope.meta
                line = HistoryLine(meta.occurred_at, service, meta.event_type, meta.platform_id, meta.actor,
                                   describe(envelope.payload, request_id), str(meta.event_id))
                found[line.event_id] = (meta.occurred_at, meta.recorded_at, line)
    return [line for _, _, line in sorted(found.values(), key=lambda item: (item[0], item[1], item[2].event_id))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
