"""``relais erase-resident``: the right to erasure, from the command line (see :mod:`shared.privacy.erasure`)."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated

import typer

from relais.cli.console import console
from relais.cli.stores import DataDirOption, require_stores, settings_for

REQUESTERS = re.compile(r"resident|system:retention|operator:[^\s:]{1,71}")
"""Who may ask for an erasure (``ResidentErased.requested_by``, at most 80 characters)."""


def requester(value: str) -> str:
    """``value`` if it names who may ask for an erasure; ``typer.BadParameter`` otherwise."""
    if not REQUESTERS.fullmatch(value):
        raise typer.BadParameter(f"{value!r}: expected 'resident', 'operator:<id>' or 'system:retention'")
    return value


def erase_resident(
    resident_id: Annotated[str, typer.Argument(help="Pseudonymous id of the resident, e.g. res-01h...")],
    platform: Annotated[str | None, typer.Option("--platform", help="Platform of the resident (checked against "
                                                 "the vault; needed if the vault never knew the resident).")] = None,
    requested_by: Annotated[str, typer.Option(help="Who asked: 'resident', 'operator:<id>' or "
                                              "'system:retention'.", callback=requester)] = "resident",
    data_dir: DataDirOption = None,
) -> None:
    """Erase a resident's personal data everywhere: delete their key from the vault (every sealed copy becomes
    unreadable) and publish ResidentErased for every service. Counts and fees are kept."""
    from relais.services import registered
    from shared.privacy.erasure import erase_resident as erase
    from shared.privacy.errors import UnknownResidentError

    settings = settings_for(data_dir)
    require_stores(settings, ["intake"], every=True, vault=True)
    try:
        report = asyncio.run(erase(settings, resident_id, intake_migrations=registered("intake").migrations,
                                   platform_id=platform, requested_by=requested_by))
    except UnknownResidentError:
        console.print(f"[bold red]error:[/] the vault never knew resident {resident_id!r}: "
                      "give --platform to erase it anyway (records the erasure, refuses new data under that id)")
        raise typer.Exit(1) from None
    except ValueError as error:
        console.print(f"[bold red]error:[/] {error}", markup=True)
        raise typer.Exit(1) from None
    for line in report.lines():
        console.print(line, markup=False)


def register(app: typer.Typer) -> None:
    """Add the privacy commands to ``app``."""
    app.command("erase-resident")(erase_resident)
