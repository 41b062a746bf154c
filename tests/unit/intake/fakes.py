"""What the intake handler tests share: the real platform policies, a contact, a sealer that seals nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.contracts.types import Sealed
from shared.platforms.loader import load_policies

POLICIES = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")
CONTACT = {"name": "Jeanne Test", "phone": "05 55 00 00 01"}


class FakeSealer:
    def __init__(self) -> None:
        self.sealed: list[dict[str, Any]] = []

    async def seal(self, resident_id: str, platform_id: str, data: dict[str, Any]) -> Sealed:
        self.sealed.append(data)
        return Sealed(resident_id=resident_id, nonce="bm9uY2U", ciphertext="c2VhbGVk")
