"""The body of every service's Alembic ``env.py``.

A service's ``migrations/env.py`` is only::

    from services.intake.adapters.tables import metadata
    from shared.storage.alembic_env import run_migrations

    run_migrations(metadata)

:mod:`shared.storage.migrate` runs Alembic with an open connection in
``config.attributes["connection"]``; without one (plain ``alembic`` command line) the database
URL comes from ``config.attributes["url"]`` or the ``sqlalchemy.url`` option.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection, MetaData
from sqlalchemy.types import TypeDecorator

from shared.storage.engine import create_engine


def run_migrations(metadata_factory: Callable[[], MetaData]) -> None:
    """Run the migrations of the current Alembic command against ``metadata_factory()``."""
    target_metadata = metadata_factory()
    config = context.config
    if context.is_offline_mode():
        context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True,
                          render_item=render_decorated_types_as_their_impl)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection, target_metadata)
    else:
        asyncio.run(_run_with_new_engine(_url(), target_metadata))


def render_decorated_types_as_their_impl(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes ``sa.DateTime(timezone=True)`` for e.g. ``UtcDateTime``: the database
    sees the same type, and revision files import nothing from the application."""
    if kind == "type" and isinstance(item, TypeDecorator) and type(item.impl).__module__.startswith("sqlalchemy."):
        return f"sa.{item.impl!r}"
    return False


def _run_on(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      render_item=render_decorated_types_as_their_impl)
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_new_engine(url: str, target_metadata: MetaData) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_on, target_metadata)
    finally:
        await engine.dispose()


def _url() -> str:
    config = context.config
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: set config.attributes['url'] or sqlalchemy.url")
    return str(url)
