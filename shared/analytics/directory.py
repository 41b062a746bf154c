"""The provider directory folded from the provider events (topic ``relais.providers``).

Independent of the matching service's own tables: the events are the contract
(:mod:`shared.contracts.events.providers`); the ``*Changed`` events carry whole lists, so the last
one wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared.contracts.envelope import Envelope
from shared.contracts.events import providers as pe


@dataclass
class Accreditation:
    number: str
    issued_on: date
    expires_on: date
    publics: list[str]


@dataclass
class DirectoryEntry:
    """What the directory knows of one provider."""

    provider_id: str
    platform_id: str
    name: str = ""
    kind: str = ""
    siret: str | None = None
    bce_number: str | None = None
    activities: list[str] = field(default_factory=list)
    communes: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    status: str = "applied"
    admitted_on: date | None = None
    accreditations: list[Accreditation] = field(default_factory=list)
    weekly: list[dict[str, Any]] = field(default_factory=list)
    updated_at: datetime | None = None

    def publics_on(self, day: date) -> list[str]:
        """Fragile publics the provider may serve on ``day`` (valid agréments only)."""
        return sorted({p for a in self.accreditations if a.issued_on <= day < a.expires_on for p in a.publics})


def fold_directory(envelopes: Iterable[Envelope[Any]]) -> dict[str, DirectoryEntry]:
    """The directory after ``envelopes`` (in store order); other events are ignored."""
    entries: dict[str, DirectoryEntry] = {}
    for envelope in envelopes:
        event = envelope.payload
        if not isinstance(event, pe.ProviderEvent):
            continue
        entry = entries.get(event.provider_id)
        if entry is None:
            entry = entries[event.provider_id] = DirectoryEntry(event.provider_id, envelope.platform_id)
        _apply(entry, event)
        entry.updated_at = max(filter(None, (entry.updated_at, envelope.meta.occurred_at)))
    return entries


def _apply(entry: DirectoryEntry, event: pe.ProviderEvent) -> None:
    match event:
        case pe.ProviderApplied():
            entry.name, entry.kind = event.name, event.kind.value
            entry.siret, entry.bce_number = event.siret, event.bce_number
            entry.activities, entry.communes = list(event.activities), list(event.communes)
            entry.qualifications = list(event.qualifications)
            entry.status = "applied"
        case pe.ProviderAdmitted():
            entry.status, entry.admitted_on = "admitted", event.committee_on
        case pe.ProviderRejected():
            entry.status = "rejected"
        case pe.ProviderSuspended():
            entry.status = "suspended"
        case pe.ProviderReinstated():
            entry.status = "admitted"
        case pe.ProviderWithdrawn():
            entry.status = "withdrawn"
        case pe.AccreditationRecorded():
            entry.accreditations.append(Accreditation(event.number, event.issued_on, event.expires_on,
                                                      [p.value for p in event.publics]))
        case pe.ProviderAvailabilityChanged():
            entry.weekly = [slot.model_dump(mode="json") for slot in event.weekly]
        case pe.ProviderActivitiesChanged():
            entry.activities = list(event.activities)
        case pe.ProviderCommunesChanged():
            entry.communes = list(event.communes)
