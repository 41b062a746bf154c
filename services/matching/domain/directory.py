"""What matching knows of a provider: the provider directory folded from the provider's events.

The fold is the contract's (:mod:`shared.contracts.directory`), the one the analysts' exports use too,
so matching and the exports cannot disagree on a provider (an agrément in force, say).
"""

from __future__ import annotations

from shared.contracts.directory import (
    ADMITTED,
    APPLIED,
    REJECTED,
    SUSPENDED,
    WITHDRAWN,
    Accreditation,
    Provider,
    evolve,
    from_history,
)

__all__ = ["ADMITTED", "APPLIED", "REJECTED", "SUSPENDED", "WITHDRAWN", "Accreditation", "Provider", "evolve",
           "from_history"]
