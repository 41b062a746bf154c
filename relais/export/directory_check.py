"""``relais export-directory --check``: the written directory validated against the official schemas.

- HSDS 3.0: every row of every table file (JSON or CSV, read back as written, CSV cells typed by the
  ``datapackage.json``) against the table's JSON schema from Open Referral's ``schema/`` folder
  (``organization.json``, ``service.json``...), formats (uuid, uri, date-time) included. Open Referral
  publishes those files (openreferral/specification, tag v3.0); Relais does not ship them: give their
  folder (``--hsds-schemas`` or ``RELAIS_HSDS_SCHEMAS``).
- The data package: every resource file exists and its CSV header is the resource's fields.
- data·inclusion v1: every structure and service through the ``data-inclusion-schema`` package's models.

Each problem is one French sentence naming the file, the row and the field.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson
from data_inclusion.schema.v1 import Service, Structure
from pydantic import ValidationError

from relais.export.directory import DATAPACKAGE, INCLUSION
from shared.validation import field_errors

SCHEMAS_ENV = "RELAIS_HSDS_SCHEMAS"
MAX_PROBLEMS_PER_FILE = 20
TYPES = {"string": "un texte", "number": "un nombre", "integer": "un nombre entier", "array": "une liste",
         "object": "un objet", "boolean": "vrai ou faux", "null": "vide"}


@dataclass
class DirectoryCheck:
    """What ``--check`` found: rows read per file and the problems (none when the export validates)."""

    rows: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def schemas_folder(given: Path | None = None) -> Path | None:
    """The folder of the HSDS 3.0 JSON schemas: ``given``, else ``RELAIS_HSDS_SCHEMAS``; None if neither is set."""
    if given is not None:
        return given
    configured = os.environ.get(SCHEMAS_ENV)
    return Path(configured) if configured else None


def check_directory(out: Path, hsds_schemas: Path) -> DirectoryCheck:
    """Validate the directory written in ``out``."""
    if not (hsds_schemas / "service.json").is_file():
        raise FileNotFoundError(f"aucun schéma HSDS 3.0 dans {hsds_schemas} (service.json, organization.json... "
                                f"du dossier schema/ d'Open Referral attendus)")
    check = DirectoryCheck()
    package = orjson.loads((out / DATAPACKAGE).read_bytes())
    for resource in package["resources"]:
        path = out / resource["path"]
        if not path.is_file():
            check.problems.append(f"{resource['path']} : fichier annoncé dans {DATAPACKAGE} mais absent")
            continue
        validator = _validator(hsds_schemas, resource["name"])
        rows = list(_rows(path, resource, check))
        check.rows[resource["path"]] = len(rows)
        found = [f"{resource['path']}, ligne {number} : {problem}" for number, row in enumerate(rows, 1)
                 for problem in _hsds_problems(validator, row)]
        check.problems += _capped(found, resource["path"])
    for name, model in (("structures", Structure), ("services", Service)):
        relative = f"{INCLUSION}/{name}.json"
        records = orjson.loads((out / relative).read_bytes())
        check.rows[relative] = len(records)
        found = []
        for number, record in enumerate(records, 1):
            try:
                model.model_validate(record)
            except ValidationError as error:
                found += [f"{relative}, ligne {number}, {item['field']} : {item['message']}"
                          for item in field_errors(error.errors())]
        check.problems += _capped(found, relative)
    return check


def _validator(folder: Path, table: str) -> Any:
    schema = orjson.loads((folder / f"{table}.json").read_bytes())
    return jsonschema_rs.validator_for(schema, validate_formats=True, base_uri=(folder / f"{table}.json").as_uri(),
                                       retriever=partial(_retrieve, folder))


def _retrieve(folder: Path, uri: str) -> Any:
    """A schema another one refers to (``"$ref": "phone.json"``), from the same folder."""
    return orjson.loads((folder / uri.rsplit("/", 1)[-1]).read_bytes())


def _rows(path: Path, resource: dict[str, Any], check: DirectoryCheck) -> Iterator[dict[str, Any]]:
    if resource["format"] == "json":
        yield from orjson.loads(path.read_bytes())
        return
    fields = {item["name"]: item["type"] for item in resource["schema"]["fields"]}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if list(reader.fieldnames or []) != list(fields):
            check.problems.append(f"{resource['path']} : les colonnes ne sont pas celles de {DATAPACKAGE} "
                                  f"({', '.join(fields)})")
        for row in reader:
            yield {name: _typed(value, fields.get(name, "string")) for name, value in row.items() if value != ""}


def _typed(value: str, kind: str) -> Any:
    try:
        return float(value) if kind == "number" else int(value) if kind == "integer" else value
    except ValueError:
        return value


def _hsds_problems(validator: Any, row: dict[str, Any]) -> Iterator[str]:
    for error in validator.iter_errors(row):
        where = ".".join(str(part) for part in error.instance_path)
        yield f"champ {where} : {_french(error)}" if where else _french(error)


def _french(error: Any) -> str:
    """The schema error in French, without quoting the refused value."""
    kind, details = type(error.kind).__name__, error.kind.as_dict()
    if kind == "Required":
        return f"champ obligatoire {details['property']} absent"
    if kind == "Type":
        return "doit être " + " ou ".join(TYPES.get(name, name) for name in details["types"])
    if kind == "Enum":
        return "doit valoir l'une des valeurs " + ", ".join(str(option) for option in details["options"])
    if kind == "Format":
        return f"n'est pas au format {details['format']}"
    if kind == "AdditionalProperties":
        return "champ inconnu de HSDS 3.0"
    return f"non conforme au schéma HSDS 3.0 (règle {kind})"


def _capped(problems: list[str], name: str) -> list[str]:
    if len(problems) <= MAX_PROBLEMS_PER_FILE:
        return problems
    return [*problems[:MAX_PROBLEMS_PER_FILE], f"{name} : {len(problems) - MAX_PROBLEMS_PER_FILE} autres problèmes"]
