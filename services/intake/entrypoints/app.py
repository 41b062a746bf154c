"""The intake service's ASGI application (``uvicorn --factory services.intake.entrypoints.app:create_app``)."""

from __future__ import annotations

import secrets

from fastapi import FastAPI

from services.intake.bootstrap import bootstrap
from services.intake.domain.spam import FormLimits
from services.intake.entrypoints import (
    accounts_http,
    console_http,
    contact_http,
    desk_http,
    http,
    public_http,
    signin_http,
    single_sign_on_http,
    views_http,
)
from shared.outgoing.wiring import OutgoingSettings
from shared.security.single_sign_on import AccountSessions, SingleSignOnClients
from shared.security.web import Identity, invitation_sender
from shared.service.app import build_app
from shared.service.periodic import Periodic
from shared.service.test_clock import clock_router
from shared.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    intake = bootstrap(settings)
    identity = Identity.from_settings(intake.settings, clock=intake.clock, policies=intake.handlers.policies)
    invitations = invitation_sender(identity, intake.vault)
    callbacks = Periodic(intake.callbacks.sweep_once, interval=intake.sweep_interval, name="callback sweep")
    routers = [http.router, desk_http.router, views_http.router, contact_http.router, console_http.router, public_http.router,
               single_sign_on_http.router, signin_http.router, signin_http.api, accounts_http.router, accounts_http.pages]
    if intake.settings.test_clock:
        routers.append(clock_router(intake.clock, wake=[callbacks.wake]))
    return build_app(
        title="Relais — intake",
        runtime=intake.runtime,
        routers=routers,
        registry=intake.registry,
        state={"settings": intake.settings, "handlers": intake.handlers, "views": intake.views, "tokens": intake.tokens, "vault": intake.vault,
               "form_secret": secrets.token_bytes(32), "form_limiter": FormLimits(),
               "single_sign_on": SingleSignOnClients(intake.handlers.policies), "sign_in_sessions": AccountSessions(),
               "identity": identity, "invitation_sender": invitations},
        on_start=intake.vault.create_tables,
        background=[callbacks.run, lambda stop: invitations.run(stop, OutgoingSettings().interval)],
    )
