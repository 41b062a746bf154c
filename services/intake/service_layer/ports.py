"""What the intake use cases need from the outside world, as protocols (SQL adapters or fakes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from shared.contracts.types import Sealed
from shared.storage.ports import UnitOfWork

UnitOfWorkFactory = Callable[[], UnitOfWork]
"""Opens a fresh unit of work: intake's commands only append to the event store."""


class Sealer(Protocol):
    """Seals a resident's personal data with the resident's key (the vault)."""

    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed: ...
