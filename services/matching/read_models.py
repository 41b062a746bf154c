"""Matching's replayable read models, for ``relais replay`` and the exports (see shared.analytics.catalogue).

Only the fairness projection: ``matching.assign`` appends events (a process manager), so it is not replayed.
"""

from __future__ import annotations

from services.matching.adapters.tables import metadata
from services.matching.service_layer.projections import FAIRNESS, fairness_projection
from shared.analytics.catalogue import ProjectionSpec, ReadModels


def describe() -> ReadModels:
    return ReadModels(
        service="matching",
        metadata=metadata,
        projections=(ProjectionSpec(FAIRNESS, fairness_projection, ("fairness_counts", "fairness_requests"),
                                    rebuild_cost=4.4),),
    )
