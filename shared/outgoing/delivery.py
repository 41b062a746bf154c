"""What a channel is given to deliver, and how it says it could not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Delivery:
    """A message ready to go, personal data opened: never log it, never keep it."""

    notification_id: str
    platform_id: str
    kind: str
    recipient: dict[str, Any]
    subject: str
    body: str
    link: str | None

    @property
    def name(self) -> str:
        return str(self.recipient.get("name") or "")

    def text(self) -> str:
        """The full French text: greeting, body, link."""
        greeting = f"Bonjour {self.name}," if self.name else "Bonjour,"
        parts = [greeting, self.body.strip()]
        if self.link:
            parts.append(self.link)
        return "\n\n".join(parts) + "\n"

    def short_text(self) -> str:
        """For an SMS: the body's first paragraph and the link."""
        first = self.body.strip().split("\n\n", 1)[0].replace("\n", " ")
        return f"{first} {self.link}" if self.link else first


class DeliveryFailed(Exception):
    """A channel could not deliver. ``reason`` is French and holds no personal data (it is stored and logged).

    ``permanent``: trying again cannot help (address refused, no phone number); otherwise the
    sender retries later with backoff.
    """

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(Protocol):
    """Sends one message; returns a French note of how it went (stored), raises :class:`DeliveryFailed`."""

    async def deliver(self, delivery: Delivery) -> str: ...
