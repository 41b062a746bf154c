"""Signing staff in through their platform's OpenID Connect provider: authorization code flow with PKCE (S256),
authlib as the client.

:meth:`SingleSignOnClients.begin` builds the provider's authorization address (state, nonce, PKCE challenge) and
seals what the return needs into a short-lived encrypted cookie bound to the browser; :meth:`~SingleSignOnClients.complete`
checks the returned state against that cookie, exchanges the code (with the PKCE verifier), has authlib verify the
ID token (signature against the provider's JWKS, issuer, audience, expiry, nonce), reads the role claim (from the
userinfo answer when the ID token lacks it) and maps it to a Relais role. Every refusal is a
:class:`SignInRefused` carrying an HTTP status and a French sentence; what happens next (find or create the
account, open the session) is a :class:`SessionOpener`'s business.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App  # type: ignore[import-untyped]
from cryptography.fernet import Fernet, InvalidToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from starlette.requests import Request
from starlette.responses import Response

from shared.platforms.model import PlatformPolicy
from shared.platforms.sign_in import SecretMissing, SingleSignOn
from shared.security.accounts import AccountDisabled, DuplicateAccount, account_for_oidc, normalise_email
from shared.security.principals import Role
from shared.security.web import identity_of, start_browser_session

log = logging.getLogger(__name__)

FLOW_COOKIE = "relais_oidc"
FLOW_SECONDS = 600
"""How long a person has at their provider before the sign-in must start again."""
HTTP_TIMEOUT = 10.0
_ERROR_CODE = frozenset({"access_denied", "login_required", "consent_required", "interaction_required",
                         "invalid_request", "invalid_scope", "unauthorized_client", "server_error",
                         "temporarily_unavailable", "account_selection_required"})


class SignInRefused(Exception):
    """The sign-in ends on a page saying ``message`` (French) with ``status``; ``reason`` is a stable code for logs."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.message = message


class AccountRefused(Exception):
    """The account may not sign in (disabled, or absent where accounts must exist beforehand); the message is French."""

    def __init__(self, message: str, *, reason: str = "account_refused") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ExternalIdentity:
    """Who the provider vouched for, and the role the platform's mapping gives them."""

    platform_id: str
    issuer: str
    subject: str
    role: Role
    email: str | None = None
    name: str | None = None
    email_verified: bool = False
    """The provider vouches for ``email`` (its policy says so, or the ``email_verified`` claim)."""


class SessionOpener(Protocol):
    """Finds the account of ``identity`` by (platform, issuer, subject), else by its verified email, else creates it
    when ``create_account``; opens its session and sets the session cookie on ``response``; :class:`AccountRefused`
    when it may not sign in."""

    async def open_session(self, identity: ExternalIdentity, *, create_account: bool, request: Request,
                           response: Response) -> None: ...


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What the return from the provider is checked against, sealed in the browser's flow cookie."""

    platform_id: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str


class SingleSignOnClients:
    """One authlib client per platform whose policy has ``single_sign_on``; the provider's discovery document and
    keys are fetched at first use and kept (keys again when a token names an unknown key id)."""

    def __init__(self, policies: Mapping[str, PlatformPolicy], *, flow_key: bytes | None = None,
                 environ: Mapping[str, str] | None = None, timeout: float = HTTP_TIMEOUT) -> None:
        self._configs = {pid: policy.single_sign_on for pid, policy in policies.items() if policy.single_sign_on}
        self._names = {pid: policy.name for pid, policy in policies.items()}
        self._fernet = Fernet(flow_key or Fernet.generate_key())
        self._environ = environ
        self._timeout = timeout
        self._oauth = OAuth()
        self._clients: dict[str, StarletteOAuth2App] = {}
        logging.getLogger("authlib.integrations.base_client").setLevel(logging.INFO)  # logs the PKCE verifier at DEBUG

    def config(self, platform_id: str) -> SingleSignOn | None:
        return self._configs.get(platform_id)

    async def begin(self, platform_id: str, redirect_uri: str) -> tuple[str, str]:
        """The provider's authorization address and the sealed flow cookie to set before redirecting there."""
        client = self._client(platform_id)
        try:
            created = await client.create_authorization_url(
                redirect_uri, state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                code_verifier=secrets.token_urlsafe(64))
        except (httpx.HTTPError, AuthlibBaseError, ValueError, KeyError) as error:
            raise self._unreachable(platform_id, error) from error
        self._check_issuer(platform_id, client)
        pending = PendingSignIn(platform_id, created["state"], created["nonce"], created["code_verifier"], redirect_uri)
        return created["url"], self._seal(pending)

    async def complete(self, platform_id: str, query: Mapping[str, str], flow_cookie: str | None) -> ExternalIdentity:
        """The identity of the person coming back from the provider with ``query``; :class:`SignInRefused` otherwise."""
        config = self._required(platform_id)
        pending = self._open(flow_cookie)
        if "error" in query and "state" not in query:  # some providers drop the state from an error: nothing opens anyway
            raise _provider_error(query["error"], config.label)
        if pending.platform_id != platform_id or not secrets.compare_digest(pending.state, query.get("state", "")):
            raise SignInRefused(400, "state_mismatch", "La réponse du fournisseur d'identité ne correspond pas à la "
                                "connexion commencée dans ce navigateur : recommencez depuis la page de connexion.")
        if "error" in query:
            raise _provider_error(query["error"], config.label)
        code = query.get("code", "")
        if not code:
            raise SignInRefused(400, "no_code", "Le fournisseur d'identité n'a pas renvoyé de code de connexion : "
                                "recommencez depuis la page de connexion.")
        client = self._client(platform_id)
        token = await self._exchange(platform_id, client, code, pending)
        claims = await self._verified_claims(platform_id, client, token, pending)
        if not claim_text(claims, "sub"):
            raise _unverifiable("no_subject")
        if config.role_for(claims) is None and "userinfo_endpoint" in client.server_metadata:
            claims = {**await self._userinfo(platform_id, client, token, claims), **claims}
        role = config.role_for(claims)
        if role is None:
            raise SignInRefused(403, "unmapped_role", f"Votre compte chez le fournisseur d'identité ne vous donne "
                                f"aucun rôle sur {self._names[platform_id]} : demandez à la coordination de la "
                                "plateforme de vous ajouter au bon groupe.")
        return ExternalIdentity(platform_id=platform_id, issuer=config.issuer, subject=claim_text(claims, "sub") or "",
                                role=Role(role), email=claim_text(claims, "email"), name=_display_name(claims),
                                email_verified=config.email_trusted(claims))

    # -- flow cookie ---------------------------------------------------------------------------------------------

    def _seal(self, pending: PendingSignIn) -> str:
        payload = {"p": pending.platform_id, "s": pending.state, "n": pending.nonce, "v": pending.code_verifier,
                   "r": pending.redirect_uri}
        return self._fernet.encrypt(json.dumps(payload).encode()).decode()

    def _open(self, sealed: str | None) -> PendingSignIn:
        if not sealed:
            raise SignInRefused(400, "no_flow", "Cette connexion n'a pas été commencée dans ce navigateur, ou elle a "
                                "expiré : recommencez depuis la page de connexion.")
        try:
            payload = json.loads(self._fernet.decrypt(sealed.encode(), ttl=FLOW_SECONDS))
            return PendingSignIn(payload["p"], payload["s"], payload["n"], payload["v"], payload["r"])
        except (InvalidToken, ValueError, KeyError, TypeError):
            raise SignInRefused(400, "flow_expired", "Cette connexion a expiré (plus de dix minutes chez le "
                                "fournisseur d'identité) : recommencez depuis la page de connexion.") from None

    # -- provider ------------------------------------------------------------------------------------------------

    def _required(self, platform_id: str) -> SingleSignOn:
        config = self._configs.get(platform_id)
        if config is None:
            raise SignInRefused(404, "no_single_sign_on", "Cette plateforme ne propose pas de connexion par un "
                                "fournisseur d'identité.")
        return config

    def _client(self, platform_id: str) -> StarletteOAuth2App:
        config = self._required(platform_id)
        if platform_id not in self._clients:
            try:
                secret = config.client_secret(self._environ)
            except SecretMissing as error:
                log.error("single sign-on of %s: client secret missing: %s", platform_id, error)
                raise SignInRefused(503, "secret_missing", f"La connexion « {config.label} » n'est pas encore "
                                    "configurée sur ce serveur : prévenez l'administration de la fédération.") from None
            self._oauth.register(
                platform_id, client_id=config.client_id, client_secret=secret,
                server_metadata_url=config.discovery_url,
                client_kwargs={"scope": " ".join(config.scopes), "code_challenge_method": "S256",
                               "token_endpoint_auth_method": config.token_endpoint_auth_method,
                               "timeout": self._timeout})
            client = self._oauth.create_client(platform_id)
            assert isinstance(client, StarletteOAuth2App)
            self._clients[platform_id] = client
        return self._clients[platform_id]

    def _check_issuer(self, platform_id: str, client: StarletteOAuth2App) -> None:
        config = self._required(platform_id)
        announced = str(client.server_metadata.get("issuer", ""))
        if announced.rstrip("/") != config.issuer.rstrip("/"):
            log.error("single sign-on of %s: the discovery document names issuer %r, the policy %r",
                      platform_id, announced, config.issuer)
            raise SignInRefused(502, "issuer_mismatch", "Le fournisseur d'identité ne se présente pas comme celui "
                                "que la plateforme a configuré : prévenez l'administration de la fédération.")

    async def _exchange(self, platform_id: str, client: StarletteOAuth2App, code: str,
                        pending: PendingSignIn) -> dict[str, Any]:
        try:
            token = await client.fetch_access_token(redirect_uri=pending.redirect_uri, code=code,
                                                    code_verifier=pending.code_verifier)
        except httpx.HTTPError as error:
            raise self._unreachable(platform_id, error) from error
        except AuthlibBaseError as error:
            log.warning("single sign-on of %s: code exchange refused: %s", platform_id, error.error)
            raise SignInRefused(400, "code_refused", "Le fournisseur d'identité a refusé de confirmer la connexion "
                                "(code expiré ou déjà utilisé) : recommencez depuis la page de connexion.") from None
        if not isinstance(token, dict) or "id_token" not in token:
            raise _unverifiable("no_id_token")
        return token

    async def _verified_claims(self, platform_id: str, client: StarletteOAuth2App, token: dict[str, Any],
                               pending: PendingSignIn) -> dict[str, Any]:
        metadata = client.server_metadata
        options = {"iss": {"essential": True, "value": metadata["issuer"]},
                   "aud": {"essential": True, "value": client.client_id}, "sub": {"essential": True}}
        try:
            claims = await client.parse_id_token(token, nonce=pending.nonce, claims_options=options)
        except httpx.HTTPError as error:
            raise self._unreachable(platform_id, error) from error
        except (JoseError, AuthlibBaseError, ValueError) as error:
            log.warning("single sign-on of %s: ID token refused: %s", platform_id, type(error).__name__)
            raise _unverifiable("id_token_invalid") from None
        return dict(claims)

    async def _userinfo(self, platform_id: str, client: StarletteOAuth2App, token: dict[str, Any],
                        claims: Mapping[str, Any]) -> dict[str, Any]:
        """The userinfo answer (JSON, or a JWT signed with the provider's keys, as ProConnect sends it)."""
        try:
            response = await client.get(client.server_metadata["userinfo_endpoint"], token=token)
            response.raise_for_status()
            if response.headers.get("content-type", "").startswith("application/jwt"):
                keys = KeySet.import_key_set(await client.fetch_jwk_set())
                algorithms = client.server_metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
                answer = dict(jwt.decode(response.text, keys, registry=JWSRegistry(algorithms=algorithms)).claims)
            else:
                answer = response.json()
        except httpx.HTTPError as error:
            raise self._unreachable(platform_id, error) from error
        except (JoseError, ValueError) as error:
            log.warning("single sign-on of %s: userinfo refused: %s", platform_id, type(error).__name__)
            raise _unverifiable("userinfo_invalid") from None
        if not isinstance(answer, dict) or answer.get("sub") != claims.get("sub"):
            raise _unverifiable("userinfo_subject")
        return answer

    def _unreachable(self, platform_id: str, error: Exception) -> SignInRefused:
        log.warning("single sign-on of %s: provider unreachable: %s", platform_id, type(error).__name__)
        label = self._configs[platform_id].label
        return SignInRefused(502, "provider_unreachable", f"Le fournisseur d'identité (« {label} ») ne répond pas "
                             "pour le moment : réessayez dans quelques minutes, ou connectez-vous avec votre mot de passe.")


def claim_text(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value.strip() or None if isinstance(value, str) else None


def _display_name(claims: Mapping[str, Any]) -> str | None:
    full = claim_text(claims, "name")
    if full:
        return full
    parts = [claim_text(claims, "given_name"), claim_text(claims, "family_name") or claim_text(claims, "usual_name")]
    return " ".join(part for part in parts if part) or None


def _provider_error(code: str, label: str) -> SignInRefused:
    if code == "access_denied":
        return SignInRefused(403, "provider_denied", f"La connexion a été refusée ou annulée chez le fournisseur "
                             f"d'identité (« {label} ») : recommencez si c'était une erreur.")
    known = code if code in _ERROR_CODE else "inconnue"
    return SignInRefused(400, "provider_error", f"Le fournisseur d'identité (« {label} ») a répondu par une erreur "
                         f"({known}) : recommencez depuis la page de connexion.")


def _unverifiable(reason: str) -> SignInRefused:
    return SignInRefused(400, reason, "L'identité renvoyée par le fournisseur n'a pas pu être vérifiée : recommencez "
                         "depuis la page de connexion ; si cela se reproduit, prévenez l'administration de la fédération.")


class AccountSessions:
    """The :class:`SessionOpener` of the services: accounts and sessions of the identity store
    (:mod:`shared.security.accounts`, :mod:`shared.security.web`), signed in by ``oidc``.

    Where accounts must exist (``create_account`` false), the person's account is the one already linked to their
    (issuer, subject), else the platform's account of the email the provider vouches for; nobody else signs in.
    """

    async def open_session(self, identity: ExternalIdentity, *, create_account: bool, request: Request,
                           response: Response) -> None:
        people = identity_of(request)
        store = people.store
        link_by_email = identity.email_verified and identity.email is not None
        if not create_account:
            known = await store.account_by_oidc(identity.platform_id, identity.issuer, identity.subject)
            if known is None and link_by_email and identity.email is not None:
                known = await store.account_by_email(identity.platform_id, normalise_email(identity.email))
            if known is None:
                raise AccountRefused("Aucun compte n'est ouvert à votre nom sur cette plateforme : demandez à sa "
                                     "coordination de vous en créer un, avec l'adresse que connaît votre fournisseur "
                                     "d'identité.", reason="no_account")
        try:
            account = await account_for_oidc(
                store, platform=identity.platform_id, issuer=identity.issuer, subject=identity.subject,
                email=identity.email, display_name=identity.name or identity.email or "", role=identity.role,
                now=people.now(), link_by_email=link_by_email)
        except AccountDisabled as refused:
            raise AccountRefused(str(refused), reason="account_disabled") from None
        except DuplicateAccount:
            raise AccountRefused("Un autre compte de cette plateforme porte déjà votre adresse : demandez à sa "
                                 "coordination de le relier à votre fournisseur d'identité.", reason="email_taken") from None
        await start_browser_session(request, response, account, method="oidc")
