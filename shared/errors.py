"""Errors a command can end with; HTTP entrypoints turn them into clear 4xx answers."""

from __future__ import annotations


class DomainError(ValueError):
    """A command that breaks a business rule. ``code`` is stable; the message is a French sentence for people;
    ``field`` names the input it is about, if one."""

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class NotFound(DomainError):
    """``what`` (in French, e.g. "Demande") does not exist, or not for this caller; the id looked for is not
    repeated (the caller has it)."""

    status = 404

    def __init__(self, what: str) -> None:
        super().__init__("not_found", f"{what} introuvable.")


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    """The caller is known but may not act here (another platform's resource)."""

    status = 403
