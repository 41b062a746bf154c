"""The read-model connection an HTTP route reads projections through: one per request, closed after it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True)
class ReadModelConnection:
    """A connection to the service's store and the metadata of its tables."""

    conn: AsyncConnection
    metadata: MetaData


async def read_model(request: Request) -> AsyncIterator[ReadModelConnection]:
    """FastAPI dependency: a connection of the app's service runtime for the time of the request."""
    runtime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        yield ReadModelConnection(conn, runtime.metadata)


ReadModel = Annotated[ReadModelConnection, Depends(read_model)]
"""A route parameter typed ``ReadModel`` gets a :class:`ReadModelConnection`."""
