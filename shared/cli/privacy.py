"""``relais erase-resident``: the right to erasure, from the command line (see :mod:`shared.privacy.erasure`)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from shared.cli.console import console
from shared.settings import load_settings


def erase_resident(
    resident_id: Annotated[str, typer.Argument(help="Pseudonymous id of the resident, e.g. res-01h...")],
    platform: Annotated[str | None, typer.Option("--platform", help="Platform of the resident (checked against "
                                                 "the vault; needed if the vault never knew the resident).")] = None,
    requested_by: Annotated[str, typer.Option(help="Who asked: 'resident', 'operator:<id>' or "
                                              "'system:retention'.")] = "resident",
) -> None:
    """Erase a resident's personal data everywhere: delete their key from the vault (every sealed copy becomes
    unreadable) and publish ResidentErased for every service. Counts and fees are kept."""
    from shared.privacy.erasure import erase_resident as erase
    from shared.privacy.errors import UnknownResidentError

    try:
        report = asyncio.run(erase(load_settings(), resident_id, platform_id=platform, requested_by=requested_by))
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
