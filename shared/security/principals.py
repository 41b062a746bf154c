"""Who is calling: roles and the principal an API token stands for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.envelope import PLATFORM_ID_PATTERN

ALL_PLATFORMS = "*"
"""Platform id of federation-wide principals (``federation_admin``)."""


class Role(StrEnum):
    OPERATOR = "operator"
    COORDINATOR = "coordinator"
    PROVIDER = "provider"
    ANALYST = "analyst"
    ADVISOR = "advisor"
    MEDIATOR = "mediator"
    FEDERATION_ADMIN = "federation_admin"


def check_scope(platform_id: str, role: Role) -> None:
    """Raise ``ValueError`` unless ``platform_id`` fits ``role``.

    ``federation_admin`` is bound to no platform (``"*"``); every other role to exactly one.
    """
    if role is Role.FEDERATION_ADMIN:
        if platform_id != ALL_PLATFORMS:
            raise ValueError(f"a federation_admin is not bound to one platform: use platform_id {ALL_PLATFORMS!r}")
    elif not re.fullmatch(PLATFORM_ID_PATTERN, platform_id):
        raise ValueError(f"invalid platform id {platform_id!r} for role {role.value}")


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller.

    ``subject`` names who within the role: an operator id, a provider id, ...
    ``token_id`` is the id of the token used (never its secret), for audit trails; empty for a person signed in.
    ``method`` is how a person signed in (``password``, ``totp``, ``oidc``); None for an API token, whose
    ``subject`` is what it was issued for, where a person's is their account id.
    """

    platform_id: str
    role: Role
    subject: str
    token_id: str
    method: str | None = None

    @property
    def is_federation_admin(self) -> bool:
        return self.role is Role.FEDERATION_ADMIN

    @property
    def actor(self) -> str:
        """The ``actor`` string of event metadata: ``operator:op-12`` for an API token, ``operator:acc-.../totp``
        for a person (account id and how they signed in)."""
        actor = f"{self.role.value}:{self.subject}"
        return f"{actor}/{self.method}" if self.method else actor

    def covers(self, platform_id: str) -> bool:
        """Whether this principal may see the resources of ``platform_id``."""
        return self.is_federation_admin or self.platform_id == platform_id

    def describe(self) -> str:
        """One line naming the caller, e.g. ``operator:op-12@limoges (token 3f9a...)``."""
        if self.method:
            return f"{self.actor}@{self.platform_id} (session)"
        return f"{self.actor}@{self.platform_id} (token {self.token_id})"
