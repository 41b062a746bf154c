"""``export-directory --check``: the demo directory validates against HSDS 3.0 and data·inclusion, and the
check names every problem it finds, in French."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from relais.export.directory import write_directory
from relais.export.directory_check import check_directory
from tests.unit.analytics.demo_directory import AT, POLICIES, demo_directory, hsds_schemas


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_demo_directory_validates_against_the_official_schemas(tmp_path: Path, fmt: str) -> None:
    schemas = hsds_schemas()
    counts = write_directory(tmp_path, demo_directory(), POLICIES, fmt, AT)

    check = check_directory(tmp_path, schemas)

    assert check.problems == []
    assert check.rows == counts and counts[f"services.{fmt}"] > 100 and counts["data-inclusion/services.json"] > 100


def test_the_tabular_form_has_hsds_table_names_and_a_data_package(tmp_path: Path) -> None:
    write_directory(tmp_path, demo_directory(), POLICIES, "csv", AT)

    package = orjson.loads((tmp_path / "datapackage.json").read_bytes())
    paths = {resource["name"]: resource["path"] for resource in package["resources"]}
    assert paths["organization"] == "organizations.csv" and paths["service_area"] == "service_areas.csv"
    for resource in package["resources"]:
        with (tmp_path / resource["path"]).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == [field["name"] for field in resource["schema"]["fields"]]


def test_the_check_names_each_problem_in_french(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    strict = {"type": "object", "required": ["id", "name", "description"],
              "properties": {"id": {"type": "string", "format": "uuid"}, "extent_type": {"enum": ["geojson", "text"]}}}
    for table in ("organization", "organization_identifier", "taxonomy_term", "service", "attribute", "location",
                  "service_area", "service_at_location", "schedule"):
        (schemas / f"{table}.json").write_bytes(orjson.dumps(strict))
    out = tmp_path / "out"
    write_directory(out, demo_directory(), POLICIES, "json", AT)
    services = orjson.loads((out / "data-inclusion" / "services.json").read_bytes())
    services[0]["frais"] = "gratuit-ou-presque"
    (out / "data-inclusion" / "services.json").write_bytes(orjson.dumps(services))
    areas = orjson.loads((out / "service_areas.json").read_bytes())
    areas[0]["extent_type"] = "commune"
    (out / "service_areas.json").write_bytes(orjson.dumps(areas))

    problems = check_directory(out, schemas).problems

    assert "service_areas.json, ligne 1 : champ extent_type : doit valoir l'une des valeurs geojson, text" in problems
    assert "service_areas.json, ligne 1 : champ obligatoire description absent" not in problems
    assert any(p.startswith("service_at_location.json, ligne 1 : champ obligatoire name absent") for p in problems)
    assert any(p.startswith("data-inclusion/services.json, ligne 1, frais : ") for p in problems)
    assert any(p.endswith("autres problèmes") for p in problems)  # capped per file
