"""An outbox of outgoing messages on a real SQLite store and vault, a real SMTP server and a local SMS gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.devstack.ports import free_port
from relais.devstack.smtp_sink import SmtpSink
from shared.clock import FixedClock
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Channel
from shared.outgoing.outbox import OutgoingMessage, queue
from shared.outgoing.sender import Retry, Sender
from shared.outgoing.tables import add_notifications_table
from shared.privacy.contact import ResidentContact
from shared.privacy.vault import Vault
from shared.storage.engine import begin_write, create_engine
from shared.storage.tables import core_metadata

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
JEANNE = ResidentContact(name="Jeanne Martin", phone="06 12 34 56 78", email="jeanne.martin@example.org",
                         address="3 rue des Tilleuls, 87000 Limoges")


@dataclass
class Outbox:
    engine: AsyncEngine
    metadata: MetaData
    vault: Vault
    clock: FixedClock

    async def queue_for(self, channel: SendChannel, *, contact: ResidentContact = JEANNE, resident_id: str = "res-1",
                        link: str = "https://avis.example.fr/s/secret-token", platform_id: str = "limoges") -> str:
        """Queue a survey message to a resident, contact and link sealed with their key, as a service would."""
        message = OutgoingMessage(
            platform_id=platform_id, request_id=f"req-{resident_id}", kind="survey", channel=channel,
            subject="Votre avis sur l'intervention du 01/03/2026", body="Proximain vous remercie.\n\nDeux minutes suffisent.",
            recipient=await self.vault.seal(resident_id, platform_id, contact),
            secret=await self.vault.seal(resident_id, platform_id, {"link": link}), resident_id=resident_id,
            reference=f"srv-{resident_id}",
        )
        async with begin_write(self.engine) as connection:
            return await queue(connection, self.metadata, message, self.clock.now())

    def sender(self, channels: dict[SendChannel, Channel], **retry: Any) -> Sender:
        return Sender(self.engine, self.metadata, channels=channels, unsealer=self.vault, reader="system:test",
                      clock=self.clock, retry=Retry(**{"base_delay": 30.0, "max_attempts": 4, **retry}))

    async def row(self, notification_id: str) -> dict[str, Any]:
        table = self.metadata.tables["notifications"]
        async with self.engine.connect() as connection:
            query = select(table).where(table.c.notification_id == notification_id)
            return dict((await connection.execute(query)).mappings().one())


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[Outbox]:
    metadata = core_metadata()
    add_notifications_table(metadata)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'service.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    vault = Vault(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'vault.db'}"))
    await vault.create_tables()
    try:
        yield Outbox(engine, metadata, vault, FixedClock(START))
    finally:
        await engine.dispose()
        await vault.engine.dispose()


@pytest.fixture
def smtp_sink(tmp_path: Path) -> Iterator[SmtpSink]:
    sink = SmtpSink(tmp_path / "mail").start()
    try:
        yield sink
    finally:
        sink.stop()


@dataclass
class Gateway:
    """A local SMS gateway answering each request with the next status of ``statuses`` (then 201)."""

    url: str = ""
    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        status = self.statuses.pop(0) if self.statuses else 201
        return web.json_response({"messageId": len(self.requests)} if status < 300 else {"code": "error"}, status=status)


@pytest.fixture
async def sms_gateway() -> AsyncIterator[Gateway]:
    gateway = Gateway()
    app = web.Application()
    app.router.add_post("/v3/transactionalSMS/sms", gateway.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    gateway.url = f"http://127.0.0.1:{port}/v3/transactionalSMS/sms"
    try:
        yield gateway
    finally:
        await runner.cleanup()
