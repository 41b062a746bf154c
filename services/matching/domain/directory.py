"""What matching knows of a provider, rebuilt from the provider's events (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from shared.contracts.events import providers as ev

APPLIED, ADMITTED, REJECTED, SUSPENDED, WITHDRAWN = "applied", "admitted", "rejected", "suspended", "withdrawn"


@dataclass(frozen=True)
class Accreditation:
    number: str
    expires_on: date
    publics: frozenset[str]

    def covers(self, publics: Iterable[str], on: date) -> bool:
        return on < self.expires_on and set(publics) <= self.publics


@dataclass(frozen=True)
class Provider:
    """A provider as the rotation sees it. ``joined_at`` orders the turn (admission time)."""

    provider_id: str
    platform_id: str
    name: str = ""
    kind: str = ""
    status: str = APPLIED
    activities: frozenset[str] = frozenset()
    communes: frozenset[str] = frozenset()
    base_commune: str = ""
    qualifications: tuple[str, ...] = ()
    siret: str | None = None
    bce_number: str | None = None
    committee_on: date | None = None
    committee_members: tuple[tuple[str, str], ...] = ()
    charter_signed_at: datetime | None = None
    status_since: date | None = None
    status_note: str = ""
    accreditation: Accreditation | None = None
    weekly: tuple[Any, ...] = ()
    absences: tuple[Any, ...] = ()
    joined_at: datetime | None = None
    email: str | None = None
    phone: str | None = None
    offers_by: tuple[str, ...] = ("email",)
    version: int = 0
    history: tuple[str, ...] = field(default=(), compare=False)


def evolve(provider: Provider, event: ev.ProviderEvent, *, occurred_at: datetime, version: int) -> Provider:
    """The provider after ``event`` (an unknown event type leaves it as it was, version aside)."""
    changes: dict[str, Any] = {"version": version}
    if isinstance(event, ev.ProviderApplied):
        changes.update(name=event.name, kind=event.kind.value, status=APPLIED, activities=frozenset(event.activities),
                       communes=frozenset(event.communes), base_commune=event.communes[0],
                       qualifications=tuple(event.qualifications), siret=event.siret, bce_number=event.bce_number,
                       email=event.email, phone=event.phone, offers_by=tuple(channel.value for channel in event.offers_by))
    elif isinstance(event, ev.ProviderAdmitted):
        changes.update(status=ADMITTED, joined_at=provider.joined_at or occurred_at, charter_signed_at=event.charter_signed_at,
                       **_committee(event), status_since=event.committee_on, status_note="")
    elif isinstance(event, ev.ProviderRejected):
        changes.update(status=REJECTED, **_committee(event), status_since=event.committee_on, status_note=event.reason)
    elif isinstance(event, ev.ProviderSuspended):
        changes.update(status=SUSPENDED, status_since=event.since, status_note=event.reason)
    elif isinstance(event, ev.ProviderReinstated):
        changes.update(status=ADMITTED, status_since=event.since, status_note=event.note)
    elif isinstance(event, ev.ProviderWithdrawn):
        changes.update(status=WITHDRAWN, status_since=event.since, status_note=event.reason)
    elif isinstance(event, ev.AccreditationRecorded):
        changes.update(accreditation=Accreditation(event.number, event.expires_on, frozenset(p.value for p in event.publics)))
    elif isinstance(event, ev.ProviderAvailabilityChanged):
        changes.update(weekly=tuple(event.weekly), absences=tuple(event.absences))
    elif isinstance(event, ev.ProviderActivitiesChanged):
        changes.update(activities=frozenset(event.activities))
    elif isinstance(event, ev.ProviderCommunesChanged):
        changes.update(communes=frozenset(event.communes), base_commune=event.communes[0])
    return replace(provider, **changes)


def _committee(event: ev.ProviderAdmitted | ev.ProviderRejected) -> dict[str, Any]:
    return {"committee_on": event.committee_on,
            "committee_members": tuple((member.body.value, member.label) for member in event.members)}


def from_history(provider_id: str, envelopes: Iterable[Any]) -> Provider | None:
    provider: Provider | None = None
    for envelope in envelopes:
        provider = provider or Provider(provider_id, envelope.meta.platform_id)
        provider = evolve(provider, envelope.payload, occurred_at=envelope.meta.occurred_at,
                          version=envelope.meta.aggregate_version)
    return provider
