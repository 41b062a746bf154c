"""Schema migrations: one Alembic history per service, in ``services/<svc>/adapters/migrations``.

No ``alembic.ini``: the configuration is built here. Works with ``sqlite+aiosqlite`` and
``postgresql+asyncpg`` URLs (Alembic runs on an async connection through ``run_sync``). Each function
takes the history's folder: a service's bootstrap knows its own (``MIGRATIONS``), the applications find
them in the registry ``relais.services``, whose ``python -m relais.ops.migrate`` is the command line.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from shared.blocking import run_blocking
from shared.storage.engine import create_engine


def alembic_config(location: str | Path, url: str | None = None) -> Config:
    """An Alembic configuration for the history in ``location`` (revision files ``0001_slug.py``)."""
    config = Config()
    config.set_main_option("script_location", str(location))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.attributes["url"] = url
    return config


async def upgrade_async(url: str, location: str | Path, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` of the history in ``location``; idempotent."""
    config = alembic_config(location, url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_with_connection, config, command.upgrade, revision)
    finally:
        await engine.dispose()


def upgrade(url: str, location: str | Path, revision: str = "head") -> None:
    """Synchronous :func:`upgrade_async` (runs in a thread of its own when an event loop is running)."""
    run_blocking(upgrade_async(url, location, revision))


async def current_revision_async(url: str) -> str | None:
    """The revision the database at ``url`` is at (``None`` when never migrated)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()


def revision(location: Path, message: str) -> Path:
    """Autogenerate the next revision of the history in ``location`` from its service's metadata; return the new file.

    The difference is computed against a scratch SQLite database brought to the current head.
    """
    (location / "versions").mkdir(exist_ok=True)
    rev_id = f"{len(list(ScriptDirectory(str(location)).walk_revisions())) + 1:04d}"
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{Path(scratch) / 'scratch.db'}"
        upgrade(url, location)
        script = run_blocking(_autogenerate(url, location, message, rev_id))
    return Path(script.path)


async def _autogenerate(url: str, location: Path, message: str, rev_id: str) -> Any:
    config = alembic_config(location, url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(
                _with_connection, config, command.revision, message=message, autogenerate=True, rev_id=rev_id
            )
    finally:
        await engine.dispose()


def _with_connection(connection: Connection, config: Config, alembic_command: Any, *args: Any, **kwargs: Any) -> Any:
    config.attributes["connection"] = connection
    return alembic_command(config, *args, **kwargs)
