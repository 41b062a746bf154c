"""The signed links of the providers' pages, nothing stored: an offer (``/o/{token}``: platform, request, provider)
and a provider's list of offers (``/p/{token}``: platform, provider)."""

from __future__ import annotations

from services.matching.service_layer.ports import OfferKey
from shared.security.signed_links import LinkSigner

OFFER_LINK_DAYS = 120
"""Long enough for the whole life of an offer: acceptance, contact, quote, intervention and its correction."""


class OfferLinks:
    """Makes and reads the providers' offer links, under ``public_url`` (the matching service's public address)."""

    def __init__(self, secret: str, public_url: str) -> None:
        self._signer = LinkSigner(secret, "offer", max_age_seconds=OFFER_LINK_DAYS * 86400)
        self._providers = LinkSigner(secret, "provider", max_age_seconds=OFFER_LINK_DAYS * 86400)
        self.public_url = public_url.rstrip("/")

    def provider_link(self, platform_id: str, provider_id: str) -> str:
        """The page listing ``provider_id``'s open offers and recent interventions."""
        return f"{self.public_url}/p/{self._providers.sign({'f': platform_id, 'p': provider_id})}"

    def read_provider(self, token: str) -> tuple[str, str]:
        """The platform and provider of a list link; ``LinkExpired`` / ``LinkInvalid`` otherwise."""
        payload = self._providers.read(token)
        return str(payload["f"]), str(payload["p"])

    def link(self, key: OfferKey) -> str:
        return f"{self.public_url}/o/{self.token(key)}"

    def token(self, key: OfferKey) -> str:
        return self._signer.sign({"f": key.platform_id, "r": key.request_id, "p": key.provider_id})

    def read(self, token: str) -> OfferKey:
        """The offer ``token`` opens; ``LinkExpired`` / ``LinkInvalid`` from :mod:`shared.security.signed_links`."""
        payload = self._signer.read(token)
        return OfferKey(str(payload["f"]), str(payload["r"]), str(payload["p"]))
