"""``relais token issue|list|revoke``: the API tokens of a deployment, in the file the services read.

The file is ``--file``, else ``RELAIS_TOKENS_FILE``, else ``<data dir>/tokens.yaml`` (where ``relais up``
and ``relais demo`` point the services). Only hashes are stored (:mod:`shared.security.tokens`); the
services re-read the file when it changes, so an issued or revoked token counts at their next request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from relais.cli.console import console, print_table
from relais.cli.platforms import platform_option
from shared.security.principals import Role

tokens = typer.Typer(help="API tokens: issue (shown once), list and revoke them in RELAIS_TOKENS_FILE.",
                     no_args_is_help=True)

FileOption = Annotated[Path | None, typer.Option("--file", help="The tokens file (default: RELAIS_TOKENS_FILE, "
                                                 "else <RELAIS_DATA_DIR>/tokens.yaml as `relais up` uses).")]
notes = Console(stderr=True, highlight=False, soft_wrap=True)


def tokens_file(file: Path | None) -> Path:
    """``file``, else the tokens file of the settings, else the one ``relais up`` gives the services."""
    from relais.devstack.demo import tokens_path
    from shared.settings import load_settings

    return file or tokens_path(load_settings())


@tokens.command("issue")
def issue(
    role: Annotated[Role, typer.Option(help="The token's role.")],
    subject: Annotated[str, typer.Option(help="Who within the role: an operator id, a provider id, ...")],
    platform: Annotated[str | None, typer.Option(help="The platform it is bound to ('*' for federation_admin, "
                                                 "the default for that role).")] = None,
    file: FileOption = None,
) -> None:
    """Issue a token and print it once on stdout (only its hash is kept): `TOKEN=$(relais token issue ...)`."""
    from shared.security.tokens import TokenRegistry

    platform = platform_option(platform, role, "tokens")
    path = tokens_file(file)
    try:
        plaintext, entry = TokenRegistry.load(path).issue(platform, role, subject)
    except ValidationError as error:
        problems = "; ".join(problem["msg"].removeprefix("Value error, ") for problem in error.errors())
        raise typer.BadParameter(problems) from None
    print(plaintext)
    notes.print(f"token {entry.token_id} issued to {entry.principal().actor}@{entry.platform_id} in {path} "
                "(shown once: only its hash is stored)", markup=False)


@tokens.command("list")
def list_tokens(
    platform: Annotated[str | None, typer.Option(help="Only the tokens of this platform.")] = None,
    file: FileOption = None,
) -> None:
    """The tokens of the file (never their secrets): id, platform, role, subject, created, revoked."""
    from rich.table import Table

    from shared.security.tokens import TokenRegistry

    path = tokens_file(file)
    entries = [entry for entry in TokenRegistry.load(path).entries() if platform in (None, entry.platform_id)]
    table = Table("token id", "platform", "role", "subject", "created (UTC)", "revoked", title=str(path),
                  title_justify="left")
    for entry in entries:
        table.add_row(entry.token_id, entry.platform_id, entry.role.value, entry.subject,
                      f"{entry.created_at:%Y-%m-%d %H:%M:%S}", "revoked" if entry.revoked else "")
    print_table(table)
    console.print(f"{len(entries)} tokens, {sum(entry.revoked for entry in entries)} revoked")


@tokens.command("revoke")
def revoke(
    token: Annotated[str, typer.Argument(help="A token id, or a subject: every unrevoked token of that subject.")],
    platform: Annotated[str | None, typer.Option(help="With a subject: only its tokens on this platform.")] = None,
    file: FileOption = None,
) -> None:
    """Revoke tokens; running services refuse them from their next request."""
    from shared.security.tokens import TokenRegistry

    path = tokens_file(file)
    registry = TokenRegistry.load(path)
    entries = registry.entries()
    chosen = [entry for entry in entries if entry.token_id == token] or [
        entry for entry in entries
        if entry.subject == token and not entry.revoked and platform in (None, entry.platform_id)]
    if not chosen:
        console.print(f"[bold red]error:[/] no token id or unrevoked subject {token!r} in {path}")
        raise typer.Exit(1)
    for entry in chosen:
        registry.revoke(entry.token_id)
        console.print(f"revoked token {entry.token_id} of {entry.principal().actor}@{entry.platform_id}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``relais token`` to ``app``."""
    app.add_typer(tokens, name="token")
