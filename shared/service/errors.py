"""The one error mapping of the four services' JSON APIs: every refusal is ``{"error": code, "detail": message}``.

``code`` is stable and machine-readable, ``detail`` is for people. The status follows the error, never the route,
so one code has one status everywhere:

* :class:`~shared.errors.DomainError` (422): the input breaks a business rule (unknown activity, future date);
* :class:`~shared.errors.Conflict` (409): the current state refuses the command (already contacted, cancelled);
* :class:`~shared.errors.NotFound` (404) and the other subclasses carry their own ``status``;
* :class:`~shared.storage.eventstore.ConcurrencyError` (409, ``conflict``): a concurrent writer won;
* FastAPI's and Starlette's ``HTTPException`` (401, 403, 404 of the security dependencies, unknown routes,
  405): the code is the status' name, e.g. ``not_found``, ``unauthorized``; its headers are kept.

FastAPI's own 422 request validation bodies (``{"detail": [{"type": ..., "loc": ...}]}``) are left as they are.
:func:`install_error_handlers` is called by :func:`shared.service.app.build_app`: no service registers its own.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared.errors import DomainError
from shared.storage.eventstore import ConcurrencyError


def error_body(code: str, detail: Any) -> dict[str, Any]:
    """The body of every error answer of the JSON APIs."""
    return {"error": code, "detail": detail}


def status_code_name(status: int) -> str:
    """``not_found`` for 404, ``unauthorized`` for 401; ``http_<status>`` for a status Python does not name."""
    try:
        return HTTPStatus(status).name.lower()
    except ValueError:
        return f"http_{status}"


async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(status_code=exc.status, content=error_body(exc.code, exc.message))


async def concurrency_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=409, content=error_body("conflict", str(exc)))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = await http_exception_handler(request, exc)  # FastAPI's: no body for 204/304, headers kept
    if not isinstance(response, JSONResponse):
        return response
    return JSONResponse(status_code=exc.status_code, content=error_body(status_code_name(exc.status_code), exc.detail),
                        headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Make ``app`` answer every error above with the shared body and status."""
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(ConcurrencyError, concurrency_error)
    app.add_exception_handler(HTTPException, http_error)
