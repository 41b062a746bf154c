"""``relais mail``: the messages the demo's SMTP sink received (every email Relais sent during the demo)."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from relais.cli.console import console
from relais.cli.stores import DataDirOption, settings_for

LINK = re.compile(r"https?://\S+")


def mail(
    data_dir: DataDirOption = None,
    last: Annotated[int, typer.Option(min=1, help="How many of the latest messages to show.")] = 20,
) -> None:
    """List the emails sent during the demo (kept by its local SMTP sink in <data dir>/mail), newest last, with
    their links: a newcomer can follow an offer link or a survey link without reading any database."""
    from relais.devstack.smtp_sink import received

    settings = settings_for(data_dir)
    folder = settings.data_dir / "mail"
    if not folder.exists():
        console.print(f"[bold red]error:[/] no demo mailbox in {folder}: start `relais demo` (its SMTP sink keeps "
                      "the messages there) or give --data-dir.", soft_wrap=True)
        raise typer.Exit(1)
    messages = received(folder)[-last:]
    console.print(f"{len(messages)} message(s), newest last, from {folder}:", markup=False)
    for message in messages:
        at = message.at.strftime("%d/%m %H:%M:%S") if message.at else "—"
        console.print(f"\n{at}  to {message.to}\n  {message.subject}", markup=False, highlight=False, soft_wrap=True)
        for link in LINK.findall(message.text):
            console.print(f"  {link}", markup=False, highlight=False, soft_wrap=True)
    letters = settings.data_dir / "letters"
    if letters.exists():
        console.print(f"Postal letters (PDF, one per platform and day): {letters}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("mail")(mail)
