"""Every service's migrations on SQLite and PostgreSQL: they apply, are idempotent, match the tables."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from relais.services import registered
from shared.settings import SERVICES
from shared.storage.migrate import (
    alembic_config,
    current_revision_async,
    upgrade,
    upgrade_async,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_apply_twice_and_match_the_service_metadata(service, database_url, engine) -> None:
    await upgrade_async(database_url, registered(service).migrations)
    await upgrade_async(database_url, registered(service).migrations)

    assert await current_revision_async(database_url) == head_of(service)
    service_metadata = registered(service).read_models().metadata()
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), service_metadata)
        )
    assert differences == [], (
        f"{service}'s tables differ from its migrations: "
        f"python -m relais.ops.migrate revision {service} 'describe the change'"
    )


async def test_the_synchronous_upgrade_works_from_inside_an_event_loop(database_url) -> None:
    upgrade(database_url, registered("intake").migrations)

    assert await current_revision_async(database_url) == head_of("intake")


def head_of(service: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(registered(service).migrations)).get_current_head()
