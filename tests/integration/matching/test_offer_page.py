"""Offers reach providers by email and their page works: accept, contact, intervention, correction (no broker).

The matching app runs on a real database with the real vault; the offer email goes through the
shared sender to a real SMTP server, and the page is driven with its own links and forms.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from relais.devstack.smtp_sink import SmtpSink
from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.adapters.unit_of_work import MatchingStore, MatchingUnitOfWork
from services.matching.bootstrap import MIGRATIONS, Matching, bootstrap
from services.matching.entrypoints.app import create_app
from services.matching.service_layer.assignment import receive_request
from services.matching.service_layer.offer_messages import offer_messages_projection
from shared.clock import FixedClock
from shared.contracts.codec import encode
from shared.contracts.events.feedback import SendChannel
from shared.messaging.batches import apply_batch
from shared.messaging.projection import InboundRecord
from shared.outgoing.smtp import SmtpMailer, SmtpSettings
from shared.privacy.contact import ResidentContact
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.fixtures.services import issue_token
from tests.unit.matching.builders import LIMOGES, T0, limoges, request_logged, write_policies

pytestmark = pytest.mark.integration
ADMIT = {"decision": "admitted", "committee_on": "2026-02-01", "members": [{"body": "ccas", "label": "CCAS de Limoges"}],
         "charter_signed_at": "2026-02-01T10:00:00Z"}
JEANNE = ResidentContact(name="Jeanne Martin", phone="05 55 12 34 56", email="jeanne.martin@example.org",
                         address="3 rue des Tilleuls, 87000 Limoges")


@dataclass
class World:
    client: httpx.AsyncClient
    matching: Matching
    sink: SmtpSink
    settings: Settings
    offsets: Any

    async def deliver_offers(self) -> None:
        """Deliver the store's matching events to the offer messages process, as the broker would."""
        async with MatchingUnitOfWork(self.matching.runtime.engine, self.matching.runtime.metadata) as uow:
            history = await uow.events.load("request", "req-1")
        records = [InboundRecord(e.topic, 0, next(self.offsets), e.key, e.value, tuple(e.headers))
                   for e in (encode(envelope, "") for envelope in history)]
        process = offer_messages_projection(policies=self.matching.policies, links=self.matching.offer_links,
                                            clock=self.matching.clock, metadata=self.matching.runtime.metadata)
        await apply_batch(self.matching.runtime.engine, self.matching.runtime.metadata, process, records)

    async def event_types(self) -> list[str]:
        async with MatchingUnitOfWork(self.matching.runtime.engine, self.matching.runtime.metadata) as uow:
            return [envelope.event_type for envelope in await uow.events.load("request", "req-1")]


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    platforms = write_policies(tmp_path / "platforms")
    policy = yaml.safe_load((platforms / "limoges.yaml").read_text())
    policy["callback"]["reminder_hours_before"] = 4
    policy["callback"]["confirm_to_resident"] = "email"
    (platforms / "limoges.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True))
    settings = Settings(data_dir=tmp_path, database_url=database_url, platforms_dir=platforms,
                        tokens_file=tmp_path / "tokens.yaml", kafka_bootstrap_servers="127.0.0.1:1",
                        matching_url="http://relais.test")
    await upgrade_async(database_url, MIGRATIONS)
    sink = SmtpSink(tmp_path / "mail").start()
    mailer = SmtpMailer(SmtpSettings(host=sink.host, port=sink.port, security="none"))
    matching = bootstrap(settings, clock=FixedClock(T0), channels={SendChannel.EMAIL: mailer})
    await matching.vault.create_tables()
    app = create_app(settings, matching=matching)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relais.test") as client:
            yield World(client, matching, sink, settings, count())
    finally:
        sink.stop()
        await matching.vault.engine.dispose()
        await matching.runtime.engine.dispose()


async def offered(world: World) -> str:
    """One admitted provider reachable by email, one request offered to it; returns the provider id."""
    co = issue_token(world.settings, "limoges", Role.COORDINATOR, "co-1")
    created = await world.client.post("/platforms/limoges/providers", headers=co, json={
        "name": "Jardins du Limousin", "kind": "association", "siret": "12345678901234", "activities": ["gardening"],
        "communes": [LIMOGES], "email": "contact@jardins.example", "offers_by": ["email"]})
    assert created.status_code == 201, created.text
    provider_id = created.json()["id"]
    assert (await world.client.post(f"/platforms/limoges/providers/{provider_id}/committee-decision", headers=co,
                                    json=ADMIT)).status_code == 200
    logged = request_logged("req-1")
    contact = await world.matching.vault.seal("res-1", "limoges", JEANNE)
    logged = logged.model_copy(update={"payload": logged.payload.model_copy(update={"contact": contact})})
    engine = create_engine(world.settings.service_database_url("matching"))
    try:
        async with engine.begin() as conn:
            await receive_request(MatchingStore(conn, matching_metadata()), limoges(), logged, T0)
    finally:
        await engine.dispose()
    return provider_id


async def test_one_offer_email_whose_link_lets_the_provider_accept_work_and_correct(world: World) -> None:
    await offered(world)
    await world.deliver_offers()
    await world.matching.outgoing.sender.send_due()
    await world.deliver_offers()  # redelivered
    await world.matching.outgoing.sender.send_due()

    email, confirmation = sorted(world.sink.messages(), key=lambda message: str(message["To"]))
    assert confirmation["To"] == "Jeanne Martin <jeanne.martin@example.org>"
    assert confirmation["Subject"] == "Votre demande de Jardinage est transmise"
    assert ("à Jardins du Limousin, qui s'engage à vous rappeler avant le 03/03 à 10:00"
            in confirmation.get_body(preferencelist=("plain",)).get_content())
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert email["To"] == "Jardins du Limousin <contact@jardins.example>"
    assert email["Subject"] == "Nouvelle demande : Jardinage à Limoges"
    assert "avant le 03/03 à 10:00" in text  # 24 h after 09:00 UTC, in Paris time
    page = re.search(r"http://relais\.test(/o/\S+)", text).group(1)

    shown = await world.client.get(page)
    assert shown.status_code == 200 and "Jardinage à Limoges" in shown.text
    assert "Jeanne Martin" not in shown.text and "s'affichent dès que vous acceptez" in shown.text

    steps = [{"action": "accept"}, {"action": "contact"},
             {"action": "done", "done_on": "2026-03-02", "labour_hours": "2,5", "labour": "75", "travel": "8,50"}]
    for step in steps:
        posted = await world.client.post(page, data=step)
        assert posted.status_code == 303, posted.text
    after = await world.client.get(page + "?fait=done")
    assert "Jeanne Martin" in after.text and "05 55 12 34 56" in after.text
    assert "Intervention enregistrée" in after.text and "83,50 €" in after.text

    same = await world.client.post(page, data={"action": "correct", "done_on": "2026-03-02", "labour_hours": "2,50",
                                               "labour": "75,00", "travel": "8,50", "reason": "essai"})
    assert same.status_code == 409 and "rien à corriger" in same.text
    wrong = await world.client.post(page, data={"action": "correct", "done_on": "2026-03-02", "labour_hours": "3",
                                                "labour": "quatre-vingt", "travel": "8,50", "reason": "heures"})
    assert wrong.status_code == 422 and "Indiquez le montant de la main-d&#39;œuvre en euros" in wrong.text
    fixed = await world.client.post(page, data={"action": "correct", "done_on": "2026-03-02", "labour_hours": "3",
                                                "labour": "90", "travel": "8,50", "reason": "une demi-heure oubliée"})
    assert fixed.status_code == 303
    assert await world.event_types() == ["ProviderAssigned", "OfferAccepted", "ContactConfirmed", "InterventionDone",
                                         "InterventionCorrected"]
    final = await world.client.get(page)
    assert "98,50 €" in final.text
    listing = await world.client.get(re.search(r'href="http://relais\.test(/p/[^"]+)">Voir toutes vos offres', final.text).group(1))
    assert listing.status_code == 200 and "Aucune offre en cours." in listing.text
    assert "Jardinage à Limoges</a> — intervention déclarée" in listing.text
    readers = {read.reader for read in await world.matching.vault.read_log("res-1")}
    holder = (await world.matching.offers.view("limoges", "req-1")).provider_id
    assert readers == {f"provider:{holder}", "system:matching"}  # the page, and the sender of the confirmation


async def test_a_tampered_or_foreign_link_is_refused_in_french(world: World) -> None:
    await offered(world)
    await world.deliver_offers()
    await world.matching.outgoing.sender.send_due()
    email = next(message for message in world.sink.messages() if "jardins.example" in str(message["To"]))
    page = re.search(r"http://relais\.test(/o/\S+)", email.get_body(preferencelist=("plain",)).get_content()).group(1)

    tampered = await world.client.get(page[:-3] + "abc")
    assert tampered.status_code == 404 and "Lien non valide" in tampered.text
    declined = await world.client.post(page, data={"action": "decline"})
    assert declined.status_code == 422 and "Choisissez la raison" in declined.text
    declined = await world.client.post(page, data={"action": "decline", "reason": "too_far"})
    assert declined.status_code == 303
    gone = await world.client.get(page)
    assert gone.status_code == 410 and "plus la vôtre" in gone.text


async def test_the_provider_is_reminded_once_before_the_callback_deadline(world: World) -> None:
    await offered(world)
    await world.deliver_offers()
    sweeper, sender = world.matching.sweeper, world.matching.outgoing.sender

    await sweeper.sweep_once()  # 24 h before the deadline: too early (the policy says 4 h)
    world.matching.clock.advance(timedelta(hours=21))
    await sweeper.sweep_once()
    await sweeper.sweep_once()
    await sender.send_due()

    offer, reminder, _ = sorted(world.sink.messages(), key=lambda message: str(message["Subject"]))
    assert offer["Subject"] == "Nouvelle demande : Jardinage à Limoges"
    assert reminder["Subject"] == "Rappel : demande de Jardinage à Limoges"
    text = reminder.get_body(preferencelist=("plain",)).get_content()
    assert "avant le 03/03 à 10:00" in text and "http://relais.test/o/" in text


async def test_an_offer_read_after_its_deadline_is_not_sent(world: World) -> None:
    await offered(world)
    world.matching.clock.advance(timedelta(hours=25))  # e.g. a new consumer group reading old history

    await world.deliver_offers()
    await world.matching.outgoing.sender.send_due()

    assert world.sink.messages() == []
