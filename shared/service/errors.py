"""The one error mapping of the four services' JSON APIs: every refusal is
``{"error": code, "detail": message, "fields": [{"field": ..., "message": ...}]}``.

``code`` is stable and machine-readable; ``detail`` is a French sentence for people (the console shows it as
it is); ``fields`` names each refused field with a French reason (empty when the refusal is about no field).
A refused value is never sent back: a 200 kB field gets a short answer. The status follows the error, never
the route, so one code has one status everywhere:

* :class:`~shared.errors.DomainError` (422): the input breaks a business rule (unknown activity, future date);
* :class:`~shared.errors.Conflict` (409): the current state refuses the command (already contacted, cancelled);
* :class:`~shared.errors.NotFound` (404) and the other subclasses carry their own ``status``;
* :class:`~shared.storage.eventstore.ConcurrencyError` (409, ``conflict``): a concurrent writer won;
* FastAPI's request validation and pydantic's ``ValidationError`` raised while building a command (422,
  ``invalid_input``): one entry of ``fields`` per refused field (:mod:`shared.validation`);
* FastAPI's and Starlette's ``HTTPException`` (401, 403, 404 of the security dependencies, unknown routes,
  405): the code is the status' name, e.g. ``not_found``, ``unauthorized``; its headers are kept.

:func:`install_error_handlers` is called by :func:`shared.service.app.build_app`: no service registers its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from shared.errors import DomainError
from shared.storage.eventstore import ConcurrencyError
from shared.validation import field_errors

INVALID_INPUT = "invalid_input"
_FRENCH_STATUS = {
    400: "La demande est mal formée.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Cette adresse n'existe pas.",
    405: "Cette méthode n'est pas permise à cette adresse.",
    406: "Format de réponse non disponible.",
    413: "La demande est trop volumineuse.",
    415: "Format de contenu non pris en charge : envoyez du JSON.",
    429: "Trop de demandes : réessayez plus tard.",
    500: "Erreur interne : réessayez plus tard.",
    503: "Service momentanément indisponible : réessayez plus tard.",
}
_MAX_FIELDS_NAMED = 3


def error_body(code: str, detail: str, fields: Sequence[dict[str, str]] = ()) -> dict[str, Any]:
    """The body of every error answer of the JSON APIs."""
    return {"error": code, "detail": detail, "fields": list(fields)}


def status_code_name(status: int) -> str:
    """``not_found`` for 404, ``unauthorized`` for 401; ``http_<status>`` for a status Python does not name."""
    try:
        return HTTPStatus(status).name.lower()
    except ValueError:
        return f"http_{status}"


def invalid_input_body(errors: Sequence[Any]) -> dict[str, Any]:
    """The 422 body of refused fields: a French sentence naming the first few, and each with its reason."""
    fields = field_errors(errors)
    named = [item["field"] for item in fields if item["field"]][:_MAX_FIELDS_NAMED]
    more = len(fields) - len(named)
    if named:
        listed = ", ".join(f"« {name} »" for name in named) + (f" et {more} autre(s)" if more > 0 else "")
        detail = f"Champ(s) invalide(s) : {listed}. Corrigez-les et renvoyez la demande."
    else:
        detail = "La demande est invalide : " + "; ".join(item["message"] for item in fields[:_MAX_FIELDS_NAMED]) + "."
    return error_body(INVALID_INPUT, detail, fields)


async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    fields = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return JSONResponse(status_code=exc.status, content=error_body(exc.code, exc.message, fields))


async def concurrency_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=409, content=error_body(
        "conflict", "Quelqu'un d'autre vient de modifier cette fiche : rechargez-la et recommencez."))


async def request_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    return JSONResponse(status_code=422, content=invalid_input_body(exc.errors()))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = await http_exception_handler(request, exc)  # FastAPI's: no body for 204/304, headers kept
    if not isinstance(response, JSONResponse):
        return response
    return JSONResponse(status_code=exc.status_code, content=error_body(status_code_name(exc.status_code),
                                                                        _french_detail(exc)), headers=exc.headers)


def _french_detail(exc: HTTPException) -> str:
    """Our own details are French sentences; Starlette's defaults ("Not Found") get a French one."""
    default = HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else None
    if not isinstance(exc.detail, str) or exc.detail == default:
        return _FRENCH_STATUS.get(exc.status_code, f"La demande a été refusée (code {exc.status_code}).")
    return exc.detail


def install_error_handlers(app: FastAPI) -> None:
    """Make ``app`` answer every error above with the shared body and status."""
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(ConcurrencyError, concurrency_error)
    app.add_exception_handler(RequestValidationError, request_validation_error)
    app.add_exception_handler(ValidationError, request_validation_error)
    app.add_exception_handler(HTTPException, http_error)
