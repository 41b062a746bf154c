"""Events, ledger entries and policies for the billing tests (real platform policy files, explicit dates)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from services.billing.domain.ledger import LedgerEntry, entry_of, statement_for
from services.billing.service_layer.handlers import IssuedStatement
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeBasis,
    FeeCharged,
    MembershipFeeCharged,
    PaymentMethod,
    PaymentRecorded,
)
from shared.contracts.events.matching import InterventionCorrected, InterventionDone
from shared.contracts.events.providers import (
    CommitteeBody,
    CommitteeMember,
    ProviderAdmitted,
    ProviderApplied,
)
from shared.platforms.fees import FeeEntry
from shared.platforms.loader import load_policies
from shared.platforms.model import PlatformPolicy

PLATFORMS_DIR = Path(__file__).resolve().parents[3] / "deploy" / "platforms"
COMMUNE = {"limoges": "87085", "val-de-marne": "94028", "mons-borinage": "BE53053", "herault": "34172",
           "brenne": "36122"}


@cache
def policies() -> dict[str, PlatformPolicy]:
    return load_policies(PLATFORMS_DIR)


def with_fees(platform_id: str, *entries: dict[str, Any]) -> dict[str, PlatformPolicy]:
    """The real policies, with ``platform_id``'s fee entries replaced (for effective-date tests)."""
    changed = dict(policies())
    changed[platform_id] = changed[platform_id].model_copy(
        update={"fees": [FeeEntry.model_validate(entry) for entry in entries]})
    return changed


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def applied(provider_id: str, kind: str, platform_id: str = "limoges", on: date = date(2008, 1, 10)) -> Envelope[Any]:
    event = ProviderApplied(provider_id=provider_id, name=f"Structure {provider_id}", kind=kind,
                            activities=["gardening"], communes=[COMMUNE[platform_id]])
    return new_envelope(event, platform_id=platform_id, aggregate_id=provider_id, aggregate_version=1,
                        actor="coordinator:c1", occurred_at=noon(on))


def admitted(provider_id: str, committee_on: date, platform_id: str = "limoges", version: int = 2) -> Envelope[Any]:
    event = ProviderAdmitted(provider_id=provider_id, committee_on=committee_on,
                             members=[CommitteeMember(body=CommitteeBody.CCAS, label="CCAS")],
                             charter_signed_at=noon(committee_on))
    return new_envelope(event, platform_id=platform_id, aggregate_id=provider_id, aggregate_version=version,
                        actor="coordinator:c1", occurred_at=noon(committee_on))


def _figures(provider_id: str, resident_id: str, hours: str, labour: str, travel: str, done_on: date,
             platform_id: str, request_id: str) -> dict[str, Any]:
    total = Decimal(labour) + Decimal(travel)
    return {"request_id": request_id, "provider_id": provider_id, "resident_id": resident_id, "activity": "gardening",
            "commune": COMMUNE[platform_id], "done_on": done_on, "labour_hours": hours,
            "labour_amount_excl_tax": labour, "travel_amount_excl_tax": travel, "amount_excl_tax": str(total)}


def done(provider_id: str, *, resident_id: str = "res-1", hours: str = "2.00", labour: str = "120.00",
         travel: str = "15.00", done_on: date = date(2008, 3, 12), platform_id: str = "limoges",
         request_id: str | None = None, occurred_at: datetime | None = None) -> Envelope[Any]:
    request_id = request_id or f"req-{uuid4().hex[:8]}"
    event = InterventionDone(**_figures(provider_id, resident_id, hours, labour, travel, done_on, platform_id, request_id))
    return new_envelope(event, platform_id=platform_id, aggregate_id=request_id, aggregate_version=5,
                        actor=f"provider:{provider_id}", occurred_at=occurred_at or noon(done_on))


def corrected(original: Envelope[Any], *, reason: str = "hours miscounted", occurred_at: datetime | None = None,
              **changes: Any) -> Envelope[Any]:
    event = original.payload
    values = {"hours": event.labour_hours, "labour": event.labour_amount_excl_tax,
              "travel": event.travel_amount_excl_tax, "done_on": event.done_on, "resident_id": event.resident_id} | changes
    figures = _figures(event.provider_id, values["resident_id"], values["hours"], values["labour"], values["travel"],
                       values["done_on"], original.platform_id, event.request_id)
    correction = InterventionCorrected(**figures, corrected_event_id=original.event_id, reason=reason)
    return new_envelope(correction, platform_id=original.platform_id, aggregate_id=event.request_id,
                        aggregate_version=original.meta.aggregate_version + 1, actor="coordinator:c1",
                        occurred_at=occurred_at or original.meta.occurred_at,
                        correlation_id=original.meta.correlation_id, causation_id=original.event_id)


PARIS = ZoneInfo("Europe/Paris")


def envelope(payload, at: datetime, version: int = 1):  # type: ignore[no-untyped-def]
    """A billing event of Limoges recorded at ``at`` (the provider's account is the aggregate)."""
    return new_envelope(payload, platform_id="limoges", aggregate_id=payload.provider_id, aggregate_version=version,
                        actor="system:billing", occurred_at=at)


def statement_rows(text: str) -> list[list[str]]:
    """The rows of a CSV statement as a French spreadsheet reads it (byte order mark, ``;``)."""
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def fee(basis: FeeBasis = FeeBasis.PERCENTAGE, **figures: str) -> FeeCharged:
    """A fee of provider ``p`` (5 % of 1 234,50 € unless ``figures`` say otherwise)."""
    values = {"base_amount": "1234.50", "rate": "0.05", "hours_charged": "0.00", "amount": "61.73"} | figures
    return FeeCharged(provider_id="p", request_id="req-1", intervention_event_id=uuid4(), policy_id="x", basis=basis,
                      **values)


def line(payload, at: datetime = datetime(2026, 3, 2, 10, tzinfo=UTC), version: int = 1) -> LedgerEntry:  # type: ignore[no-untyped-def]
    """The ledger entry of a billing event recorded at ``at`` in Limoges."""
    entry = entry_of(envelope(payload, at, version), PARIS)
    assert entry is not None
    return entry


def month_of_every_kind() -> IssuedStatement:
    """March 2026's statement of provider ``p`` with one entry of each kind: fees, membership, adjustment, payments."""
    def on(day: int, payload, version: int) -> LedgerEntry:  # type: ignore[no-untyped-def]
        return line(payload, datetime(2026, 3, day, 10, tzinfo=UTC), version)

    entries = [
        on(2, fee(), 1),
        on(3, fee(FeeBasis.PER_HOUR_NEW_CLIENT, base_amount="0.00", rate="0.10", hours_charged="10.00", amount="1.00"), 2),
        on(4, MembershipFeeCharged(provider_id="p", year=2026, policy_id="x", amount="155.00"), 3),
        on(5, FeeAdjusted(provider_id="p", request_id="req-1", adjusts_event_id=uuid4(), correction_event_id=uuid4(),
                          policy_id="x", amount="-1.00", reason="erreur sur les heures"), 4),
        *(on(10 + number, PaymentRecorded(provider_id="p", amount="10.00", paid_on=date(2026, 3, 10 + number),
                                          method=method, reference=f"n° {number}"), 5 + number)
          for number, method in enumerate(PaymentMethod)),
    ]
    return IssuedStatement("stm-2026-03-p", "limoges", date(2026, 4, 1), statement_for("p", "2026-03", entries))
