"""What a service's ``bootstrap.py`` calls to send its ``notifications``: channels from the settings, sender, letters."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock
from shared.contracts.events.feedback import SendChannel
from shared.outgoing.delivery import Channel
from shared.outgoing.letters import LetterBatch
from shared.outgoing.sender import Retry, Sender, Unsealer
from shared.outgoing.sms import BrevoGateway, SmsChannel, SmsSettings
from shared.outgoing.smtp import SmtpMailer, SmtpSettings
from shared.platforms.model import PlatformPolicy
from shared.service.periodic import repeat


class OutgoingSettings(BaseSettings):
    """How often the sender looks (prefix ``RELAIS_OUTGOING_``)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_OUTGOING_", env_file=".env", extra="ignore")

    interval: float = Field(default=5.0, gt=0, description="Seconds between two looks for due messages.")
    letters_interval: float = Field(default=600.0, gt=0, description="Seconds between two looks for letters to print.")
    max_attempts: int = Field(default=8, ge=1, description="Attempts of a message before it is recorded failed.")
    base_delay: float = Field(default=30.0, gt=0, description="Seconds before the 2nd attempt; doubled at each next one.")


class Outgoing:
    """A service's sender and letter batch, run together as one background task."""

    def __init__(self, sender: Sender, letters: LetterBatch, settings: OutgoingSettings) -> None:
        self.sender = sender
        self.letters = letters
        self.settings = settings

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self.sender.run(stop, self.settings.interval),
            repeat(self.letters.print_due, stop, interval=self.settings.letters_interval,
                   name=f"{self.sender.reader} letters"),
        )


def channels_from_settings(policies: Mapping[str, PlatformPolicy], smtp: SmtpSettings | None = None,
                           sms: SmsSettings | None = None) -> dict[SendChannel, Channel]:
    """The email and SMS channels whose settings are given (``RELAIS_SMTP_HOST``, ``RELAIS_SMS_URL``)."""
    smtp = smtp or SmtpSettings()
    sms = sms or SmsSettings()
    channels: dict[SendChannel, Channel] = {}
    if smtp.host:
        channels[SendChannel.EMAIL] = SmtpMailer(smtp)
    if sms.url:
        countries = {platform_id: policy.country for platform_id, policy in policies.items()}
        channels[SendChannel.SMS] = SmsChannel(BrevoGateway(sms), countries)
    return channels


def outgoing(service: str, engine: AsyncEngine, metadata: MetaData, *, unsealer: Unsealer,
             policies: Mapping[str, PlatformPolicy], data_dir: Path, clock: Clock,
             channels: Mapping[SendChannel, Channel] | None = None,
             settings: OutgoingSettings | None = None) -> Outgoing:
    """The sender of ``service``'s notifications; letters go to ``<data_dir>/letters/<platform>/<day>.pdf``."""
    settings = settings or OutgoingSettings()
    sender = Sender(engine, metadata, channels=channels if channels is not None else channels_from_settings(policies),
                    unsealer=unsealer, reader=f"system:{service}", clock=clock,
                    retry=Retry(max_attempts=settings.max_attempts, base_delay=settings.base_delay))
    letters = LetterBatch(sender, data_dir / "letters", zones={p: policy.zone for p, policy in policies.items()},
                          names={p: policy.name for p, policy in policies.items()})
    return Outgoing(sender, letters, settings)
