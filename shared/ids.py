"""Readable, unique, time-sortable identifiers: ``<prefix>-<ulid>`` (e.g. ``req-01jd7x...``)."""

from __future__ import annotations

from ulid import ULID


def new_id(prefix: str) -> str:
    return f"{prefix}-{str(ULID()).lower()}"
