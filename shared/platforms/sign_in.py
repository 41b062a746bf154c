"""Single sign-on of a platform's staff through its identity provider (OpenID Connect), e.g. ProConnect for the
public agents of a CCAS.

The policy names the provider (``issuer``, ``client_id``), where the client secret is kept (an environment
variable or a file, never the policy), the scopes asked for, and how the provider's claims become a Relais
role: the claim to read (``role_claim``, e.g. ``groups``, or a dotted path such as ``realm_access.roles``) and
which of its values gives which role, the first entry a person holds winning. Someone holding none of the
listed values is refused.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from shared.platforms._base import PolicyModel

StaffRole = Literal["operator", "coordinator", "advisor", "mediator", "analyst"]
"""The roles a sign-in through the platform's provider may give (never provider nor federation admin)."""

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class SecretMissing(LookupError):
    """The client secret named by the policy is not available here (variable unset, file absent or empty)."""


class RoleGrant(PolicyModel):
    """One value of the role claim and the Relais role it gives."""

    value: str = Field(min_length=1, max_length=200, description="A value of the role claim exactly as the "
                       "provider sends it.", examples=["ccas-limoges-accueil"])
    role: StaffRole = Field(description="The Relais role it gives: operator, coordinator, advisor, mediator or analyst.")


class SingleSignOn(PolicyModel):
    """The platform's OpenID Connect provider, signed in to with the authorization code flow and PKCE (S256)."""

    label: str = Field(min_length=1, max_length=80, description="Text of the sign-in button.",
                       examples=["Se connecter avec ProConnect"])
    issuer: str = Field(description="Issuer URL of the provider, as its discovery document "
                        "(<issuer>/.well-known/openid-configuration) and its ID tokens name it; https "
                        "(http only on this machine, for tests).", examples=["https://auth.agentconnect.gouv.fr/api/v2"])
    client_id: str = Field(min_length=1, max_length=200, description="Client id the provider gave the platform.")
    client_secret_env: str | None = Field(default=None, description="Environment variable holding the client secret.",
                                          examples=["RELAIS_OIDC_LIMOGES_SECRET"])
    client_secret_file: Path | None = Field(default=None, description="File holding the client secret (e.g. a "
                                            "mounted secret); one of client_secret_env and client_secret_file.")
    token_endpoint_auth_method: Literal["client_secret_basic", "client_secret_post"] = Field(
        default="client_secret_basic", description="How the client authenticates at the token endpoint, as the "
        "provider asks (its discovery document lists token_endpoint_auth_methods_supported).")
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"],
                              description="Scopes asked for; openid is required.")
    role_claim: str = Field(default="groups", min_length=1, max_length=120, pattern=r"^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$",
                            description="Claim of the ID token (or of the userinfo answer) carrying the person's "
                            "groups or roles; a dotted path reads a nested claim (realm_access.roles).")
    roles: list[RoleGrant] = Field(min_length=1, description="Values of the role claim and the role each gives; the "
                                   "first entry a person holds wins, someone holding none is refused.")
    create_accounts: bool = Field(default=False, description="true: the first sign-in creates the person's account "
                                  "(just in time); false: the account must exist beforehand (created by a coordinator), "
                                  "found by the email the provider gives at the first sign-in.")
    emails_verified: bool = Field(default=False, description="The provider checks its users' email addresses "
                                  "(ProConnect does): at the first sign-in, the platform's account of that email is "
                                  "linked to the person. Else only an email_verified claim lets it link.")

    @field_validator("issuer")
    @classmethod
    def _secure_issuer(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("doit être une adresse https://…")
        if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
            raise ValueError("doit être une adresse https:// (http seulement pour un fournisseur de test sur cette machine)")
        if parts.query or parts.fragment:
            raise ValueError("ne doit contenir ni « ? » ni « # »")
        return value

    @field_validator("client_secret_env")
    @classmethod
    def _environment_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("doit être un nom de variable d'environnement en majuscules, par exemple RELAIS_OIDC_SECRET")
        return value

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: list[str]) -> list[str]:
        if "openid" not in value:
            raise ValueError("doit contenir openid")
        if len(set(value)) != len(value) or any(not scope or " " in scope for scope in value):
            raise ValueError("chaque scope une fois, sans espace")
        return value

    @model_validator(mode="after")
    def _one_secret_source(self) -> SingleSignOn:
        if (self.client_secret_env is None) == (self.client_secret_file is None):
            raise ValueError("client_secret_env: indiquez où lire le secret du client, client_secret_env ou "
                             "client_secret_file (l'un des deux, jamais le secret lui-même)")
        if not self.create_accounts and "email" not in self.scopes:
            raise ValueError("scopes: quand les comptes doivent exister (create_accounts: false), ils sont retrouvés "
                             "par leur adresse : ajoutez le scope email")
        values = [grant.value for grant in self.roles]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValueError(f"roles: valeur indiquée deux fois : {', '.join(repeated)}")
        return self

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def client_secret(self, environ: Mapping[str, str] | None = None) -> str:
        """The client secret from the variable or file the policy names; :class:`SecretMissing` when absent."""
        if self.client_secret_env is not None:
            secret = (os.environ if environ is None else environ).get(self.client_secret_env, "").strip()
            if not secret:
                raise SecretMissing(f"la variable d'environnement {self.client_secret_env} n'est pas définie")
            return secret
        assert self.client_secret_file is not None
        try:
            secret = self.client_secret_file.read_text(encoding="utf-8").strip()
        except OSError:
            raise SecretMissing(f"le fichier {self.client_secret_file} est illisible") from None
        if not secret:
            raise SecretMissing(f"le fichier {self.client_secret_file} est vide")
        return secret

    def role_for(self, claims: Mapping[str, object]) -> StaffRole | None:
        """The role the person's claims give (the first listed value they hold), ``None`` when they hold none."""
        held = set(claim_values(claims, self.role_claim))
        return next((grant.role for grant in self.roles if grant.value in held), None)

    def email_trusted(self, claims: Mapping[str, object]) -> bool:
        """Whether the email of ``claims`` may link an existing account: verified by the provider."""
        return self.emails_verified or claims.get("email_verified") is True


def claim_values(claims: Mapping[str, object], path: str) -> list[str]:
    """The values of the claim at ``path`` (dotted for nested objects): a list of texts, a text, or nothing."""
    value: object = claims
    for name in path.split("."):
        if not isinstance(value, Mapping) or name not in value:
            return []
        value = value[name]
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []
