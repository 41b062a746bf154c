"""Coordinators manage their platform's accounts and see who read a resident's personal data, and when.

JSON API (a coordinator's session or token; a federation admin everywhere): ``GET/POST
/platforms/{p}/users``, ``POST /platforms/{p}/users/{id}/disable`` (every session of the account ends at
once) and ``/enable``; ``GET /platforms/{p}/residents/{resident_id}/reads`` and
``GET /platforms/{p}/requests/{request_id}/reads`` (the vault's read log of that resident, newest first, each
reader named: a person by name, role and how they signed in; a machine by its token's subject).
The page ``/comptes`` does the same in French for a coordinator signed in (forms with the session's CSRF token).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, field_validator

from services.intake.entrypoints.contact_http import sealed_contact
from services.intake.entrypoints.signin_http import Person, page, sign_in_first, signed_in, signed_in_form
from shared.contracts.labels import ROLES
from shared.errors import Conflict, DomainError, NotFound
from shared.platforms.local_time import french_moment
from shared.privacy.audit import AuditRecord, ReadOutcome
from shared.privacy.vault import Vault
from shared.security.accounts import Account, AccountError, DuplicateAccount
from shared.security.http import ensure_platform, platform_member
from shared.security.principals import ALL_PLATFORMS, Principal, Role
from shared.security.web import identity_of, wake_invitation_sender

router = APIRouter(prefix="/platforms/{platform_id}", tags=["accounts"])
pages = APIRouter(tags=["accounts"], include_in_schema=False)
Coordinator = Annotated[Principal, Depends(platform_member(Role.COORDINATOR, Role.FEDERATION_ADMIN))]

METHODS = {"password": "mot de passe", "totp": "mot de passe et code", "oidc": "fournisseur d'identité"}
OUTCOMES = {ReadOutcome.READ: "lu", ReadOutcome.ERASED: "données effacées", ReadOutcome.UNKNOWN: "inconnu",
            ReadOutcome.TAMPERED: "données altérées", ReadOutcome.FORBIDDEN: "refusé"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PURPOSES = ((re.compile(r"^read the contact of request (\S+)$"), "consultation des coordonnées (demande {0})"),
            (re.compile(r"^call back about request (\S+)$"), "rappel de l'usager par le prestataire (demande {0})"),
            (re.compile(r"^send message (\S+)$"), "envoi d'un message à l'usager ({0})"))


def purpose_label(purpose: str) -> str:
    """The reason of a read in French (the services write it in a few known shapes)."""
    for pattern, label in PURPOSES:
        if (found := pattern.match(purpose)) is not None:
            return label.format(*found.groups())
    return f"autre motif : {purpose}"


PlatformRole = Literal["operator", "coordinator", "advisor", "mediator", "analyst"]


class NewAccount(BaseModel):
    email: str = Field(max_length=254, description="The person's email: the invitation goes there, and it signs them in.")
    display_name: str = Field(min_length=1, max_length=120, description="Name shown to colleagues and in the audit.")
    role: PlatformRole = Field(description="operator, coordinator, advisor, mediator or analyst.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.fullmatch(value.strip()):
            raise ValueError("adresse électronique invalide")
        return value.strip()


class AccountOut(BaseModel):
    account_id: str
    email: str
    display_name: str
    role: str
    role_label: str = Field(description="The role in French.")
    second_factor: bool = Field(description="TOTP is on.")
    single_sign_on: bool = Field(description="Linked to the platform's OpenID Connect provider.")
    disabled_at: datetime | None
    locked_until: datetime | None
    last_sign_in_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(account_id=account.account_id, email=account.email, display_name=account.display_name,
                   role=account.role.value, role_label=ROLES[account.role.value], second_factor=account.totp_enabled,
                   single_sign_on=account.oidc_subject is not None, disabled_at=account.disabled_at,
                   locked_until=account.locked_until, last_sign_in_at=account.last_sign_in_at)


class Invited(BaseModel):
    id: str = Field(description="Id of the account created.")
    invitation_sent_to: str = Field(description="The email the invitation link was sent to (the link itself is never shown).")


class ReadOut(BaseModel):
    read_at: datetime
    reader: str = Field(description="Who read, in French: a person's name and role, or the machine.")
    account_id: str | None = Field(description="The reader's account, when a person read.")
    signed_in_with: str | None = Field(description="How the person signed in, in French.")
    purpose: str = Field(description="Why, as the reading service wrote it.")
    purpose_label: str = Field(description="Why, in French.")
    outcome: str = Field(description="lu, refusé, données effacées...")


@router.get("/users", summary="The platform's accounts (people), by name")
async def list_accounts(request: Request, platform_id: str, who: Coordinator) -> list[AccountOut]:
    return [AccountOut.of(account) for account in await identity_of(request).store.accounts_of(platform_id)]


@router.post("/users", status_code=201, summary="Create an account and email its invitation link")
async def create_account(request: Request, platform_id: str, body: NewAccount, who: Coordinator) -> Invited:
    account = await _invite(request, platform_id, body, who)
    return Invited(id=account.account_id, invitation_sent_to=account.email)


@router.post("/users/{account_id}/disable", summary="Disable an account: its sessions end at once")
async def disable_account(request: Request, platform_id: str, account_id: str, who: Coordinator) -> AccountOut:
    return AccountOut.of(await _set_disabled(request, platform_id, account_id, who, True))


@router.post("/users/{account_id}/enable", summary="Enable a disabled account again")
async def enable_account(request: Request, platform_id: str, account_id: str, who: Coordinator) -> AccountOut:
    return AccountOut.of(await _set_disabled(request, platform_id, account_id, who, False))


@router.get("/residents/{resident_id}/reads", summary="Who read this resident's personal data, and when")
async def resident_reads(request: Request, platform_id: str, resident_id: str, who: Coordinator) -> list[ReadOut]:
    return await _reads(request, platform_id, resident_id)


@router.get("/requests/{request_id}/reads", summary="Who read the personal data of this request's resident, and when")
async def request_reads(request: Request, platform_id: str, request_id: str, who: Coordinator) -> list[ReadOut]:
    return await _reads(request, platform_id, await _resident_of(request, platform_id, request_id))


async def _invite(request: Request, platform_id: str, body: NewAccount, who: Principal) -> Account:
    identity = identity_of(request)
    try:
        account, _link = await identity.accounts.invite(
            platform_id=platform_id, role=body.role, email=str(body.email), display_name=body.display_name,
            created_by=who.actor, now=identity.now(), base_url=request.app.state.settings.console_url)
    except DuplicateAccount as duplicate:
        raise Conflict("account_exists", str(duplicate), field="email") from None
    except AccountError as refused:
        raise DomainError("invalid_account", str(refused)) from None
    wake_invitation_sender(request)
    return account


async def _set_disabled(request: Request, platform_id: str, account_id: str, who: Principal, disabled: bool) -> Account:
    identity = identity_of(request)
    account = await identity.store.account(account_id)
    if account is None or account.platform_id != platform_id:
        raise NotFound("Compte")
    if disabled and account_id == who.subject and who.method is not None:
        raise Conflict("own_account", "Vous ne pouvez pas désactiver votre propre compte.")
    return await identity.accounts.set_disabled(account_id, disabled, identity.now())


async def _resident_of(request: Request, platform_id: str, request_id: str) -> str:
    sealed = await sealed_contact(request, platform_id, request_id)
    if sealed is None:
        raise NotFound("Demande")
    return sealed.resident_id


async def _reads(request: Request, platform_id: str, resident_id: str) -> list[ReadOut]:
    vault: Vault = request.app.state.vault
    records = [record for record in await vault.read_log(resident_id, limit=5000) if record.platform_id == platform_id]
    names = {account.account_id: account for account in await identity_of(request).store.accounts_of(platform_id)}
    return [_read_out(record, names) for record in reversed(records)]


def _read_out(record: AuditRecord, accounts: dict[str, Account]) -> ReadOut:
    actor, _, method = record.reader.partition("/")
    role, _, subject = actor.partition(":")
    outcome = OUTCOMES.get(record.outcome, record.outcome.value)
    if role == "system":
        return ReadOut(read_at=record.read_at, reader=f"service {subject} (envoi automatique)", account_id=None,
                       signed_in_with=None, purpose=record.purpose,
                       purpose_label=purpose_label(record.purpose), outcome=outcome)
    role_label = ROLES.get(role, role)
    if method:
        account = accounts.get(subject)
        name = account.display_name if account else f"compte {subject}"
        return ReadOut(read_at=record.read_at, reader=f"{name} ({role_label})", account_id=subject,
                       signed_in_with=METHODS.get(method, method), purpose=record.purpose,
                       purpose_label=purpose_label(record.purpose), outcome=outcome)
    return ReadOut(read_at=record.read_at, reader=f"jeton d'API « {subject} » ({role_label})", account_id=None,
                   signed_in_with="jeton d'API", purpose=record.purpose,
                   purpose_label=purpose_label(record.purpose), outcome=outcome)


# --- the coordinators' page ----------------------------------------------------------------------------------------
def _coordinating(person: Person | None) -> bool:
    return person is not None and person.account.role in (Role.COORDINATOR, Role.FEDERATION_ADMIN) \
        and person.account.platform_id != ALL_PLATFORMS


async def _accounts_page(request: Request, person: Person, *, error: str | None = None, notice: str | None = None,
                         status: int = 200, values: dict[str, str] | None = None) -> HTMLResponse:
    platform_id = person.account.platform_id
    policy = request.app.state.handlers.policies[platform_id]
    zone = ZoneInfo(policy.timezone)
    accounts = await identity_of(request).store.accounts_of(platform_id)
    now = identity_of(request).now()
    rows = [{"account": account, "role_label": ROLES[account.role.value],
             "state": _state(account, now, zone), "own": account.account_id == person.account.account_id,
             "last": french_moment(account.last_sign_in_at, zone) if account.last_sign_in_at else "jamais"}
            for account in accounts]
    reads: list[dict[str, Any]] | None = None
    looked_up = request.query_params.get("demande", "").strip()
    if looked_up:
        try:
            found = await _reads(request, platform_id, await _resident_of(request, platform_id, looked_up))
            reads = [{"when": french_moment(read.read_at, zone), **read.model_dump()} for read in found]
        except NotFound:
            error = error or "Aucune demande de cette plateforme ne porte ce numéro."
    roles = [(role, ROLES[role]) for role in ("operator", "coordinator", "mediator", "advisor", "analyst")]
    return page(request, "accounts.html", {"platform": policy, "rows": rows, "roles": roles, "reads": reads,
                                           "looked_up": looked_up, "error": error, "notice": notice,
                                           "values": values or {}}, person=person, status=status)


def _state(account: Account, now: datetime, zone: ZoneInfo) -> str:
    if account.disabled:
        return "désactivé"
    if account.locked_at(now):
        assert account.locked_until is not None
        return f"verrouillé jusqu'au {french_moment(account.locked_until, zone).removeprefix('le ')}"
    if account.password_hash is None and account.oidc_subject is None:
        return "invitation envoyée"
    return "actif, double authentification" if account.totp_enabled else "actif"


@pages.get("/comptes")
async def accounts_page(request: Request) -> Response:
    person = await signed_in(request)
    if person is None:
        return sign_in_first(request)
    if not _coordinating(person):
        return page(request, "message.html", {"heading": "Accès réservé à la coordination", "next": "/console",
                                              "next_label": "Retour à la console",
                                              "error": "Cette page est réservée à la coordination de la plateforme."},
                    person=person, status=403)
    return await _accounts_page(request, person)


async def _coordinator_form(request: Request) -> Person | Response:
    """The coordinator posting this form, or what to answer (see :func:`signed_in_form`; 403 to others)."""
    person = await signed_in_form(request)
    if isinstance(person, Person) and not _coordinating(person):
        return page(request, "message.html", {"heading": "Accès réservé à la coordination",
                                              "error": "Cette action est réservée à la coordination."},
                    person=person, status=403)
    return person


@pages.post("/comptes")
async def create_from_page(request: Request) -> Response:
    if not isinstance(person := await _coordinator_form(request), Person):
        return person
    form = await request.form()
    values = {key: str(form.get(key) or "") for key in ("email", "display_name", "role")}
    try:
        body = NewAccount.model_validate(values)
    except ValueError:
        return await _accounts_page(request, person, values=values, status=422,
                                    error="Vérifiez le nom, l'adresse e-mail et le rôle de la personne.")
    try:
        account = await _invite(request, person.account.platform_id, body, _principal(person))
    except DomainError as refused_account:
        return await _accounts_page(request, person, values=values, status=refused_account.status,
                                    error=refused_account.message)
    return await _accounts_page(request, person, notice=f"Compte créé : l'invitation part vers {account.email}.")


@pages.post("/comptes/{account_id}/{action}")
async def disable_from_page(request: Request, account_id: str, action: str) -> Response:
    if not isinstance(person := await _coordinator_form(request), Person):
        return person
    if action not in ("desactiver", "reactiver"):
        return page(request, "message.html", {"heading": "Adresse inconnue"}, person=person, status=404)
    try:
        account = await _set_disabled(request, person.account.platform_id, account_id, _principal(person),
                                      action == "desactiver")
    except DomainError as refused_change:
        return await _accounts_page(request, person, error=refused_change.message, status=refused_change.status)
    done = "désactivé : ses sessions sont fermées" if account.disabled else "réactivé"
    return await _accounts_page(request, person, notice=f"Compte de {account.display_name} {done}.")


def _principal(person: Person) -> Principal:
    principal = Principal(platform_id=person.account.platform_id, role=person.account.role,
                          subject=person.account.account_id, token_id="", method=person.session.method)
    ensure_platform(principal, person.account.platform_id)
    return principal
