"""Ordering deferred writes into groups that can run as one ``executemany`` each, without changing the outcome.

Writes to different tables commute unless foreign keys link them; writes to one table commute
when they touch different rows. A row is known by its conflict key only when that key is the
table's one unique key; an opaque statement (``shape`` None) may touch any row of its table.
:func:`group_writes` returns groups to run in order: each group is one shape (or one opaque
statement), and every pair of writes that might not commute keeps its original order.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, UniqueConstraint


@dataclass(slots=True)
class Deferred:
    """A deferred write: an upsert row of a statement ``shape``, or an opaque statement (``shape`` None)."""

    table: Table
    key: tuple[str, ...]
    shape: Hashable | None
    build: Callable[[], Any]
    row: Any
    result: Any = None


@dataclass
class _Wave:
    groups: dict[Any, list[Deferred]] = field(default_factory=dict)


def group_writes(writes: list[Deferred]) -> list[list[Deferred]]:
    """Groups of writes, in the order to run them (see the module docstring)."""
    if not writes:
        return []
    by_table: dict[Table, list[Deferred]] = {}
    for write in writes:
        by_table.setdefault(write.table, []).append(write)
    linked = len(by_table) > 1 and any(table.foreign_keys or _referenced(table, by_table) for table in by_table)
    sequences = [writes] if linked else list(by_table.values())
    return [group for sequence in sequences for wave in _waves(sequence) for group in wave.groups.values()]


def _referenced(table: Table, tables: dict[Table, Any]) -> bool:
    return any(key.column.table is table for other in tables for key in other.foreign_keys)


def _unique_column_sets(table: Table) -> set[frozenset[str]]:
    sets = {frozenset(column.name for column in table.primary_key.columns)}
    sets |= {frozenset(column.name for column in constraint.columns) for constraint in table.constraints
             if isinstance(constraint, UniqueConstraint)}
    sets |= {frozenset(column.name for column in index.columns) for index in table.indexes if index.unique}
    sets |= {frozenset([column.name]) for column in table.columns if column.unique}
    return sets - {frozenset()}


def _keyed(writes: list[Deferred]) -> bool:
    """Whether every write is an upsert on one table whose conflict key is its only unique key."""
    first = writes[0]
    return (all(w.table is first.table and w.key == first.key and w.shape is not None for w in writes[1:])
            and first.shape is not None and _unique_column_sets(first.table) == {frozenset(first.key)})


def _waves(writes: list[Deferred]) -> list[_Wave]:
    waves: list[_Wave] = []
    if not _keyed(writes):
        for index, write in enumerate(writes):
            group = write.shape if write.shape is not None else ("opaque", index)
            if not waves or group not in waves[-1].groups or write.shape is None:
                waves.append(_Wave())
            waves[-1].groups.setdefault(group, []).append(write)
        return waves
    last: dict[tuple[Any, ...], tuple[int, Hashable]] = {}
    for write in writes:
        identity = tuple(write.row.get(column) for column in write.key)
        previous = last.get(identity)
        index = 0 if previous is None else previous[0] + (previous[1] != write.shape)
        while len(waves) <= index:
            waves.append(_Wave())
        waves[index].groups.setdefault(write.shape, []).append(write)
        last[identity] = (index, write.shape)
    return waves
