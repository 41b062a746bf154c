"""The provider directory folded from provider events, and its HSDS 3.0 / data-inclusion mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from shared.analytics.directory import fold_directory
from shared.analytics.hsds import hsds_tables, stable_id
from shared.contracts.envelope import new_envelope
from shared.contracts.events import providers as pe
from shared.platforms.loader import load_policies

POLICIES = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")
AT = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)


def history(provider_id: str, *events: pe.ProviderEvent, platform: str = "limoges") -> list:
    return [new_envelope(event, platform_id=platform, aggregate_id=provider_id, aggregate_version=n, actor="operator:co",
                         occurred_at=AT + timedelta(days=n)) for n, event in enumerate(events, 1)]


def test_fold_follows_the_provider_lifecycle_and_keeps_the_last_lists() -> None:
    pid = "prv-x"
    entries = fold_directory(history(
        pid,
        pe.ProviderApplied(provider_id=pid, name="Aide X", kind="association", siret="00000001800010",
                           activities=["elderly_care"], communes=["87085"]),
        pe.ProviderAdmitted(provider_id=pid, committee_on=date(2024, 1, 12), members=[{"body": "ccas", "label": "CCAS"}],
                            charter_signed_at=AT),
        pe.AccreditationRecorded(provider_id=pid, number="A-1", issued_on=date(2024, 1, 1), expires_on=date(2029, 1, 1),
                                 publics=["elderly"]),
        pe.ProviderCommunesChanged(provider_id=pid, communes=["87085", "87114", "BE57081"]),
        pe.ProviderSuspended(provider_id=pid, reason="assurance", since=date(2024, 2, 1)),
    ))

    entry = entries[pid]
    assert (entry.status, entry.admitted_on, entry.communes) == ("suspended", date(2024, 1, 12), ["87085", "87114", "BE57081"])
    assert entry.publics_on(date(2025, 1, 1)) == ["elderly"] and entry.publics_on(date(2030, 1, 1)) == []

    tables = hsds_tables(entries, {"limoges": POLICIES["limoges"]}, today=date(2025, 1, 1))
    (service,) = tables["service"]
    assert service["status"] == "temporarily closed" and service["publics"] == ["seniors"]
    assert service["zone_eligibilite"] == ["87085", "87114"]
    assert service["thematiques"] == ["famille--prise-en-charge-personne-dependante"]
    assert {row["location_id"] for row in tables["service_at_location"]} == {
        stable_id("commune", "limoges", "87085"), stable_id("commune", "limoges", "87114")}
    assert tables["organization_identifier"][0]["identifier"] == "00000001800010"
    term_ids = {term["id"] for term in tables["taxonomy_term"]}
    assert tables["attribute"][0]["taxonomy_term_id"] in term_ids


def test_applicants_and_rejected_providers_are_not_in_the_directory() -> None:
    pid = "prv-y"
    entries = fold_directory(history(pid, pe.ProviderApplied(provider_id=pid, name="Y", kind="artisan",
                                                             activities=["gardening"], communes=["87085"])))

    tables = hsds_tables(entries, POLICIES, today=date(2025, 1, 1))

    assert tables["service"] == [] and len(tables["organization"]) == len(POLICIES)
