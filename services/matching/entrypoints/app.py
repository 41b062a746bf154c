"""The matching service's ASGI application (``uvicorn --factory services.matching.entrypoints.app:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.matching.bootstrap import Matching, bootstrap
from services.matching.entrypoints import http_directory, http_fairness, http_offers, http_proof, offer_page
from shared.clock import Clock
from shared.service.app import build_app
from shared.service.periodic import Periodic
from shared.service.test_clock import clock_router
from shared.settings import Settings


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               matching: Matching | None = None) -> FastAPI:
    """The app; ``matching`` lets tests pass a bootstrap of their own (e.g. with local email channels)."""
    matching = matching or bootstrap(settings, clock=clock)
    deadlines = Periodic(matching.sweeper.sweep_once, interval=matching.sweep_interval, name="deadline sweep")
    routers = [http_directory.router, http_directory.cards_router, http_offers.router, http_fairness.router,
               http_proof.router, offer_page.router]
    if matching.settings.test_clock:
        routers.append(clock_router(matching.clock, wake=[deadlines.wake]))
    app = build_app(
        title="Relais — matching",
        runtime=matching.runtime,
        routers=routers,
        registry=matching.registry,
        state={"directory": matching.directory, "offers": matching.offers, "views": matching.views,
               "sweeper": matching.sweeper, "clock": matching.clock, "policies": matching.policies,
               "tokens": matching.tokens, "vault": matching.vault, "offer_links": matching.offer_links},
        on_start=matching.vault.create_tables,
        background=[deadlines.run, matching.outgoing.run],
    )
    return app
