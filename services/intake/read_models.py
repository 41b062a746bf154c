"""Intake's replayable read models, for ``relais replay`` and the exports (see shared.messaging.read_models)."""

from __future__ import annotations

from services.intake.adapters.tables import metadata
from services.intake.service_layer.projections import (
    console_projection,
    desk_projection,
    observatory_projection,
)
from shared.messaging.read_models import ProjectionSpec, ReadModels


def describe() -> ReadModels:
    return ReadModels(
        service="intake",
        metadata=metadata,
        projections=(
            ProjectionSpec("intake.console", console_projection, ("request_view", "timeline", "callback_queue"),
                           rebuild_cost=10.5),
            ProjectionSpec("intake.observatory", observatory_projection, ("unmet_demand", "information_calls"),
                           rebuild_cost=4.7),
            ProjectionSpec("intake.desk", desk_projection, ("desk_visits",), rebuild_cost=0.1),
        ),
    )
