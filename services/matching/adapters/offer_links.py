"""The signed link of an offer's page (``/o/{token}``): the platform, request and provider it opens, nothing stored."""

from __future__ import annotations

from dataclasses import dataclass

from shared.security.signed_links import LinkSigner

OFFER_LINK_DAYS = 120
"""Long enough for the whole life of an offer: acceptance, contact, quote, intervention and its correction."""


@dataclass(frozen=True)
class OfferKey:
    platform_id: str
    request_id: str
    provider_id: str


class OfferLinks:
    """Makes and reads the providers' offer links, under ``public_url`` (the matching service's public address)."""

    def __init__(self, secret: str, public_url: str) -> None:
        self._signer = LinkSigner(secret, "offer", max_age_seconds=OFFER_LINK_DAYS * 86400)
        self.public_url = public_url.rstrip("/")

    def link(self, key: OfferKey) -> str:
        return f"{self.public_url}/o/{self.token(key)}"

    def token(self, key: OfferKey) -> str:
        return self._signer.sign({"f": key.platform_id, "r": key.request_id, "p": key.provider_id})

    def read(self, token: str) -> OfferKey:
        """The offer ``token`` opens; ``LinkExpired`` / ``LinkInvalid`` from :mod:`shared.security.signed_links`."""
        payload = self._signer.read(token)
        return OfferKey(str(payload["f"]), str(payload["r"]), str(payload["p"]))
