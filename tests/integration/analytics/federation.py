"""A small federation history for the analysts' tests, made by the services' real code paths.

- intake: the demo calls of Limoges logged by the intake handlers, the residents' contacts sealed
  by a real vault (so the stores hold real ciphertexts of the demo residents' names and phones), and
  the first demo visits of the Lyon mediation desk;
- matching: the Limoges demo providers' directory events, and for each request an assignment,
  contact and intervention (or unmet demand);
- billing: a fee on the intervention (its request id in the payload, on the provider's account);
- every stored event published on the test's topics, and the live intake projections built from
  the topics by the standard runner path (:func:`relais.replay.rebuilder.rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer

from relais.devstack.demo_data import demo_calls, demo_providers, demo_residents, demo_visits
from relais.replay.rebuilder import rebuild
from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.domain.commands import LogRequest, LogVisit
from services.intake.read_models import describe
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.base import Event
from shared.contracts.codec import encode, from_json_dict
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events import billing as be
from shared.contracts.events import matching as me
from shared.contracts.events import providers as pe
from shared.messaging.admin import ensure_topics
from shared.platforms.loader import load_policies
from shared.privacy.contact import ResidentContact
from shared.privacy.vault import Vault
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.tables import core_metadata
from shared.storage.unit_of_work import SqlUnitOfWork

REPO = Path(__file__).resolve().parents[3]
PLATFORM = "limoges"
DESK = "pimms-lyon"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass
class Federation:
    settings: Settings
    requests: list[str] = field(default_factory=list)
    served: str = ""
    residents: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def federation_settings(tmp_path: Path, bootstrap: str, prefix: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", kafka_bootstrap_servers=bootstrap, topic_prefix=prefix,
                    platforms_dir=REPO / "deploy" / "platforms", vault_url=f"sqlite+aiosqlite:///{tmp_path / 'vault.db'}")


async def seed(settings: Settings) -> Federation:
    federation = Federation(settings, residents=demo_residents(PLATFORM))
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await ensure_topics(settings.kafka_bootstrap_servers, settings.topic_prefix)
    await _intake(federation)
    matching = await _store(settings, "matching", _matching_events(federation))
    await _store(settings, "billing", _billing_events(federation, matching))
    await _publish(settings)
    await _live_projections(settings)
    return federation


async def _intake(federation: Federation) -> None:
    settings = federation.settings
    metadata = intake_metadata()
    engine = create_engine(settings.service_database_url("intake"))
    vault = Vault(create_engine(settings.vault_database_url()))
    await vault.create_tables()
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    clock = FixedClock(START)
    policies = load_policies(settings.platforms_dir)
    handlers = IntakeHandlers(uow=lambda: SqlUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix),
                              sealer=vault, policies=policies, clock=clock)
    visits, _ = demo_visits(policies[DESK], START.date())
    for visit in visits[:60]:
        await handlers.log_visit(LogVisit(platform_id=DESK, actor="mediator:med-1", **visit))
    residents = {resident["resident_id"]: resident for resident in federation.residents}
    for call in demo_calls(PLATFORM):
        if call["kind"] != "request":
            continue
        resident = residents[call["resident"]]
        contact = ResidentContact(name=resident["name"], phone=resident["phone"], email=resident["email"],
                                  address=resident["address"])
        command = LogRequest(platform_id=PLATFORM, actor="operator:op-1", channel=call["channel"],
                             activity=call["activity"], commune=call["commune"], contact=contact,
                             resident_id=resident["resident_id"], fragile_publics=call["fragile_publics"])
        federation.requests.append(await handlers.log_request(command))
        clock.advance(timedelta(days=7))
    await engine.dispose()
    await vault.engine.dispose()


def _matching_events(federation: Federation) -> list[Envelope[Any]]:
    events: list[Envelope[Any]] = []
    for number, provider in enumerate(demo_providers(PLATFORM)):
        at = START - timedelta(days=400 - number)
        pid = provider["provider_id"]
        steps: list[Event] = [pe.ProviderApplied(
            provider_id=pid, name=provider["name"], kind=provider["kind"], siret=provider.get("siret"),
            activities=provider["activities"], communes=provider["communes"], qualifications=provider["qualifications"])]
        if provider["status"] != "applied":
            steps.append(pe.ProviderAdmitted(provider_id=pid, committee_on=provider["admitted_on"],
                                             members=[{"body": "ccas", "label": "CCAS"}], charter_signed_at=at))
        steps += [pe.AccreditationRecorded(provider_id=pid, **accreditation) for accreditation in provider["accreditations"]]
        steps.append(pe.ProviderAvailabilityChanged(provider_id=pid, weekly=provider["weekly"]))
        events += [new_envelope(step, platform_id=PLATFORM, aggregate_id=pid, aggregate_version=version, actor="operator:co-1",
                                occurred_at=at + timedelta(minutes=version)) for version, step in enumerate(steps, 1)]
    provider = next(p for p in demo_providers(PLATFORM) if p["status"] == "admitted" and "gardening" in p["activities"])
    for index, request_id in enumerate(federation.requests):
        at = START + timedelta(days=7 * index, minutes=5)
        ids = {"request_id": request_id, "activity": "gardening", "commune": "87085"}
        if index % 3 == 2:
            steps = [me.RequestUnmet(**ids, reason="no_provider_for_activity_in_commune")]
        else:
            steps = [me.ProviderAssigned(**ids, provider_id=provider["provider_id"], sector="limoges-ville",
                                         candidates=[provider["provider_id"]], eligible=[provider["provider_id"]],
                                         rotation_position=0,
                                         deadline_at=at + timedelta(hours=24)),
                     me.ContactConfirmed(request_id=request_id, provider_id=provider["provider_id"],
                                         contacted_at=at + timedelta(hours=3))]
            if index == 0:
                federation.served = request_id
                steps.append(me.InterventionDone(**ids, provider_id=provider["provider_id"], resident_id="res-lim-01",
                                                 done_on=(at + timedelta(days=2)).date(), labour_hours="3.00",
                                                 labour_amount_excl_tax="60.00", travel_amount_excl_tax="5.00",
                                                 amount_excl_tax="65.00"))
        events += [new_envelope(step, platform_id=PLATFORM, aggregate_id=request_id, aggregate_version=version,
                                actor="system:matching", occurred_at=at + timedelta(hours=version))
                   for version, step in enumerate(steps, 1)]
    return events


def _billing_events(federation: Federation, matching: list[Envelope[Any]]) -> list[Envelope[Any]]:
    done = next(e for e in matching if isinstance(e.payload, me.InterventionDone))
    fee = be.FeeCharged(provider_id=done.payload.provider_id, request_id=done.payload.request_id,
                        intervention_event_id=done.event_id, policy_id="limoges-2007", basis="percentage",
                        base_amount="65.00", rate="0.05", hours_charged="0.00", amount="3.25")
    return [done.caused(fee, aggregate_id=done.payload.provider_id, aggregate_version=1, actor="system:billing",
                        occurred_at=done.meta.occurred_at + timedelta(minutes=1))]


async def _store(settings: Settings, service: str, envelopes: list[Envelope[Any]]) -> list[Envelope[Any]]:
    metadata = core_metadata()
    engine = create_engine(settings.service_database_url(service))
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    async with SqlUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix) as uow:
        await uow.events.append(envelopes)
        await uow.commit()
    await engine.dispose()
    return envelopes


async def _publish(settings: Settings) -> None:
    """Every stored event on its topic, in occurrence order (as the relays would have published them)."""
    envelopes = []
    for service in ("intake", "matching", "billing"):
        engine = create_engine(settings.service_database_url(service))
        async with engine.connect() as conn:
            rows = await conn.execute(core_metadata().tables["events"].select())
            envelopes += [from_json_dict(orjson.loads(row.document)) for row in rows]
        await engine.dispose()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    try:
        for envelope in sorted(envelopes, key=lambda e: e.meta.occurred_at):
            record = encode(envelope, settings.topic_prefix)
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers,
                                         timestamp_ms=int(envelope.meta.occurred_at.timestamp() * 1000))
    finally:
        await producer.stop()


async def _live_projections(settings: Settings) -> None:
    models = describe()
    metadata = models.metadata()
    engine = create_engine(settings.service_database_url("intake"))
    try:
        for spec in models.projections:
            await rebuild(spec.build(metadata), engine, metadata, settings.kafka_bootstrap_servers, settings.topic_prefix)
    finally:
        await engine.dispose()


def environment(settings: Settings) -> dict[str, str]:
    """The variables the analysts' commands read, pointing at ``settings``' stores, broker and policies."""
    return {"RELAIS_DATA_DIR": str(settings.data_dir), "RELAIS_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
            "RELAIS_TOPIC_PREFIX": settings.topic_prefix, "RELAIS_PLATFORMS_DIR": str(settings.platforms_dir),
            "COLUMNS": "200"}
