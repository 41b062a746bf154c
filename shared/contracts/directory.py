"""The provider directory: what the provider events (topic ``relais.providers``) say of each provider.

The one fold of those events. Matching decides from it who may take a request, and the analysts'
exports (HSDS, data·inclusion) publish it; neither imports the other, and both read an agrément the
same way (:meth:`Provider.publics_on`): in force from the day it was issued until the day before it
expires, a day being the platform's local calendar day of the moment in question
(:func:`shared.platforms.local_time.local_date`). The ``*Changed`` events carry whole lists: the last
one wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from shared.contracts.envelope import Envelope
from shared.contracts.events import providers as ev

APPLIED, ADMITTED, REJECTED, SUSPENDED, WITHDRAWN = "applied", "admitted", "rejected", "suspended", "withdrawn"


@dataclass(frozen=True)
class Accreditation:
    """An agrément qualité as recorded: the fragile publics it covers, from ``issued_on`` until ``expires_on``."""

    number: str
    issued_on: date
    expires_on: date
    publics: frozenset[str]

    def in_force_on(self, day: date) -> bool:
        """Whether the agrément is in force on the local calendar day ``day`` (it expires at that day's start)."""
        return self.issued_on <= day < self.expires_on


@dataclass(frozen=True)
class Provider:
    """What the directory knows of one provider. ``joined_at`` (first admission) orders the rotation's turn."""

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
    admitted_on: date | None = None
    status_since: date | None = None
    status_note: str = ""
    accreditations: tuple[Accreditation, ...] = ()
    weekly: tuple[ev.WeeklySlot, ...] = ()
    absences: tuple[ev.Absence, ...] = ()
    joined_at: datetime | None = None
    email: str | None = None
    phone: str | None = None
    offers_by: tuple[str, ...] = ("email",)
    version: int = 0
    updated_at: datetime | None = None
    history: tuple[str, ...] = field(default=(), compare=False)

    @property
    def accreditation(self) -> Accreditation | None:
        """The agrément recorded last (``None`` if none was)."""
        return self.accreditations[-1] if self.accreditations else None

    def publics_on(self, day: date) -> frozenset[str]:
        """The fragile publics the provider may serve on the local calendar day ``day`` (agréments in force)."""
        return frozenset(public for agrement in self.accreditations if agrement.in_force_on(day)
                         for public in agrement.publics)

    def publics_recorded(self) -> frozenset[str]:
        """The fragile publics of every agrément ever recorded, in force or not."""
        return frozenset(public for agrement in self.accreditations for public in agrement.publics)


def evolve(provider: Provider, event: ev.ProviderEvent, *, occurred_at: datetime, version: int) -> Provider:
    """The provider after ``event`` (an unknown event type leaves it as it was, version and time aside)."""
    changes: dict[str, Any] = {"version": version, "updated_at": max(filter(None, (provider.updated_at, occurred_at)))}
    if isinstance(event, ev.ProviderApplied):
        changes.update(name=event.name, kind=event.kind.value, status=APPLIED, activities=frozenset(event.activities),
                       communes=frozenset(event.communes), base_commune=event.communes[0],
                       qualifications=tuple(event.qualifications), siret=event.siret, bce_number=event.bce_number,
                       email=event.email, phone=event.phone, offers_by=tuple(channel.value for channel in event.offers_by))
    elif isinstance(event, ev.ProviderAdmitted):
        changes.update(status=ADMITTED, joined_at=provider.joined_at or occurred_at, charter_signed_at=event.charter_signed_at,
                       **_committee(event), admitted_on=event.committee_on, status_since=event.committee_on,
                       status_note="")
    elif isinstance(event, ev.ProviderRejected):
        changes.update(status=REJECTED, **_committee(event), status_since=event.committee_on, status_note=event.reason)
    elif isinstance(event, ev.ProviderSuspended):
        changes.update(status=SUSPENDED, status_since=event.since, status_note=event.reason)
    elif isinstance(event, ev.ProviderReinstated):
        changes.update(status=ADMITTED, status_since=event.since, status_note=event.note)
    elif isinstance(event, ev.ProviderWithdrawn):
        changes.update(status=WITHDRAWN, status_since=event.since, status_note=event.reason)
    elif isinstance(event, ev.AccreditationRecorded):
        recorded = Accreditation(event.number, event.issued_on, event.expires_on, frozenset(p.value for p in event.publics))
        changes.update(accreditations=(*provider.accreditations, recorded))
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


def from_history(provider_id: str, envelopes: Iterable[Envelope[Any]]) -> Provider | None:
    """The provider after its own events (``None`` if it has none)."""
    provider: Provider | None = None
    for envelope in envelopes:
        provider = provider or Provider(provider_id, envelope.meta.platform_id)
        provider = evolve(provider, envelope.payload, occurred_at=envelope.meta.occurred_at,
                          version=envelope.meta.aggregate_version)
    return provider


def fold_directory(envelopes: Iterable[Envelope[Any]]) -> dict[str, Provider]:
    """Every provider after ``envelopes`` (in store order), by provider id; other events are ignored."""
    providers: dict[str, Provider] = {}
    for envelope in envelopes:
        event = envelope.payload
        if isinstance(event, ev.ProviderEvent):
            provider = providers.get(event.provider_id) or Provider(event.provider_id, envelope.meta.platform_id)
            providers[event.provider_id] = evolve(provider, event, occurred_at=envelope.meta.occurred_at,
                                                  version=envelope.meta.aggregate_version)
    return providers
