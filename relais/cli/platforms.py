"""``relais platforms check [DIR]``: validate every policy file of a folder before a restart.

A platform joins the federation by its policy file alone (``<platform_id>.yaml`` in RELAIS_PLATFORMS_DIR);
this command lets a coordinator check a new or edited file and see what the services will read from it.
Coordinators read it: the table and the problems are in French.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from relais.cli.console import console, print_table
from shared.security.principals import ALL_PLATFORMS, Role

if TYPE_CHECKING:
    from decimal import Decimal

    from shared.platforms.fees import FeeEntry, FeeRule
    from shared.platforms.model import PlatformPolicy
    from shared.platforms.opening import Weekday

platforms = typer.Typer(help="Les plateformes de la fédération : leurs fichiers de politique.", no_args_is_help=True)

_DAYS = ("lun", "mar", "mer", "jeu", "ven", "sam", "dim")
_KINDS = {"association": "association", "artisan": "artisan", "company": "entreprise"}


@platforms.command("check")
def check(
    folder: Annotated[Path | None, typer.Argument(help="Dossier des fichiers de politique (par défaut : "
                                                       "RELAIS_PLATFORMS_DIR, sinon deploy/platforms).")] = None,
) -> None:
    """Valide chaque fichier *.yaml du dossier et affiche ce que les services en liront ; code de sortie 1
    si un fichier est invalide."""
    from rich.markup import escape
    from rich.table import Table

    from shared.platforms.loader import read_policies
    from shared.settings import load_settings

    settings = load_settings()
    folder = folder or settings.platforms_dir
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        what = "n'est pas un dossier" if not folder.is_dir() else "ne contient aucun fichier *.yaml"
        console.print(f"[bold red]erreur :[/] {escape(str(folder.resolve()))} {what} de politiques de plateforme "
                      "(donnez le dossier, ou réglez RELAIS_PLATFORMS_DIR)", soft_wrap=True)
        raise typer.Exit(1)
    table = Table("plateforme", "mode", "délai de rappel", "calendrier", "activités", "communes",
                  "redevances par date", title=str(folder), title_justify="left")
    valid, problems = read_policies(files)
    for policy in valid:
        table.add_row(policy.platform_id, _mode(policy), _deadline(policy), _calendar(policy),
                      str(len(policy.activities)), f"{len(policy.communes)} ({len(policy.sectors)} secteurs)",
                      "\n".join(_fees(entry) for entry in policy.fees))
    if table.row_count:
        print_table(table)
    for policy in valid:
        if policy.single_sign_on is not None:
            console.print(escape(_single_sign_on(policy, settings.console_url)), soft_wrap=True)
    for problem in problems:
        console.print(f"[bold red]invalide :[/] {escape(problem.french())}", soft_wrap=True)
    broken = len({problem.file for problem in problems})
    console.print(f"{len(files) - broken} fichier(s) valide(s), {broken} invalide(s)")
    if problems:
        raise typer.Exit(1)


def _single_sign_on(policy: PlatformPolicy, console_url: str) -> str:
    """What a coordinator checks of the platform's OpenID Connect provider, and what to declare at the provider."""
    from shared.contracts.labels import ROLES
    from shared.platforms.sign_in import SecretMissing

    sso = policy.single_sign_on
    assert sso is not None
    roles = ", ".join(f"{grant.value} → {ROLES[grant.role]}" for grant in sso.roles)
    accounts = "comptes créés à la première connexion" if sso.create_accounts else "comptes existants seulement"
    try:
        sso.client_secret()
        secret = "secret du client présent"
    except SecretMissing as missing:
        secret = f"attention : secret du client absent ici ({missing})"
    return (f"{policy.platform_id} : connexion « {sso.label} » par {sso.issuer} (client {sso.client_id}) ; "
            f"{sso.role_claim} : {roles} ; {accounts} ; {secret} ; adresse de retour à déclarer chez le "
            f"fournisseur : {console_url.rstrip('/')}/connexion/oidc/{policy.platform_id}/retour")


def _mode(policy: PlatformPolicy) -> str:
    if policy.matching.mode.value == "orient":
        return f"orientation ({policy.matching.orient_count} structures)"
    return "attribution au tour de rôle"


def _deadline(policy: PlatformPolicy) -> str:
    hours = policy.callback.deadline_hours
    return f"{hours} h ouvrées" if policy.callback.mode.value == "business_hours" else f"{hours} h"


def _calendar(policy: PlatformPolicy) -> str:
    hours = policy.opening_hours
    days = [" ".join(str(interval) for interval in hours.weekly.get(weekday, [])) for weekday in _weekdays()]
    runs: list[tuple[int, int, str]] = []  # consecutive days with the same hours: (first, last, hours)
    for index, text in enumerate(days):
        if runs and runs[-1][2] == text and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index, text)
        else:
            runs.append((index, index, text))
    weekly = "; ".join(f"{_DAYS[first]}{'-' + _DAYS[last] if last > first else ''} {text}"
                       for first, last, text in runs if text) or "aucune heure d'ouverture"
    closed = []
    if hours.public_holidays is not None:
        subdivision = f"-{hours.public_holidays.subdivision}" if hours.public_holidays.subdivision else ""
        closed.append(f"fériés {hours.public_holidays.country}{subdivision}")
    if hours.holidays:
        closed.append(f"{len(hours.holidays)} jour(s) de fermeture")
    return f"{policy.timezone}\n{weekly}" + (f"\n{', '.join(closed)}" if closed else "")


def _weekdays() -> list[Weekday]:
    from shared.platforms.opening import Weekday

    return list(Weekday)


def _fees(entry: FeeEntry) -> str:
    rules = ", ".join(f"{_KINDS.get(kind.value, kind.value)} {_rule(rule)}" for kind, rule in entry.rules.items())
    return f"depuis le {entry.effective_from:%d/%m/%Y} : {rules}"


def _rule(rule: FeeRule) -> str:
    match rule.type:
        case "percentage":
            return f"{(rule.rate * 100).normalize():f} %".replace(".", ",")
        case "per_hour_new_client":
            return f"{_euros(rule.amount_per_hour)}/h ({rule.new_client_hours} premières heures par client)"
        case "yearly_membership":
            return f"{_euros(rule.amount_per_year)}/an"
    return "aucune"


def _euros(value: Decimal) -> str:
    return f"{value:.2f} €".replace(".", ",")


def platform_option(platform: str | None, role: Role, bound: str) -> str:
    """The ``--platform`` given for a ``role`` token or account (``bound``: "tokens", "accounts"): ``'*'`` when a
    federation admin names none; else a platform a valid policy file of RELAIS_PLATFORMS_DIR defines, or
    :class:`typer.BadParameter` (nothing is issued for a platform the services do not know)."""
    from shared.platforms.loader import PolicyError, load_policies
    from shared.settings import load_settings

    if platform is None:
        if role is not Role.FEDERATION_ADMIN:
            raise typer.BadParameter(f"{role.value} {bound} are bound to one platform", param_hint="--platform")
        return ALL_PLATFORMS
    if platform == ALL_PLATFORMS:
        return platform
    folder = load_settings().platforms_dir
    try:
        known = sorted(load_policies(folder))
    except PolicyError as error:
        raise typer.BadParameter(f"cannot check platform {platform!r}: {error.french_line()} (RELAIS_PLATFORMS_DIR "
                                 f"is {folder.resolve()})", param_hint="--platform") from None
    if platform not in known:
        raise typer.BadParameter(f"unknown platform {platform!r} (no {platform}.yaml in {folder.resolve()}); "
                                 f"known: {', '.join(known)}", param_hint="--platform")
    return platform


def register(app: typer.Typer) -> None:
    """Add ``relais platforms`` to ``app``."""
    app.add_typer(platforms, name="platforms")
