"""Group commit: concurrent writes coalesced into one transaction, each caller told its own outcome.

A transaction through SQLAlchemy's async layer costs a couple of milliseconds of thread hops and
round trips however little it writes (and SQLite has one writer at a time), so under load a store
spends its time opening and committing transactions. :class:`GroupCommit` queues what callers
ask for; while one batch is being written the next one gathers, and each batch is written by
ONE call of ``write_many`` (one transaction). If that call fails, the batch is written again one
item at a time, so a bad item fails alone and every other caller still gets its result; an item
that fails on its own gets its own exception (nothing is swallowed).

Only items that do not depend on one another belong in one group (e.g. first events of new
aggregates, keys of new residents): the batch must mean the same as the items one by one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

from shared.contracts.envelope import Envelope
from shared.storage.ports import UnitOfWork

Item = TypeVar("Item")
Result = TypeVar("Result")

WriteMany = Callable[[Sequence[Item]], Awaitable[Sequence[Result]]]


class GroupCommit(Generic[Item, Result]):
    """``await group(item)`` writes ``item`` with whatever else is waiting; returns its result.

    ``write_many(items)`` must write every item in ONE transaction (all or nothing) and return
    one result per item, in order. ``max_batch`` bounds a transaction's size.
    """

    def __init__(self, write_many: WriteMany[Item, Result], *, max_batch: int = 500) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write_many = write_many
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0
        """Transactions written so far (for metrics and tests)."""

    async def __call__(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await asyncio.shield(future)

    async def _write_waiting(self) -> None:
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                await self._write(batch)
            except BaseException as error:  # cancelled or worse: nobody in this batch may hang
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error if isinstance(error, Exception) else asyncio.CancelledError())
                raise

    async def _write(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._write_many([item for item, _ in batch])
            self.batches += 1
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return
            for single in batch:
                await self._write([single])
            return
        if len(results) != len(batch):
            raise RuntimeError(f"write_many returned {len(results)} results for {len(batch)} items")
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)


def grouped_first_events(unit_of_work: Callable[[], UnitOfWork]) -> GroupCommit[Envelope[Any], None]:
    """Appends of the FIRST event of new aggregates (fresh ids: they cannot conflict with one
    another), many per unit of work. ``unit_of_work()`` gives a fresh :class:`SqlUnitOfWork`
    (or a fake with the same ``events.append`` / ``commit``)."""

    async def append_all(envelopes: Sequence[Envelope[Any]]) -> list[None]:
        async with unit_of_work() as uow:
            await uow.events.append(list(envelopes))
            await uow.commit()
        return [None] * len(envelopes)

    return GroupCommit(append_all)
