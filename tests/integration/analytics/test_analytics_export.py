"""``relais export``: opens in DuckDB, holds no personal data; ``export-directory``: HSDS 3.0 and data·inclusion."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import orjson
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from relais.cli.main import app
from relais.stores import Stores, stored_events
from shared.privacy.sealing import pseudonymise
from tests.integration.analytics.federation import Federation, environment
from tests.unit.analytics.demo_directory import hsds_schemas

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]
PARIS = ZoneInfo("Europe/Paris")
SALT = "test-salt-of-the-export"


async def stored_counts(federation: Federation) -> Counter[str]:
    counts: Counter[str] = Counter()
    async with Stores(federation.settings) as stores:
        for service, engine in stores.engines.items():
            async for stored in stored_events(engine, service):
                counts[stored.envelope.event_type] += 1
    return counts


def personal_data(federation: Federation) -> list[str]:
    """Everything that identifies a demo resident: names, phones (as written and as digits), emails, addresses, ids."""
    found = []
    for resident in federation.residents:
        phone = resident["phone"]
        found += [resident["name"], phone, re.sub(r"\D", "", phone), resident["email"], resident["address"],
                  resident["resident_id"]]
    return found


async def run_export(federation: Federation, out: Path) -> None:
    """The CLI in a thread of its own (it runs its own event loop)."""
    result = await asyncio.to_thread(CliRunner().invoke, app, ["export", "--out", str(out)],
                                     env={**environment(federation.settings), "RELAIS_EXPORT_SALT": SALT})
    assert result.exit_code == 0, result.output


async def test_the_export_opens_in_duckdb_with_every_event_counted_by_type(federation: Federation, tmp_path: Path) -> None:
    out = tmp_path / "export"
    await run_export(federation, out)

    per_type = dict(duckdb.sql(f"SELECT event_type, count(*) FROM '{out}/parquet/events.parquet' GROUP BY 1").fetchall())
    from_csv = dict(duckdb.sql(f"SELECT event_type, count(*) FROM read_csv_auto('{out}/csv/events.csv') GROUP BY 1")
                    .fetchall())
    logged = duckdb.sql(f"SELECT count(*), count(DISTINCT resident_id) FROM "
                        f"'{out}/parquet/event_types/RequestLogged.parquet'").fetchall()[0]
    timeline = duckdb.sql(f"SELECT count(*) FROM '{out}/parquet/projections/intake.timeline.parquet'").fetchall()[0]

    assert per_type == from_csv == dict(await stored_counts(federation))
    assert logged is not None and logged[0] == len(federation.requests) and 1 <= logged[1] <= logged[0]
    assert timeline is not None and timeline[0] > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tables"]["events"] == sum(per_type.values())


async def test_duckdb_reads_list_columns_as_lists_and_local_dates(federation: Federation, tmp_path: Path) -> None:
    out = tmp_path / "export"
    await run_export(federation, out)
    types = f"{out}/parquet/event_types"

    assigned = duckdb.sql(f"SELECT typeof(candidates), typeof(skipped), len(candidates), candidates[1], "
                          f"occurred_at, occurred_local_date FROM '{types}/ProviderAssigned.parquet' LIMIT 1").fetchall()
    publics = duckdb.sql(f"SELECT typeof(fragile_publics), count(*), count(*) FILTER (WHERE len(fragile_publics) > 0) "
                         f"FROM '{types}/RequestLogged.parquet' GROUP BY 1").fetchall()
    mismatched = duckdb.sql(f"SELECT count(*) FROM '{out}/parquet/events.parquet' WHERE occurred_local_date <> "
                            f"CAST(timezone('Europe/Paris', occurred_at) AS DATE)").fetchall()

    (candidates_type, skipped_type, length, first, occurred_at, local_day), = assigned
    assert candidates_type == "VARCHAR[]" and skipped_type.startswith("STRUCT(provider_id VARCHAR, reason VARCHAR)[]")
    assert length == 1 and first.startswith("prv-lim") and local_day == occurred_at.astimezone(PARIS).date()
    assert publics == [("VARCHAR[]", len(federation.requests), publics[0][2])] and publics[0][2] > 0
    assert mismatched == [(0,)]
    logged_csv = (out / "csv" / "event_types" / "RequestLogged.csv").read_text(encoding="utf-8")
    assert '"[""' in logged_csv or '"[]"' in logged_csv  # lists as JSON text in CSV


async def test_the_export_holds_no_personal_data(federation: Federation, tmp_path: Path) -> None:
    out = tmp_path / "export"
    await run_export(federation, out)
    forbidden = personal_data(federation)

    files = [path for path in out.rglob("*") if path.is_file()]
    for path in files:
        raw = path.read_bytes()
        text = raw.decode("utf-8", "replace")
        cells = text if path.suffix != ".parquet" else orjson.dumps(pq.read_table(path).to_pylist(), default=str).decode()
        for secret in forbidden:
            assert secret.encode() not in raw and secret not in cells, f"{secret!r} found in {path}"
    columns = pq.read_table(out / "parquet" / "event_types" / "RequestLogged.parquet").column_names
    assert "contact" not in columns and "resident_id" in columns
    residents = set(pq.read_table(out / "parquet" / "event_types" / "RequestLogged.parquet")["resident_id"].to_pylist())
    assert pseudonymise("res-lim-01", SALT) in residents


def test_the_export_needs_a_salt(federation: Federation, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--out", str(tmp_path / "x")], env=environment(federation.settings))

    assert result.exit_code == 2 and "RELAIS_EXPORT_SALT" in result.output


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_directory_exports_as_hsds_and_data_inclusion(federation: Federation, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "hsds"
    result = CliRunner().invoke(app, ["export-directory", "--out", str(out), "--format", fmt],
                                env=environment(federation.settings))

    assert result.exit_code == 0, result.output
    for table in ("organizations", "services", "locations", "service_at_location", "taxonomy_terms", "service_areas"):
        assert (out / f"{table}.{fmt}").exists()
    assert (out / "datapackage.json").exists()
    services = json.loads((out / "data-inclusion" / "services.json").read_text())
    elderly = next(s for s in services if s["nom"] == "Aide à domicile aux personnes âgées")
    assert elderly["frais"] == "payant" and "87085" in elderly["zone_eligibilite"] and elderly["date_maj"]
    assert "famille--prise-en-charge-personne-dependante" in elderly["thematiques"]
    if fmt == "csv":
        return
    hsds = {row["id"]: row for row in json.loads((out / "services.json").read_text())}
    organizations = {row["id"]: row for row in json.loads((out / "organizations.json").read_text())}
    identifiers = json.loads((out / "organization_identifiers.json").read_text())
    assert {row["status"] for row in hsds.values()} <= {"active", "temporarily closed", "defunct"}
    assert all(organizations[row["organization_id"]]["parent_organization_id"] in organizations for row in hsds.values())
    assert all(re.fullmatch(r"[0-9]{14}", row["identifier"]) for row in identifiers if row["identifier_type"] == "SIRET")


def test_export_directory_check_validates_what_it_wrote(federation: Federation, tmp_path: Path) -> None:
    schemas = hsds_schemas()
    result = CliRunner().invoke(app, ["export-directory", "--out", str(tmp_path / "hsds"), "--format", "csv", "--check",
                                      "--hsds-schemas", str(schemas)], env=environment(federation.settings))

    assert result.exit_code == 0, result.output
    assert "conforme" in result.output and "problème" not in result.output


def test_export_directory_check_needs_the_hsds_schemas(federation: Federation, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export-directory", "--out", str(tmp_path / "hsds"), "--check"],
                                env={**environment(federation.settings), "RELAIS_HSDS_SCHEMAS": ""})

    assert result.exit_code == 2 and "--hsds-schemas" in result.output
    assert not (tmp_path / "hsds").exists()


def test_the_observatory_exports_with_small_counts_hidden(federation: Federation, tmp_path: Path) -> None:
    out = tmp_path / "observatoire"
    lowered = CliRunner().invoke(app, ["export-observatory", "--out", str(out), "--threshold", "3"],
                                 env=environment(federation.settings))
    assert lowered.exit_code == 2 and "ne peut que le relever" in lowered.output  # the policies say 5
    assert not out.exists()
    result = CliRunner().invoke(app, ["export-observatory", "--out", str(out)], env=environment(federation.settings))

    assert result.exit_code == 0, result.output
    rows = json.loads((out / "observatoire.json").read_text())
    details = [row for row in rows if row["niveau"] == "motif"]
    assert {row["mois"] for row in rows if row["niveau"] == "mois"} == {"2026-03", "2026-04"}
    assert all(row["effectif"] is None and row["effectif_publie"] == "< 5" for row in rows)  # 1 or 2 a month
    assert {row["seuil_secret"] for row in rows} == {5}
    assert {row["motif"] for row in details} <= {"aucun prestataire ne propose cette activité dans cette commune"}
    assert (out / "observatoire.csv").read_text(encoding="utf-8").startswith("plateforme,plateforme_nom,mois,niveau")
    assert "observatoire écrit" in result.output
