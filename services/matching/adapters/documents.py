"""JSON documents of the matching tables: a provider's state and a request's spec, both ways."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import orjson

from services.matching.domain.eligibility import RequestSpec
from shared.contracts.directory import Accreditation, Provider
from shared.contracts.events.providers import Absence, WeeklySlot


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value (SQLite drops the zone) is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def dumps(document: Any) -> str:
    return orjson.dumps(document).decode()


def provider_document(provider: Provider) -> dict[str, Any]:
    return {
        "provider_id": provider.provider_id, "platform_id": provider.platform_id, "name": provider.name,
        "kind": provider.kind, "status": provider.status, "activities": sorted(provider.activities),
        "communes": sorted(provider.communes), "base_commune": provider.base_commune,
        "qualifications": list(provider.qualifications), "siret": provider.siret, "bce_number": provider.bce_number,
        "committee_on": _iso(provider.committee_on), "committee_members": [list(m) for m in provider.committee_members],
        "charter_signed_at": _iso(provider.charter_signed_at), "admitted_on": _iso(provider.admitted_on),
        "status_since": _iso(provider.status_since), "status_note": provider.status_note,
        "accreditations": [{"number": agrement.number, "issued_on": agrement.issued_on.isoformat(),
                            "expires_on": agrement.expires_on.isoformat(), "publics": sorted(agrement.publics)}
                           for agrement in provider.accreditations],
        "weekly": [slot.model_dump(mode="json") for slot in provider.weekly],
        "absences": [absence.model_dump(mode="json") for absence in provider.absences],
        "joined_at": _iso(provider.joined_at), "version": provider.version, "updated_at": _iso(provider.updated_at),
        "email": provider.email, "phone": provider.phone, "offers_by": list(provider.offers_by),
    }


def provider_from_document(doc: dict[str, Any]) -> Provider:
    return Provider(
        provider_id=doc["provider_id"], platform_id=doc["platform_id"], name=doc["name"], kind=doc["kind"],
        status=doc["status"], activities=frozenset(doc["activities"]), communes=frozenset(doc["communes"]),
        base_commune=doc["base_commune"], qualifications=tuple(doc["qualifications"]), siret=doc["siret"],
        bce_number=doc["bce_number"], committee_on=_date(doc["committee_on"]),
        committee_members=tuple((body, label) for body, label in doc["committee_members"]),
        charter_signed_at=_datetime(doc["charter_signed_at"]), admitted_on=_date(doc.get("admitted_on")),
        status_since=_date(doc["status_since"]), status_note=doc["status_note"],
        accreditations=_accreditations(doc),
        weekly=tuple(WeeklySlot.model_validate(slot) for slot in doc["weekly"]),
        absences=tuple(Absence.model_validate(absence) for absence in doc["absences"]),
        joined_at=_datetime(doc["joined_at"]), version=doc["version"], updated_at=_datetime(doc.get("updated_at")),
        email=doc.get("email"), phone=doc.get("phone"), offers_by=tuple(doc.get("offers_by", ("email",))),
    )


def _accreditations(doc: dict[str, Any]) -> tuple[Accreditation, ...]:
    """The agréments of a provider document; one written before they were kept whole holds only the last,
    without its issue date (read as issued long ago: its expiry was all that counted then)."""
    if "accreditations" in doc:
        return tuple(Accreditation(agrement["number"], date.fromisoformat(agrement["issued_on"]),
                                   date.fromisoformat(agrement["expires_on"]), frozenset(agrement["publics"]))
                     for agrement in doc["accreditations"])
    last = doc.get("accreditation")
    if last is None:
        return ()
    return (Accreditation(last["number"], date.min, date.fromisoformat(last["expires_on"]), frozenset(last["publics"])),)


def spec_document(spec: RequestSpec) -> dict[str, Any]:
    return {
        "request_id": spec.request_id, "platform_id": spec.platform_id, "activity": spec.activity,
        "commune": spec.commune, "sector": spec.sector, "fragile_publics": sorted(spec.fragile_publics),
        "windows": [[start.isoformat(), end.isoformat()] for start, end in spec.windows],
        "received_at": spec.received_at.isoformat(), "timezone": spec.timezone,
    }


def spec_from_document(doc: dict[str, Any]) -> RequestSpec:
    return RequestSpec(
        request_id=doc["request_id"], platform_id=doc["platform_id"], activity=doc["activity"],
        commune=doc["commune"], sector=doc["sector"], fragile_publics=frozenset(doc["fragile_publics"]),
        windows=tuple((datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in doc["windows"]),
        received_at=datetime.fromisoformat(doc["received_at"]), timezone=doc["timezone"],
    )


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _datetime(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
