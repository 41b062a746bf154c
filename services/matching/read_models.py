"""Matching's replayable read models, for ``relais replay`` and the exports (see shared.messaging.read_models).

Only the fairness projection: ``matching.assign`` appends events (a process manager), so it is not replayed.
"""

from __future__ import annotations

from services.matching.adapters.tables import metadata
from services.matching.service_layer.projections import FAIRNESS, fairness_projection
from shared.messaging.read_models import ProjectionSpec, ReadModels, Split


def describe() -> ReadModels:
    return ReadModels(
        service="matching",
        metadata=metadata,
        projections=(ProjectionSpec(FAIRNESS, fairness_projection, ("fairness_counts", "fairness_requests"),
                                    rebuild_cost=4.4,
                                    split=Split({"fairness_counts": "sum", "fairness_requests": "union"})),),
    )
