"""What the commands reading the services' stores share: their options, and short errors (exit 2) naming
the setting to fix when a store or the platform policies are not where the settings say."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from relais.cli.console import console
from shared.settings import SERVICES, Settings, load_settings

Service = enum.Enum("Service", {name: name for name in SERVICES}, type=str)  # type: ignore[misc]
ServiceOption = Annotated[Service | None, typer.Option("--service", help="Only this service.")]
DataDirOption = Annotated[Path | None, typer.Option(
    "--data-dir", help="Folder of the services' SQLite stores (default: RELAIS_DATA_DIR, else ./data); "
                       "`relais demo` prints its own.")]


def chosen(service: Service | None) -> list[str]:
    """The services named by a ``--service`` option: that one, or all of them."""
    return [service.value] if service is not None else list(SERVICES)


def settings_for(data_dir: Path | None) -> Settings:
    """The settings, with ``--data-dir`` over RELAIS_DATA_DIR when given."""
    return load_settings(data_dir=data_dir) if data_dir is not None else load_settings()


def missing_stores(settings: Settings, services: list[str], *, vault: bool = False) -> dict[str, Path]:
    """The stores among ``services`` (and the resident key vault, with ``vault``) whose SQLite file does
    not exist, with the path looked at."""
    from sqlalchemy.engine import make_url

    from shared.storage.engine import store_exists

    urls = {service: settings.service_database_url(service) for service in services}
    if vault:
        urls["vault"] = settings.vault_database_url()
    return {name: Path(make_url(url).database or "").resolve() for name, url in urls.items() if not store_exists(url)}


def require_stores(settings: Settings, services: list[str], *, every: bool = False, vault: bool = False) -> list[str]:
    """The services of ``services`` that have a store; exit 2 with the paths looked at and the setting to
    fix if none has (or, with ``every``, if one has not; ``vault`` adds the key vault, always needed).
    A missing store among others is noted."""
    missing = missing_stores(settings, services, vault=vault)
    if missing and (every or "vault" in missing or len(missing) == len(services)):
        where = escape(", ".join(str(path) for path in missing.values()))
        console.print(f"[bold red]error:[/] no event store at {where}. The stores are looked for in "
                      f"RELAIS_DATA_DIR (here {escape(str(settings.data_dir.resolve()))}): set it or give --data-dir, "
                      "e.g. the folder `relais demo` printed (or RELAIS_DATABASE_URL / RELAIS_VAULT_URL for PostgreSQL).",
                      soft_wrap=True)
        raise typer.Exit(2)
    for service, path in missing.items():
        console.print(f"[dim]{service}: no store at {escape(str(path))}, left out[/]", soft_wrap=True)
    return [service for service in services if service not in missing]


def require_policies(settings: Settings) -> dict[str, Any]:
    """The platform policies, or exit 2 naming RELAIS_PLATFORMS_DIR when they cannot be loaded."""
    from shared.platforms.loader import PolicyError, load_policies

    try:
        return load_policies(settings.platforms_dir)
    except PolicyError as error:
        problems = escape("; ".join(error.problems))
        console.print(f"[bold red]error:[/] {problems} (RELAIS_PLATFORMS_DIR, here "
                      f"{escape(str(settings.platforms_dir.resolve()))}: set it to the deployment's deploy/platforms folder)",
                      soft_wrap=True)
        raise typer.Exit(2) from None
