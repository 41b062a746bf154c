"""The provider directory folded from provider events, and its HSDS 3.0 / data·inclusion mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from relais.export.hsds import hsds_tables, stable_id
from relais.export.inclusion import as_json, inclusion_records
from shared.contracts.directory import fold_directory
from shared.contracts.envelope import new_envelope
from shared.contracts.events import providers as pe
from tests.unit.analytics.demo_directory import POLICIES

AT = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
WINTER = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def history(provider_id: str, *events: pe.ProviderEvent, platform: str = "limoges") -> list:
    return [new_envelope(event, platform_id=platform, aggregate_id=provider_id, aggregate_version=n, actor="operator:co",
                         occurred_at=AT + timedelta(days=n)) for n, event in enumerate(events, 1)]


def suspended_provider() -> dict:
    pid = "prv-x"
    return fold_directory(history(
        pid,
        pe.ProviderApplied(provider_id=pid, name="Aide X", kind="association", siret="00000001800010",
                           activities=["elderly_care"], communes=["87085"]),
        pe.ProviderAdmitted(provider_id=pid, committee_on=date(2024, 1, 12), members=[{"body": "ccas", "label": "CCAS"}],
                            charter_signed_at=AT),
        pe.AccreditationRecorded(provider_id=pid, number="A-1", issued_on=date(2024, 1, 1), expires_on=date(2029, 1, 1),
                                 publics=["elderly"]),
        pe.ProviderCommunesChanged(provider_id=pid, communes=["87085", "87114", "BE57081"]),
        pe.ProviderAvailabilityChanged(provider_id=pid, weekly=[{"weekday": "monday", "starts": "08:30", "ends": "12:00"}]),
        pe.ProviderSuspended(provider_id=pid, reason="assurance", since=date(2024, 2, 1)),
    ))


def test_fold_follows_the_provider_lifecycle_and_keeps_the_last_lists() -> None:
    entry = suspended_provider()["prv-x"]

    assert (entry.status, entry.admitted_on, entry.communes) == ("suspended", date(2024, 1, 12),
                                                                 {"87085", "87114", "BE57081"})
    assert entry.publics_on(date(2025, 1, 1)) == {"elderly"} and entry.publics_on(date(2030, 1, 1)) == set()


def test_hsds_rows_have_no_null_and_communes_are_geojson_service_areas() -> None:
    tables = hsds_tables(suspended_provider(), {"limoges": POLICIES["limoges"]}, WINTER)

    (service,) = tables["service"]
    assert service["status"] == "temporarily closed"
    assert service["accreditations"] == ("Agrément qualité n° A-1 (personne âgée), valable du 01/01/2024 au "
                                         "01/01/2029")
    assert "personne âgée" in service["eligibility_description"]
    assert all(value is not None for rows in tables.values() for row in rows for value in row.values())
    assert all(row["description"] for row in tables["organization"] + tables["taxonomy_term"])
    areas = {row["name"]: row for row in tables["service_area"]}
    assert set(areas) == {"Limoges (INSEE 87085)", "Panazol (INSEE 87114)"}
    assert {row["extent_type"] for row in areas.values()} == {"geojson"}
    assert areas["Limoges (INSEE 87085)"]["extent"].startswith('{"type":"Point","coordinates":[1.2')
    assert {row["location_id"] for row in tables["service_at_location"]} == {
        stable_id("commune", "limoges", "87085"), stable_id("commune", "limoges", "87114")}
    assert tables["organization_identifier"][0]["identifier"] == "00000001800010"
    assert tables["attribute"][0]["taxonomy_term_id"] in {term["id"] for term in tables["taxonomy_term"]}


def test_schedule_times_carry_the_platform_offset_of_the_export_day() -> None:
    winter = hsds_tables(suspended_provider(), POLICIES, WINTER)["schedule"]
    summer = hsds_tables(suspended_provider(), POLICIES, WINTER.replace(month=7))["schedule"]

    assert (winter[0]["opens_at"], winter[0]["closes_at"], winter[0]["timezone"]) == ("08:30+01:00", "12:00+01:00", 1.0)
    assert (summer[0]["opens_at"], summer[0]["timezone"]) == ("08:30+02:00", 2.0)
    assert winter[0]["byday"] == "MO" and "Europe/Paris" in winter[0]["description"]


def test_data_inclusion_services_are_the_packages_models() -> None:
    structures, services = inclusion_records(suspended_provider(), POLICIES, WINTER)

    (service,) = [as_json(record) for record in services]
    assert as_json(structures[0])["siret"] == "00000001800010"
    assert service["publics"] == ["seniors"] and service["frais"] == "payant"
    assert service["zone_eligibilite"] == ["87085", "87114"]
    assert service["thematiques"] == ["famille--prise-en-charge-personne-dependante"]
    assert service["modes_mobilisation"] == ["telephoner"] and service["date_maj"] == "2024-01-16"


def test_applicants_and_rejected_providers_are_not_in_the_directory() -> None:
    pid = "prv-y"
    entries = fold_directory(history(pid, pe.ProviderApplied(provider_id=pid, name="Y", kind="artisan",
                                                             activities=["gardening"], communes=["87085"])))

    tables = hsds_tables(entries, POLICIES, WINTER)

    assert tables["service"] == [] and len(tables["organization"]) == len(POLICIES)
    assert inclusion_records(entries, POLICIES, WINTER) == ([], [])
