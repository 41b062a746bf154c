"""Readable, unique, time-sortable identifiers: ``<prefix>-<ulid>`` (e.g. ``req-01jd7x...``)."""

from __future__ import annotations

import hashlib

from ulid import ULID


def new_id(prefix: str) -> str:
    return f"{prefix}-{str(ULID()).lower()}"


def id_for_key(prefix: str, scope: str, idempotency_key: str | None) -> str:
    """A fresh id; with an idempotency key, the same id for the same key in the same ``scope`` (a platform id, or
    a platform and the caller), so that a retried or doubled command finds what the first one created."""
    if idempotency_key is None:
        return new_id(prefix)
    digest = hashlib.sha256(f"{prefix}|{scope}|{idempotency_key}".encode()).hexdigest()
    return f"{prefix}-{digest[:26]}"
