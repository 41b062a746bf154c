"""One fold of the provider events: matching's eligibility and the analysts' exports read the same agréments
the same way, so at the platform's local midnight they change their answer together."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from data_inclusion.schema.v1 import Public

from relais.export.hsds import hsds_tables
from relais.export.inclusion import inclusion_records
from services.matching.adapters.documents import provider_document, provider_from_document
from services.matching.domain.eligibility import RequestSpec, skip_reason
from shared.contracts.directory import Provider, fold_directory, from_history
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events import providers as pe
from shared.contracts.events.matching import SkipReason
from shared.platforms.loader import load_policies

POLICY = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")["limoges"]
PID = "prv-agrement"
ISSUED, EXPIRES = date(2026, 1, 10), date(2026, 7, 1)
AT = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def history() -> list[Envelope[pe.ProviderEvent]]:
    steps = [
        pe.ProviderApplied(provider_id=PID, name="Aide Limoges", kind="association", siret="00000001800010",
                           activities=["elderly_care"], communes=["87085"]),
        pe.ProviderAdmitted(provider_id=PID, committee_on=date(2025, 12, 2), members=[{"body": "ccas", "label": "CCAS"}],
                            charter_signed_at=AT),
        pe.AccreditationRecorded(provider_id=PID, number="A-1", issued_on=ISSUED, expires_on=EXPIRES,
                                 publics=["elderly"]),
    ]
    return [new_envelope(step, platform_id="limoges", aggregate_id=PID, aggregate_version=version, actor="operator:co",
                         occurred_at=AT + timedelta(days=version)) for version, step in enumerate(steps, 1)]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=POLICY.zone).astimezone(UTC)


def matching_serves_elderly(provider: Provider, at: datetime) -> bool:
    request = RequestSpec("req-1", "limoges", "elderly_care", "87085", "agglo", frozenset({"elderly"}), (), at,
                          timezone=POLICY.timezone)
    reason = skip_reason(provider, request)
    assert reason in (None, SkipReason.AGREMENT_EXPIRED)
    return reason is None


def exports_serve_elderly(provider: Provider, at: datetime) -> bool:
    (service,) = hsds_tables({PID: provider}, {"limoges": POLICY}, at)["service"]
    (_, services) = inclusion_records({PID: provider}, {"limoges": POLICY}, at)
    in_hsds = "personne âgée" in service["eligibility_description"]
    assert in_hsds == all(Public.SENIORS in (record.publics or []) for record in services)
    return in_hsds


def test_matching_and_the_exports_fold_the_same_provider() -> None:
    folded = fold_directory(history())[PID]

    assert from_history(PID, history()) == folded
    assert provider_from_document(provider_document(folded)) == folded


@pytest.mark.parametrize(("moment", "in_force"), [
    (local_midnight(ISSUED) - timedelta(minutes=1), False),
    (local_midnight(ISSUED), True),
    (local_midnight(EXPIRES) - timedelta(minutes=1), True),
    (local_midnight(EXPIRES), False),
])
def test_an_agrement_starts_and_ends_at_local_midnight_for_both(moment: datetime, in_force: bool) -> None:
    provider = fold_directory(history())[PID]

    assert matching_serves_elderly(provider, moment) is in_force
    assert exports_serve_elderly(provider, moment) is in_force


def test_a_renewal_recorded_before_its_start_leaves_the_current_agrement_in_force() -> None:
    renewal = pe.AccreditationRecorded(provider_id=PID, number="A-2", issued_on=EXPIRES, expires_on=date(2031, 7, 1),
                                       publics=["elderly", "disabled"])
    events = [*history(), new_envelope(renewal, platform_id="limoges", aggregate_id=PID, aggregate_version=4,
                                       actor="operator:co", occurred_at=AT + timedelta(days=30))]
    provider = fold_directory(events)[PID]

    assert provider.publics_on(EXPIRES - timedelta(days=1)) == {"elderly"}
    assert provider.publics_on(EXPIRES) == {"elderly", "disabled"}
    assert provider.accreditation is not None and provider.accreditation.number == "A-2"
    for moment in (local_midnight(EXPIRES) - timedelta(minutes=1), local_midnight(EXPIRES)):
        assert matching_serves_elderly(provider, moment) and exports_serve_elderly(provider, moment)
