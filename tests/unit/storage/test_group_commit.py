"""Group commit: concurrent items written together; a failing item fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from shared.storage.group_commit import GroupCommit


async def test_items_arriving_together_share_a_write_and_each_gets_its_own_result() -> None:
    writes: list[list[int]] = []

    async def write_many(items: Sequence[int]) -> list[int]:
        writes.append(list(items))
        await asyncio.sleep(0)
        return [item * 10 for item in items]

    group = GroupCommit(write_many)
    results = await asyncio.gather(*(group(n) for n in range(20)))

    assert results == [n * 10 for n in range(20)]
    assert sorted(n for batch in writes for n in batch) == list(range(20))
    assert len(writes) < 20
    assert group.batches == len(writes)


async def test_a_bad_item_fails_alone_and_the_others_are_written() -> None:
    written: list[int] = []

    async def write_many(items: Sequence[int]) -> list[None]:
        if 13 in items:
            raise ValueError("13 is refused")
        written.extend(items)
        return [None] * len(items)

    group = GroupCommit(write_many)
    outcomes = await asyncio.gather(*(group(n) for n in range(20)), return_exceptions=True)

    assert isinstance(outcomes[13], ValueError)
    assert all(outcome is None for n, outcome in enumerate(outcomes) if n != 13)
    assert sorted(written) == [n for n in range(20) if n != 13]


async def test_batches_are_bounded() -> None:
    sizes: list[int] = []

    async def write_many(items: Sequence[int]) -> list[None]:
        sizes.append(len(items))
        return [None] * len(items)

    group = GroupCommit(write_many, max_batch=4)
    await asyncio.gather(*(group(n) for n in range(10)))
    assert max(sizes) <= 4 and sum(sizes) == 10
    with pytest.raises(ValueError):
        GroupCommit(write_many, max_batch=0)
