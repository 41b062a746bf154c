"""SMS through an HTTP gateway: a small :class:`SmsGateway` interface and Brevo's transactional SMS API behind it.

Settings ``RELAIS_SMS_*``. Brevo's API: ``POST {url}`` with the ``api-key`` header and
``{"sender", "recipient", "content", "type": "transactional", "tag"}``; the recipient is the number
with its country code, digits only. A 5xx, 429 or an unreachable gateway is retried later; any other
4xx is a recorded failure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Protocol

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.outgoing.delivery import Delivery, DeliveryFailed

COUNTRY_CODES = {"FR": "33", "BE": "32"}
_SEPARATORS = re.compile(r"[\s.\-/()]")


class SmsSettings(BaseSettings):
    """The SMS gateway (prefix ``RELAIS_SMS_``); unset ``url``: no SMS is sent (messages wait)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_SMS_", env_file=".env", extra="ignore")

    url: str | None = Field(default=None, description="Gateway endpoint, e.g. https://api.brevo.com/v3/transactionalSMS/sms.")
    api_key: SecretStr | None = Field(default=None, description="The gateway's API key.")
    sender: str = Field(default="Relais", max_length=11, description="Sender name shown on the phone (11 characters).")
    timeout: float = Field(default=10.0, gt=0, description="Seconds before the gateway counts as unreachable.")


class SmsGateway(Protocol):
    async def send(self, number: str, text: str, tag: str) -> None:
        """Send ``text`` to ``number`` (country code and digits); raise :class:`DeliveryFailed`."""
        ...


class BrevoGateway:
    """Brevo's transactional SMS API (one HTTP request per message)."""

    def __init__(self, settings: SmsSettings, client: httpx.AsyncClient | None = None) -> None:
        if not settings.url:
            raise ValueError("BrevoGateway needs RELAIS_SMS_URL")
        self.settings = settings
        self._client = client or httpx.AsyncClient(timeout=settings.timeout)

    async def send(self, number: str, text: str, tag: str) -> None:
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        body = {"sender": self.settings.sender, "recipient": number, "content": text, "type": "transactional", "tag": tag}
        try:
            response = await self._client.post(self.settings.url or "", json=body,
                                                headers={"api-key": key, "accept": "application/json"})
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"passerelle SMS injoignable ({type(error).__name__})", permanent=False) from error
        if response.is_success:
            return
        code = response.status_code
        permanent = 400 <= code < 500 and code not in (408, 429)
        raise DeliveryFailed(f"la passerelle SMS a répondu {code}", permanent=permanent)

    async def close(self) -> None:
        await self._client.aclose()


class SmsChannel:
    """The SMS channel: the recipient's number in international form, a short text with the link."""

    def __init__(self, gateway: SmsGateway, countries: Mapping[str, str]) -> None:
        self.gateway = gateway
        self.countries = countries

    async def deliver(self, delivery: Delivery) -> str:
        phone = delivery.recipient.get("phone")
        if not phone:
            raise DeliveryFailed("pas de numéro de téléphone connu", permanent=True)
        number = international(phone, self.countries.get(delivery.platform_id, "FR"))
        await self.gateway.send(number, delivery.short_text(), delivery.kind)
        return "SMS accepté par la passerelle"


def international(phone: str, country: str) -> str:
    """``05 55 12 34 56`` in France becomes ``33555123456``; ``+32 ...`` / ``0032 ...`` keep their code."""
    digits = _SEPARATORS.sub("", phone)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        return COUNTRY_CODES[country] + digits[1:]
    code = next((code for code in COUNTRY_CODES.values() if digits.startswith(code)), None)
    if code is not None and digits[len(code):].startswith("0"):  # "+33 (0)6 ..."
        digits = code + digits[len(code) + 1:]
    return digits
