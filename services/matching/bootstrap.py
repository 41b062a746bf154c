"""Wires the matching service: real dependencies by default, a given clock where a test passes one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.matching.adapters.offer_links import OfferLinks
from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.adapters.unit_of_work import MatchingUnitOfWork
from services.matching.adapters.views import MatchingViews
from services.matching.service_layer.assignment import assignment_projection
from services.matching.service_layer.handlers import DirectoryHandlers, OfferHandlers
from services.matching.service_layer.offer_messages import OfferReminders, offer_messages_projection
from services.matching.service_layer.projections import fairness_projection
from services.matching.service_layer.sweeper import DeadlineSweeper
from shared.clock import Clock, SystemClock
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Channel
from shared.outgoing.outbox import cancel_on_erasure
from shared.outgoing.wiring import Outgoing, outgoing
from shared.platforms.loader import load_policies
from shared.platforms.model import PlatformPolicy
from shared.privacy.vault import Vault
from shared.security.signed_links import secret_from_file
from shared.security.tokens import TokenRegistry
from shared.service.runtime import ServiceRuntime
from shared.settings import Settings, load_settings
from shared.storage.engine import create_engine

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"
SWEEP_INTERVAL_SECONDS = 5.0


class MatchingSettings(BaseSettings):
    """Settings of the matching service only (prefix ``RELAIS_MATCHING_``; its public address is ``RELAIS_MATCHING_URL``)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_MATCHING_", env_file=".env", extra="ignore")

    link_secret: SecretStr | None = Field(
        default=None, description="Secret signing the providers' offer links (32+ characters); unset: made once and "
        "kept in <data dir>/matching-links.key. Changing it revokes every link sent.")


@dataclass
class Matching:
    settings: Settings
    runtime: ServiceRuntime
    directory: DirectoryHandlers
    offers: OfferHandlers
    sweeper: DeadlineSweeper
    sweep_interval: float
    views: MatchingViews
    policies: dict[str, PlatformPolicy]
    clock: Any
    tokens: TokenRegistry
    registry: CollectorRegistry
    vault: Vault
    offer_links: OfferLinks
    outgoing: Outgoing


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              sweep_interval: float = SWEEP_INTERVAL_SECONDS, channels: Mapping[SendChannel, Channel] | None = None,
              matching_settings: MatchingSettings | None = None) -> Matching:
    """The matching service; ``channels`` replace the email/SMS channels of the settings (tests)."""
    settings = settings or load_settings()
    own = matching_settings or MatchingSettings()
    policies = load_policies(settings.platforms_dir)
    clock = clock or SystemClock()
    url = settings.service_database_url("matching")
    engine = create_engine(url)
    metadata = matching_metadata()
    secret = own.link_secret.get_secret_value() if own.link_secret else secret_from_file(
        settings.data_dir / "matching-links.key")
    offer_links = OfferLinks(secret, settings.matching_url)
    vault = Vault(create_engine(settings.vault_database_url()))
    projections = [
        assignment_projection(policies=policies, clock=clock, metadata=metadata, topic_prefix=settings.topic_prefix),
        fairness_projection(metadata),
        offer_messages_projection(policies=policies, links=offer_links, clock=clock, metadata=metadata),
        cancel_on_erasure(metadata, "matching.outgoing"),
    ]
    runtime = ServiceRuntime("matching", settings, engine, metadata, MIGRATIONS, projections=projections,
                             platforms=frozenset(policies))

    def unit_of_work() -> MatchingUnitOfWork:
        return MatchingUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix, on_commit=runtime.relay.notify)

    return Matching(
        settings=settings, runtime=runtime,
        directory=DirectoryHandlers(uow=unit_of_work, policies=policies, clock=clock),
        offers=OfferHandlers(uow=unit_of_work, policies=policies, clock=clock),
        sweeper=DeadlineSweeper(unit_of_work, policies, clock,
                                reminders=OfferReminders(unit_of_work, metadata, policies, offer_links, clock)),
        sweep_interval=sweep_interval,
        views=MatchingViews(engine, metadata), policies=policies, clock=clock,
        tokens=TokenRegistry.from_settings(settings), registry=CollectorRegistry(), vault=vault,
        offer_links=offer_links,
        outgoing=outgoing("matching", engine, metadata, unsealer=vault, policies=policies, data_dir=settings.data_dir,
                          clock=clock, channels=channels),
    )
