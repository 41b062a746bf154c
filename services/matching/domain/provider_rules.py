"""The provider's lifecycle rules: which change is allowed in which status, and the event it yields (pure).

applied -> admitted | rejected (committee); admitted <-> suspended; applied, admitted or suspended
-> withdrawn. A rejected or withdrawn provider's record is closed: nothing changes it any more.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from services.matching.domain import commands as c
from shared.contracts.directory import (
    ADMITTED,
    APPLIED,
    REJECTED,
    SUSPENDED,
    WITHDRAWN,
    Provider,
)
from shared.contracts.events import providers as ev
from shared.contracts.labels import PROVIDER_STATUSES
from shared.errors import Conflict, DomainError

OPEN_RECORD = frozenset({APPLIED, ADMITTED, SUSPENDED})


def application_event(provider_id: str, details: c.ApplicationDetails, *, activities: AbstractSet[str],
                      communes: AbstractSet[str]) -> ev.ProviderApplied:
    """The application, once its activities and communes are checked against the platform's lists."""
    check_known(details.activities, activities, "unknown_activity", "activity")
    check_known(details.communes, communes, "unknown_commune", "commune")
    return ev.ProviderApplied(provider_id=provider_id, **details.model_dump(include=set(c.ApplicationDetails.model_fields)))


def change_event(provider: Provider, change: c.DirectoryChange, *, activities: AbstractSet[str],
                 communes: AbstractSet[str]) -> ev.ProviderEvent:
    """The event ``change`` yields for ``provider``; :class:`DomainError` if its status forbids it."""
    pid = provider.provider_id
    if isinstance(change, c.CommitteeDecision):
        if provider.status != APPLIED:
            raise Conflict("already_decided", f"Le comité a déjà statué : le prestataire est à l'état « {PROVIDER_STATUSES.get(provider.status, provider.status)} ».")
        if change.decision == "admitted":
            return ev.ProviderAdmitted(provider_id=pid, committee_on=change.committee_on, members=change.members,
                                       charter_signed_at=change.charter_signed_at)
        return ev.ProviderRejected(provider_id=pid, committee_on=change.committee_on, members=change.members,
                                   reason=change.reason.strip())
    _require_open(provider)
    if isinstance(change, c.AccreditationDetails):
        return ev.AccreditationRecorded(provider_id=pid, **change.model_dump())
    if isinstance(change, c.AvailabilityDetails):
        return ev.ProviderAvailabilityChanged(provider_id=pid, weekly=change.weekly, absences=change.absences)
    if isinstance(change, c.ActivitiesDetails):
        check_known(change.activities, activities, "unknown_activity", "activity")
        return ev.ProviderActivitiesChanged(provider_id=pid, activities=change.activities)
    if isinstance(change, c.CommunesDetails):
        check_known(change.communes, communes, "unknown_commune", "commune")
        return ev.ProviderCommunesChanged(provider_id=pid, communes=change.communes)
    return _status_event(provider, change)


def _status_event(provider: Provider, change: c.DirectoryChange) -> ev.ProviderEvent:
    pid = provider.provider_id
    if isinstance(change, c.Suspension):
        if provider.status == SUSPENDED:
            raise Conflict("already_suspended", "Le prestataire est déjà suspendu.")
        _require_status(provider, ADMITTED, "suspend")
        return ev.ProviderSuspended(provider_id=pid, since=change.since, reason=_reason(change, "suspend"))
    if isinstance(change, c.Reinstatement):
        _require_status(provider, SUSPENDED, "reinstate")
        return ev.ProviderReinstated(provider_id=pid, since=change.since, note=change.reason.strip())
    if isinstance(change, c.Withdrawal):
        return ev.ProviderWithdrawn(provider_id=pid, since=change.since, reason=_reason(change, "withdraw"))
    raise TypeError(f"unknown directory change {type(change).__name__}")


_LISTS = {"activity": ("activities", "Activité(s) absente(s) de la liste de la plateforme", "Une activité"),
          "commune": ("communes", "Commune(s) non desservie(s) par la plateforme", "Une commune")}


def check_known(codes: list[str], known: AbstractSet[str], code: str, what: str) -> None:
    field, not_listed, one = _LISTS[what]
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise DomainError(code, f"{not_listed} : {', '.join(unknown)}.", field=field)
    if len(set(codes)) != len(codes):
        raise DomainError(f"duplicate_{what}", f"{one} est indiquée deux fois.", field=field)


def _require_open(provider: Provider) -> None:
    if provider.status in (REJECTED, WITHDRAWN):
        raise Conflict("record_closed", f"La fiche du prestataire est close (état « {PROVIDER_STATUSES.get(provider.status, provider.status)} »).")


def _require_status(provider: Provider, status: str, verb: str) -> None:
    if provider.status != status:
        raise Conflict("invalid_status", f"Action impossible : le prestataire est à l'état « {PROVIDER_STATUSES.get(provider.status, provider.status)} ».")


def _reason(change: c.StatusChangeDetails, verb: str) -> str:
    reason = change.reason.strip()
    if not reason:
        raise DomainError("reason_required", "Indiquez le motif.")
    return reason
