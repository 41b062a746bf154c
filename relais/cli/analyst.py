"""Analysts' commands of ``relais``: ``replay``, ``history``, ``export``, ``export-directory`` and
``export-observatory``."""

from __future__ import annotations

import asyncio
import enum
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from relais.cli.console import broker_errors, console, print_table
from relais.cli.stores import DataDirOption, ServiceOption, chosen, require_policies, require_stores, settings_for

# relais.export.directory.DIRECTORY_FORMATS, not imported here (the command line starts faster)
DirectoryFormat = enum.Enum("DirectoryFormat", {name: name for name in ("json", "csv")}, type=str)  # type: ignore[misc]


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def replay(
    projection: Annotated[str, typer.Argument(help="A projection (e.g. intake.console) or 'all'.")] = "all",
    until: Annotated[datetime | None, typer.Option(help="Rebuild as of this date (events' own occurred-at, UTC); "
                                                         "no comparison then, only row counts.")] = None,
    service: ServiceOption = None,
    into: Annotated[str | None, typer.Option(help="Database URL to rebuild into ('{service}' is replaced); "
                                                  "default: a temporary SQLite file.")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Worker processes sharing the rebuild out by partition (each "
                                                  "reads only its partitions; the parts are merged).")] = 1,
    data_dir: DataDirOption = None,
) -> None:
    """Rebuild projections from offset 0 into a fresh database and compare them with the live ones.

    Each projection is rebuilt from the events its live side had applied when the replay began (its
    consumer's checkpoints, or for billing's ledger the events of billing's store), so the comparison
    holds while the services run."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from relais.replay.replay import replay as run_replay
    from relais.services import UnknownProjection, described_services, select_projections

    settings = settings_for(data_dir)
    platforms = frozenset(require_policies(settings))
    try:
        selection = select_projections(described_services(), projection, service.value if service else None)
    except UnknownProjection as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(2) from None
    if until is None:  # the rebuild is compared with the live projections, in the services' stores
        require_stores(settings, list(dict.fromkeys(models.service for models, _ in selection)), every=True)
    names = ", ".join(spec.name for _, spec in selection)
    if len(selection) > 1:
        console.print(f"replaying {names}")
    label = f"replaying {names}" if len(selection) == 1 else f"replaying {len(selection)} projections"
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>10} events/s"), TimeRemainingColumn())
    with broker_errors(settings.kafka_bootstrap_servers), Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None, rate="-")

        def progress(done: int, total: int) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{done / elapsed:,.0f}" if elapsed else "-"
            bar.update(task, completed=done, total=max(total, done), rate=rate)

        reports = asyncio.run(run_replay(selection, settings, into=into, until=None if until is None else _as_utc(until),
                                         progress=progress, platforms=platforms, jobs=jobs))
    failed = False
    for report in reports:
        head = f"[bold]{report.name}[/] ({report.service}): {report.processed:,} events processed"
        if report.dead_letters:
            head += f", {report.dead_letters} dead letters"
        if until is not None:
            counts = ", ".join(f"{name} {checksum.rows:,} rows" for name, checksum in report.rebuilt.items())
            console.print(f"{head} as of {_as_utc(until).isoformat()}: {counts}", soft_wrap=True)
        elif report.identical:
            console.print(f"{head} — [green]identical[/] to the live projection{_behind(report.live_behind)}", soft_wrap=True)
        else:
            failed = True
            differing = ", ".join(f"{name} (live {report.live[name].rows:,} rows, rebuilt {report.rebuilt[name].rows:,})"
                                  for name in report.differing)
            unpublished = (f" ({report.live_unpublished:,} events of the live store were not on the bus yet)"
                           if report.live_unpublished else "")
            console.print(f"{head} — [bold red]different[/]: {differing}{_behind(report.live_behind)}{unpublished}", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


def _behind(records: int) -> str:
    """The note on records the live projection had not read yet when the replay compared with it."""
    if not records:
        return ""
    return f" ({records:,} newer records on the bus left out: the live side had not applied them yet)"


def history(
    request_id: Annotated[str, typer.Argument(help="The request id, e.g. req-01jd...")],
    service: ServiceOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A request's whole story, event by event, from every service's store (no personal data)."""
    from rich.markup import escape
    from rich.table import Table

    from relais.history import request_history

    settings = settings_for(data_dir)
    services = require_stores(settings, chosen(service))
    lines = asyncio.run(request_history(settings, request_id, services))
    if not lines:
        console.print(f"no event found for {escape(request_id)} in the stores of {', '.join(services)} "
                      f"({escape(str(settings.data_dir.resolve()))})", soft_wrap=True)
        raise typer.Exit(1)
    table = Table("occurred at (UTC)", "service", "event", "actor", "details", title=f"{request_id} ({lines[0].platform_id})")
    for line in lines:
        table.add_row(f"{line.occurred_at:%Y-%m-%d %H:%M:%S}", line.service, line.event_type, escape(line.actor),
                      escape(line.details))
    print_table(table)


def export(
    out: Annotated[Path, typer.Option(help="Folder to write into (created).")],
    format: Annotated[str, typer.Option("--format", help="Comma-separated formats: parquet, csv.")] = "parquet,csv",
    salt: Annotated[str | None, typer.Option(envvar="RELAIS_EXPORT_SALT", show_envvar=True,
                                             help="Secret salt of the resident pseudonyms.")] = None,
    service: ServiceOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """The event history and the projections as Parquet and CSV, pseudonymised, without personal data (event
    times in UTC with the platform's local date; list fields as Parquet lists)."""
    from relais.export.dataset import export as run_export
    from relais.export.sinks import FORMATS

    if not salt:
        console.print("[bold red]error:[/] set RELAIS_EXPORT_SALT (or --salt): resident ids are pseudonymised with it")
        raise typer.Exit(2)
    formats = [part.strip() for part in format.split(",") if part.strip()]
    if not formats or set(formats) - set(FORMATS):
        raise typer.BadParameter(f"{format!r}: comma-separated among {', '.join(FORMATS)}", param_hint="--format")
    settings = settings_for(data_dir)
    services = require_stores(settings, chosen(service))
    policies = require_policies(settings)
    report = asyncio.run(run_export(settings, out, salt=salt, formats=formats, services=services, policies=policies))
    for name, rows in sorted(report.tables.items()):
        console.print(f"{name}: {rows:,} rows")
    console.print(f"[green]exported[/] to {out} ({', '.join(report.formats)})")


def export_directory(
    out: Annotated[Path, typer.Option(help="Folder to write into (created).")],
    format: Annotated[DirectoryFormat, typer.Option("--format", help="HSDS tables as JSON, or as CSV (HSDS's tabular "
                                                                     "form).")] = DirectoryFormat.json,  # type: ignore[attr-defined]
    check: Annotated[bool, typer.Option("--check", help="Validate what was written against the HSDS 3.0 JSON schemas "
                                                        "and the data·inclusion schema (exit 1 if anything fails).")] = False,
    hsds_schemas: Annotated[Path | None, typer.Option(
        envvar="RELAIS_HSDS_SCHEMAS", show_envvar=True,
        help="Folder of Open Referral's HSDS 3.0 JSON schemas (schema/ of openreferral/specification, tag v3.0), "
             "for --check.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """The provider directory as open data: Open Referral HSDS 3.0 (with its datapackage.json) and data·inclusion v1."""
    from rich.markup import escape

    from relais.export.directory import DIRECTORY_SERVICE
    from relais.export.directory import export_directory as run_export

    if check and (hsds_schemas is None or not (hsds_schemas / "service.json").is_file()):
        where = f"{hsds_schemas} ne contient pas service.json" if hsds_schemas else "aucun dossier donné"
        console.print(f"[bold red]erreur :[/] --check valide avec les schémas JSON officiels HSDS 3.0 ({where}) : "
                      "donnez le dossier schema/ d'Open Referral (openreferral/specification, version 3.0) avec "
                      "--hsds-schemas DOSSIER ou RELAIS_HSDS_SCHEMAS", soft_wrap=True)
        raise typer.Exit(2)
    settings = settings_for(data_dir)
    policies = require_policies(settings)
    require_stores(settings, [DIRECTORY_SERVICE], every=True)
    counts = asyncio.run(run_export(settings, out, policies, fmt=format.value))
    console.print(", ".join(f"{name} {rows}" for name, rows in counts.items()), soft_wrap=True)
    console.print(f"[green]annuaire écrit[/] dans {out} (HSDS 3.0 et data·inclusion)")
    if not check:
        return
    from relais.export.directory_check import check_directory

    assert hsds_schemas is not None
    result = check_directory(out, hsds_schemas)
    for problem in result.problems:
        console.print(f"[red]•[/] {escape(problem)}", soft_wrap=True)
    if not result.valid:
        console.print(f"[bold red]{len(result.problems)} problème(s)[/] : l'annuaire n'est pas conforme")
        raise typer.Exit(1)
    console.print(f"[green]conforme[/] : {sum(result.rows.values())} lignes valides selon HSDS 3.0 et data·inclusion v1")


def export_observatory(
    out: Annotated[Path, typer.Option(help="Folder to write into (created).")],
    threshold: Annotated[int | None, typer.Option(
        min=3, help="Raise every platform's small-count threshold to this (the policies' small_count_threshold, 5 by "
                    "default; never lower): counts under it are shown as '< N', others hidden where totals would give "
                    "them back.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """The observatory of unmet demand as open data: CSV and JSON by activity x commune x local month and
    reason, small counts hidden, with a Frictionless table schema describing the columns."""
    from relais.export.observatory import OBSERVATORY_SERVICE, thresholds_of
    from relais.export.observatory import export_observatory as run_export

    settings = settings_for(data_dir)
    policies = require_policies(settings)
    require_stores(settings, [OBSERVATORY_SERVICE], every=True)
    try:
        thresholds_of(policies, threshold)
    except ValueError as refused:
        console.print(f"[bold red]erreur :[/] --threshold {threshold} : {refused}", soft_wrap=True)
        raise typer.Exit(2) from None
    report = asyncio.run(run_export(settings, out, policies, threshold=threshold))
    levels = ", ".join(f"{platform} {value}" for platform, value in sorted(report.thresholds.items()))
    console.print(f"{report.unmet} demandes non satisfaites, {report.rows} lignes publiées dont {report.hidden} "
                  f"masquées (secret statistique sous : {levels})", soft_wrap=True)
    console.print(f"[green]observatoire écrit[/] dans {out} (observatoire.csv, observatoire.json, "
                  f"observatoire.schema.json, datapackage.json)", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the analysts' commands to ``app``."""
    app.command()(replay)
    app.command()(history)
    app.command()(export)
    app.command("export-directory")(export_directory)
    app.command("export-observatory")(export_observatory)
