"""Employment's replayable read models, for ``relais replay`` and the exports (see shared.messaging.read_models).

Only the figures projection (``employment.figures``): the seeker and opening indexes are written with
the service's own events, by its commands. The platforms' time zones (the month of each fact) are read
when it is built. Exports leave the seeker ids out (a seeker id would find the person in the export).
"""

from __future__ import annotations

from sqlalchemy import MetaData

from services.employment.adapters.tables import metadata
from services.employment.service_layer.projections import FIGURES, figures_projection
from shared.messaging.projection import Projection
from shared.messaging.read_models import ProjectionSpec, ReadModels
from shared.platforms.loader import load_policies
from shared.settings import load_settings


def _figures(tables: MetaData) -> Projection:
    return figures_projection(tables, load_policies(load_settings().platforms_dir))


def describe() -> ReadModels:
    return ReadModels(
        service="employment",
        metadata=metadata,
        projections=(ProjectionSpec(FIGURES, _figures, ("employment_facts", "employment_seeker_profiles"),
                                    rebuild_cost=0.2),),
        personal={"employment_facts": ("subject",), "employment_seeker_profiles": ("seeker_id",)},
    )
