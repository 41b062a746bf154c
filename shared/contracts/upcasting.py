"""Upcasters: turn a payload stored at an old schema version into the current one.

An upcaster is registered for ``(event_type, from_version)`` and returns the payload at
``from_version + 1``. :func:`upcast` chains them until the class's current version.
Upcasters work on plain dicts, before pydantic validation, so old data never needs the
old classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UpcastError(ValueError):
    """The stored version cannot be brought to the current one."""


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register ``fn`` as the step ``from_version -> from_version + 1`` of ``event_type``."""

    def decorate(fn: Upcaster) -> Upcaster:
        key = (event_type, from_version)
        if key in _UPCASTERS:
            raise ValueError(f"upcaster {key} registered twice")
        _UPCASTERS[key] = fn
        return fn

    return decorate


def upcast(event_type: str, version: int, current: int, payload: Payload) -> Payload:
    """Bring ``payload`` from ``version`` to ``current``; raise :class:`UpcastError` if impossible."""
    if version > current:
        raise UpcastError(f"{event_type} schema version {version} is newer than this service knows ({current})")
    if version < 1:
        raise UpcastError(f"{event_type} schema version {version} is not valid")
    data = dict(payload)
    for step in range(version, current):
        fn = _UPCASTERS.get((event_type, step))
        if fn is None:
            raise UpcastError(f"no upcaster for {event_type} v{step} -> v{step + 1}")
        data = fn(data)
    return data


def registered_upcasters() -> dict[tuple[str, int], Upcaster]:
    """All registered steps (for tests that check every old version has a fixture)."""
    return dict(_UPCASTERS)
