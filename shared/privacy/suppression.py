"""Statistical confidentiality of a table of counts with totals: small counts hidden, and hidden for good.

The table is a hierarchy of :class:`Cell`: each total is the sum of its children (a month's total, the
totals of each activity x commune, the count of each reason). A count under the threshold is hidden
(primary suppression, shown as "< 5"). Totals could give it back: a total minus the published counts of
its other children is the hidden one. So other cells are hidden too (secondary suppression), until a
reader who knows every published figure, every total relation, that a count under the threshold lies
between 1 and the threshold minus 1 and that a secondary one is at least the threshold, can pin no
hidden count to a single value (:func:`exposed`, an exact bound propagation on this tree of sums).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MIN_THRESHOLD = 3
"""Under 3, "< 2" would say the count is 1."""
SECRET = "secret"
"""What a cell hidden by secondary suppression publishes."""
DEFAULT_THRESHOLD = 5
MAX_THRESHOLD = 100
"""The platforms' threshold unless their policy says otherwise (``small_count_threshold``)."""


def raised_threshold(policy_threshold: int, override: int | None) -> int:
    """The threshold to publish with: the policy's, or ``override`` when it asks for more; never less."""
    if override is None:
        return policy_threshold
    if override < policy_threshold:
        raise ValueError(f"le seuil de secret statistique demandé ({override}) est sous celui de la politique de la "
                         f"plateforme ({policy_threshold}) : il ne peut que le relever")
    return override


class Suppression(StrEnum):
    NONE = "none"
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(eq=False)
class Cell:
    """A count of the table, with the cells it is the total of."""

    key: tuple[Any, ...]
    count: int
    children: list[Cell] = field(default_factory=list)
    parent: Cell | None = None
    suppression: Suppression = Suppression.NONE

    def add(self, child: Cell) -> Cell:
        child.parent = self
        self.children.append(child)
        return child

    def walk(self) -> Iterator[Cell]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def hidden(self) -> bool:
        return self.suppression is not Suppression.NONE


def suppress(roots: Iterable[Cell], threshold: int) -> None:
    """Hide every count under ``threshold`` (at least 3: "< 2" would say 1), then as few others as it takes so
    that none can be recomputed."""
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"a threshold of {threshold} hides nothing: a count under it is known to be 1")
    for root in roots:  # no sum links two trees: each is protected on its own
        for cell in root.walk():
            if cell.count < threshold:
                cell.suppression = Suppression.PRIMARY
        while found := exposed(list(root.walk()), threshold):
            _protect(found[0])


def exposed(cells: list[Cell], threshold: int) -> list[Cell]:
    """The hidden cells whose count a reader of the published figures can work out exactly."""
    bounds = {id(cell): _known(cell, threshold) for cell in cells}
    totals = [cell for cell in cells if cell.children]
    changed = True
    while changed:
        changed = False
        for total in totals:
            changed |= _narrow(total, bounds)
    return [cell for cell in cells if cell.hidden and bounds[id(cell)][0] == bounds[id(cell)][1]]


def _known(cell: Cell, threshold: int) -> tuple[float, float]:
    if cell.suppression is Suppression.NONE:
        return (cell.count, cell.count)
    if cell.suppression is Suppression.PRIMARY:
        return (1, threshold - 1)
    return (threshold, math.inf)


def _narrow(total: Cell, bounds: dict[int, tuple[float, float]]) -> bool:
    """One pass of ``total = sum(children)`` over the bounds; True if any bound moved."""
    parts = [bounds[id(child)] for child in total.children]
    low_sum = sum(low for low, _ in parts)
    finite_high = sum(high for _, high in parts if high != math.inf)
    unbounded = sum(1 for _, high in parts if high == math.inf)
    changed = _tighten(bounds, total, low_sum, finite_high if not unbounded else math.inf)
    low, high = bounds[id(total)]
    for child, (child_low, child_high) in zip(total.children, parts, strict=True):
        others_unbounded = unbounded - (child_high == math.inf)
        others_high = math.inf if others_unbounded else finite_high - (0 if child_high == math.inf else child_high)
        changed |= _tighten(bounds, child, low - others_high, high - (low_sum - child_low))
    return changed


def _tighten(bounds: dict[int, tuple[float, float]], cell: Cell, low: float, high: float) -> bool:
    old_low, old_high = bounds[id(cell)]
    new = (max(old_low, low), min(old_high, high))
    if new == (old_low, old_high):
        return False
    bounds[id(cell)] = new
    return True


def _protect(cell: Cell) -> None:
    """Hide one more cell next to ``cell``: its smallest published sibling or child, else its parent; when all
    around is hidden already, protect the parent, and at the top publish the total without its detail."""
    siblings = cell.parent.children if cell.parent is not None else []
    candidates = [other for other in (*siblings, *cell.children) if not other.hidden]
    if candidates:
        min(candidates, key=lambda other: other.count).suppression = Suppression.SECONDARY
    elif cell.parent is None:
        cell.children.clear()
    elif not cell.parent.hidden:
        cell.parent.suppression = Suppression.SECONDARY
    else:
        _protect(cell.parent)
