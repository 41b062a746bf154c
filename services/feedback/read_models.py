"""Feedback's replayable read models, for ``relais replay`` and the exports (see shared.messaging.read_models).

The satisfaction projections (of interventions, and of desks' visitors): ``feedback.surveys`` appends SurveySent (a process manager), so it
is not replayed. The platform policies (time zones, alert thresholds) are read when it is built.
A rebuild shared out by partition takes the desks' figures by partition, the satisfaction projection whole:
its alerts follow a provider's answers across requests, which are keyed by request.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from services.feedback.adapters.tables import metadata
from services.feedback.service_layer.projections import (
    DESK_SATISFACTION,
    SATISFACTION,
    desk_satisfaction_projection,
    satisfaction_projection,
)
from shared.messaging.projection import Projection
from shared.messaging.read_models import ProjectionSpec, ReadModels, Split
from shared.platforms.loader import load_policies
from shared.settings import load_settings


def _satisfaction(tables: MetaData) -> Projection:
    return satisfaction_projection(tables, load_policies(load_settings().platforms_dir))


def describe() -> ReadModels:
    return ReadModels(
        service="feedback",
        metadata=metadata,
        projections=(ProjectionSpec(SATISFACTION, _satisfaction, ("survey_answers", "satisfaction_alerts"),
                                    rebuild_cost=2.2),
                     ProjectionSpec(DESK_SATISFACTION, desk_satisfaction_projection, ("desk_satisfaction",),
                                    rebuild_cost=0.1, split=Split({"desk_satisfaction": "sum"}))),
    )
