"""The employment projection: ``employment.figures`` (read model) counts every step of the employment topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import MetaData

from services.employment.adapters.figures import record_facts
from shared.contracts.envelope import Envelope
from shared.contracts.events import employment as e
from shared.contracts.topics import EMPLOYMENT
from shared.messaging.projection import Projection
from shared.platforms.model import PlatformPolicy
from shared.storage.ports import ProjectionConnection

FIGURES = "employment.figures"
COUNTED = (e.SeekerRegistered, e.SessionHeld, e.SeekerAssessed, e.SeekerJoinedCohort, e.ModuleCertified,
           e.TrainingCompleted,
           e.OpeningPosted, e.CandidatesProposed, e.SeekerHired, e.PlacementChecked)


def figures_projection(metadata: MetaData, policies: Mapping[str, PlatformPolicy]) -> Projection:
    projection = Projection(FIGURES, topics=(EMPLOYMENT,))

    @projection.handles(*COUNTED)
    async def count(conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        await record_facts(conn, metadata, envelope, policies[envelope.platform_id])

    return projection
