"""The platform and the seekers the employment unit tests start from."""

from __future__ import annotations

from datetime import date

from services.employment.domain import commands as c
from shared.contracts.events.employment import Trade
from shared.privacy.contact import ResidentContact
from tests.unit.employment.fakes import World

P = "val-de-marne"


async def register(world: World, name: str, commune: str = "94028", trades: tuple[Trade, ...] = (Trade.HOME_HELP,),
                   source: str = "france_travail") -> str:
    """A seeker registered by an advisor on ``P``; their id."""
    body = c.RegisterSeeker(identity=ResidentContact(name=name, phone="06 12 34 56 78"), referral_source=source,
                            trades=list(trades), commune=commune, mobility_km=10, available_from=date(2026, 3, 1),
                            hours_per_week="24.00")
    return await world.handlers.register_seeker(P, body, "advisor:adv-1", "adv-1")
