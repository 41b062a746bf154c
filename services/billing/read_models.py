"""Billing's replayable read models, for ``relais replay`` and the exports (see shared.messaging.read_models).

Only the ledger, as the ``billing.ledger`` fold of the billing topic: live, the same tables are
written by the fee process manager (``billing.fees``, which appends events and is not replayed) and
the payment and statement commands, through the same :meth:`Ledger.record`, so both must agree.
The platforms' time zones (the day an entry is booked on) are read when the projection is built.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from services.billing.adapters.ledger import Ledger
from services.billing.adapters.tables import metadata
from services.billing.service_layer.projections import LEDGER, ledger_projection
from shared.messaging.projection import Projection
from shared.messaging.read_models import ProjectionSpec, ReadModels, Split
from shared.platforms.loader import load_policies
from shared.settings import load_settings


def _ledger(tables: MetaData) -> Projection:
    policies = load_policies(load_settings().platforms_dir)
    return ledger_projection(Ledger(tables, {platform_id: policy.zone for platform_id, policy in policies.items()}))


def describe() -> ReadModels:
    return ReadModels(
        service="billing",
        metadata=metadata,
        projections=(ProjectionSpec(LEDGER, _ledger, ("ledger_entries", "accounts", "statements"),
                                     live_consumer=False, rebuild_cost=0.7,
                                     split=Split({"ledger_entries": "union", "accounts": "union", "statements": "union"})),),
    )
