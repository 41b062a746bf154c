"""Wires the feedback service: real dependencies by default, fakes where a test passes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from services.feedback.adapters.tables import metadata as feedback_metadata
from services.feedback.adapters.unit_of_work import FeedbackUnitOfWork
from services.feedback.service_layer.handlers import FeedbackHandlers
from services.feedback.service_layer.ports import Sealer
from services.feedback.service_layer.projections import (
    desk_satisfaction_projection,
    satisfaction_projection,
    survey_process,
)
from shared.clock import MovableClock, SystemClock
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Channel
from shared.outgoing.outbox import cancel_on_erasure
from shared.outgoing.wiring import Outgoing, outgoing
from shared.platforms.loader import load_policies
from shared.platforms.model import PlatformPolicy
from shared.privacy.erasure import forget_erased_residents
from shared.privacy.vault import Vault
from shared.security.tokens import TokenRegistry
from shared.service.runtime import ServiceRuntime
from shared.settings import DEFAULT_PORTS, Settings, load_settings
from shared.storage.engine import create_engine

MIGRATIONS = Path(__file__).parent / "adapters" / "migrations"


class FeedbackSettings(BaseSettings):
    """Settings of the feedback service only (prefix ``RELAIS_FEEDBACK_``)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_FEEDBACK_", env_file=".env", extra="ignore")

    public_url: str | None = Field(default=None, description="Public address of the survey pages (links sent to residents); "
                                   "unset: http://<host>:<feedback port>.")
    sweep_interval: float = Field(default=60.0, gt=0, description="Seconds between two reminder/expiry sweeps.")


@dataclass
class Feedback:
    settings: Settings
    runtime: ServiceRuntime
    handlers: FeedbackHandlers
    sweep_interval: float
    tokens: TokenRegistry
    vault: Vault
    registry: CollectorRegistry
    policies: dict[str, PlatformPolicy]
    outgoing: Outgoing
    clock: MovableClock

    @property
    def engine(self) -> AsyncEngine:
        return self.runtime.engine

    @property
    def metadata(self) -> MetaData:
        return self.runtime.metadata


def bootstrap(settings: Settings | None = None, *, clock: MovableClock | None = None, sealer: Sealer | None = None,
              feedback_settings: FeedbackSettings | None = None,
              channels: Mapping[SendChannel, Channel] | None = None) -> Feedback:
    """The feedback service; ``channels`` replace the email/SMS channels of the settings (tests)."""
    settings = settings or load_settings()
    own = feedback_settings or FeedbackSettings()
    policies = load_policies(settings.platforms_dir)
    engine = create_engine(settings.service_database_url("feedback"))
    metadata = feedback_metadata()
    vault = Vault(create_engine(settings.vault_database_url()))
    runtime: ServiceRuntime | None = None

    def unit_of_work() -> FeedbackUnitOfWork:
        assert runtime is not None
        return FeedbackUnitOfWork(engine, metadata, topic_prefix=settings.topic_prefix, on_commit=runtime.relay.notify)

    clock = clock or SystemClock()
    handlers = FeedbackHandlers(
        uow=unit_of_work, sealer=sealer or vault, policies=policies, clock=clock,
        public_url=own.public_url or f"http://{settings.host}:{DEFAULT_PORTS['feedback']}",
    )
    projections = [survey_process(handlers, metadata, settings.topic_prefix), satisfaction_projection(metadata, policies),
                   desk_satisfaction_projection(metadata),
                   forget_erased_residents(vault, "feedback.privacy"), cancel_on_erasure(metadata, "feedback.outgoing")]
    runtime = ServiceRuntime("feedback", settings, engine, metadata, MIGRATIONS, projections=projections,
                             platforms=frozenset(policies))
    sender = outgoing("feedback", engine, metadata, unsealer=vault, policies=policies, data_dir=settings.data_dir,
                      clock=handlers.clock, channels=channels)
    return Feedback(settings, runtime, handlers, own.sweep_interval,
                    TokenRegistry.from_settings(settings), vault, CollectorRegistry(), policies, sender, clock)
