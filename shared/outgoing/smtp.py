"""Email over SMTP (aiosmtplib): settings ``RELAIS_SMTP_*``."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Literal

import aiosmtplib
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.outgoing.delivery import Delivery, DeliveryFailed


class SmtpSettings(BaseSettings):
    """Where email goes (prefix ``RELAIS_SMTP_``); unset ``host``: no email is sent (messages wait)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_SMTP_", env_file=".env", extra="ignore")

    host: str | None = Field(default=None, description="SMTP server; unset: emails stay queued.")
    port: int = Field(default=587, ge=1, le=65535, description="SMTP port (587 submission, 465 implicit TLS, 25).")
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (upgrade after connecting), tls (implicit, port 465), none (local sink only).")
    username: str | None = Field(default=None, description="Login, when the server asks for one.")
    password: SecretStr | None = Field(default=None, description="Password of the login.")
    sender: str = Field(default="Relais <ne-pas-repondre@relais.invalid>", description="From: address.")
    timeout: float = Field(default=30.0, gt=0, description="Seconds before a silent server counts as a failure.")


class SmtpMailer:
    """The email channel: one SMTP session per message, with the notification id as Message-ID."""

    def __init__(self, settings: SmtpSettings) -> None:
        if not settings.host:
            raise ValueError("SmtpMailer needs RELAIS_SMTP_HOST")
        self.settings = settings

    async def deliver(self, delivery: Delivery) -> str:
        address = delivery.recipient.get("email")
        if not address:
            raise DeliveryFailed("pas d'adresse e-mail connue", permanent=True)
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = formataddr((delivery.name, address))
        message["Subject"] = delivery.subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = f"<{delivery.notification_id}@relais>"
        message.set_content(delivery.text())
        settings = self.settings
        try:
            await aiosmtplib.send(
                message, hostname=settings.host, port=settings.port, timeout=settings.timeout,
                use_tls=settings.security == "tls", start_tls=settings.security == "starttls",
                username=settings.username, password=settings.password.get_secret_value() if settings.password else None,
            )
        except aiosmtplib.SMTPAuthenticationError as error:
            raise DeliveryFailed("connexion au serveur SMTP refusée (identifiants)", permanent=False) from error
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise DeliveryFailed("adresse e-mail refusée par le serveur", permanent=True) from error
        except aiosmtplib.SMTPResponseException as error:
            permanent = 500 <= error.code < 600
            raise DeliveryFailed(f"le serveur SMTP a répondu {error.code}", permanent=permanent) from error
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"serveur SMTP injoignable ({type(error).__name__})", permanent=False) from error
        return "e-mail accepté par le serveur SMTP"
