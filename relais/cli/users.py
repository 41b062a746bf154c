"""``relais users create|list|disable|enable``: people's accounts in the identity store, from the command line.

For a platform's first coordinator (the next ones are created by a coordinator on ``/comptes``)::

    relais users create --platform limoges --role coordinator --email camille@proximain.example --name "Camille Martin"

prints the invitation link once on stdout (the person opens it to choose a password; valid 72 hours, single use);
``--send`` also emails it through the identity store's outbox (sent by intake, ``RELAIS_SMTP_*``). The store is
``RELAIS_IDENTITY_URL``, else ``<data dir>/identity.db`` (``--data-dir``); the link starts with
``RELAIS_CONSOLE_URL``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from relais.cli.console import console, print_table
from relais.cli.platforms import platform_option
from shared.security.principals import Role

if TYPE_CHECKING:
    from shared.security.web import Identity
    from shared.settings import Settings

T = TypeVar("T")

users = typer.Typer(help="People's accounts (sign-in with a password, TOTP): create with an invitation link, list, "
                         "disable, enable.", no_args_is_help=True)
DataDirOption = Annotated[Path | None, typer.Option("--data-dir", help="Folder of the stores (default: RELAIS_DATA_DIR).")]


def _settings(data_dir: Path | None) -> Settings:
    from shared.settings import load_settings

    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


async def _with_identity(data_dir: Path | None, work: Callable[[Identity], Awaitable[T]]) -> T:
    from shared.security.web import Identity

    identity = Identity.from_settings(_settings(data_dir))
    try:
        await identity.store.migrate()
        return await work(identity)
    finally:
        await identity.store.close()


@users.command("create")
def create(
    role: Annotated[Role, typer.Option(help="coordinator, operator, advisor, mediator, analyst or federation_admin.")],
    email: Annotated[str, typer.Option(help="The person's email: it signs them in.")],
    name: Annotated[str, typer.Option(help="The person's name, as colleagues and the audit log show it.")],
    platform: Annotated[str | None, typer.Option(help="Their platform ('*' for a federation admin, its default).")] = None,
    send: Annotated[bool, typer.Option("--send", help="Also email the link (RELAIS_SMTP_* on intake).")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Create an account and print its invitation link once on stdout."""
    from shared.security.accounts import AccountError

    platform_id = platform_option(platform, role, "accounts")
    settings = _settings(data_dir)

    async def work(identity: Identity) -> Any:
        return await identity.accounts.invite(platform_id=platform_id, role=role, email=email, display_name=name,
                                              created_by="cli", now=identity.now(), base_url=settings.console_url,
                                              send=send)

    try:
        account, link = asyncio.run(_with_identity(data_dir, work))
    except (AccountError, ValueError) as refused:
        console.print(f"[bold red]error:[/] {refused}", markup=True)
        raise typer.Exit(1) from None
    print(link)
    typer.echo(f"account {account.account_id} ({account.role.value}@{account.platform_id}) created; the link above "
               "is valid 72 hours, once", err=True)


@users.command("list")
def list_users(platform: Annotated[str, typer.Option(help="The platform ('*' for federation admins).")],
               data_dir: DataDirOption = None) -> None:
    """The platform's accounts: id, name, email, role, second factor, state."""
    from rich.table import Table

    accounts = asyncio.run(_with_identity(data_dir, lambda identity: identity.store.accounts_of(platform)))
    table = Table("account", "name", "email", "role", "TOTP", "state", title=f"accounts of {platform}",
                  title_justify="left")
    for account in accounts:
        state = "disabled" if account.disabled else ("invited" if account.password_hash is None else "active")
        table.add_row(account.account_id, account.display_name, account.email, account.role.value,
                      "yes" if account.totp_enabled else "", state)
    print_table(table)


def _set_disabled(account_id: str, disabled: bool, data_dir: Path | None) -> None:
    from shared.security.accounts import AccountError

    async def work(identity: Identity) -> Any:
        return await identity.accounts.set_disabled(account_id, disabled, identity.now())

    try:
        account = asyncio.run(_with_identity(data_dir, work))
    except AccountError as refused:
        console.print(f"[bold red]error:[/] {refused}")
        raise typer.Exit(1) from None
    console.print(f"{account.account_id} {'disabled: its sessions ended' if disabled else 'enabled'}", markup=False)


@users.command("disable")
def disable(account_id: Annotated[str, typer.Argument(help="The account id (acc-...).")],
            data_dir: DataDirOption = None) -> None:
    """Disable an account: its sessions end at once in every service."""
    _set_disabled(account_id, True, data_dir)


@users.command("enable")
def enable(account_id: Annotated[str, typer.Argument(help="The account id (acc-...).")],
           data_dir: DataDirOption = None) -> None:
    """Enable a disabled account again."""
    _set_disabled(account_id, False, data_dir)


def register(app: typer.Typer) -> None:
    """Add ``relais users`` to ``app``."""
    app.add_typer(users, name="users")
