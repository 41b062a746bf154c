"""Intake's replayable read models, for ``relais replay`` and the exports (see shared.messaging.read_models)."""

from __future__ import annotations

from typing import Any

from services.intake.adapters.tables import metadata
from services.intake.service_layer.projections import (
    console_projection,
    desk_projection,
    observatory_projection,
)
from shared.contracts.envelope import Envelope
from shared.contracts.topics import BILLING
from shared.messaging.read_models import ProjectionSpec, ReadModels, Split


def _request_of_fee(envelope: Envelope[Any]) -> str:
    """A fee (keyed by the provider's account on its topic) belongs with its request in the console."""
    return str(envelope.payload.request_id)


def describe() -> ReadModels:
    return ReadModels(
        service="intake",
        metadata=metadata,
        projections=(
            ProjectionSpec("intake.console", console_projection, ("request_view", "timeline", "callback_queue"),
                           rebuild_cost=10.5, split=Split(
                               {"request_view": "union", "timeline": "union", "callback_queue": "union"},
                               rekeyed={BILLING: _request_of_fee})),
            ProjectionSpec("intake.observatory", observatory_projection, ("unmet_demand", "information_calls"),
                           rebuild_cost=4.7, split=Split({"unmet_demand": "sum", "information_calls": "sum"})),
            ProjectionSpec("intake.desk", desk_projection, ("desk_visits",), rebuild_cost=0.1,
                           split=Split({"desk_visits": "union"})),
        ),
    )
