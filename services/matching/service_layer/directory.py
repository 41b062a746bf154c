"""Command handlers of the provider directory: each turns one command into one provider event.

The provider's event is appended and its ``providers`` row rewritten in the same transaction, so
the rotation and the listing never see a provider the event store does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.matching.domain.commands import Apply, ChangeProvider
from services.matching.domain.provider_rules import application_event, change_event
from services.matching.service_layer.ports import Store, UnitOfWorkFactory
from shared.clock import Clock
from shared.contracts.directory import Provider, evolve, from_history
from shared.contracts.envelope import new_envelope
from shared.contracts.events.providers import ProviderEvent
from shared.errors import NotFound
from shared.ids import new_id
from shared.platforms.loader import policy_of
from shared.platforms.model import PlatformPolicy


@dataclass
class DirectoryHandlers:
    """The directory use cases, bound to their dependencies by ``bootstrap``."""

    uow: UnitOfWorkFactory
    policies: Mapping[str, PlatformPolicy]
    clock: Clock

    async def apply(self, cmd: Apply) -> str:
        policy = policy_of(self.policies, cmd.platform_id)
        provider_id = new_id("prv")
        event = application_event(provider_id, cmd, activities=policy.activity_codes(), communes=policy.commune_codes())
        async with self.uow() as uow:
            await self._record(uow, Provider(provider_id, cmd.platform_id), event, cmd.actor)
            await uow.commit()
        return provider_id

    async def change(self, cmd: ChangeProvider) -> Provider:
        policy = policy_of(self.policies, cmd.platform_id)
        async with self.uow() as uow:
            provider = from_history(cmd.provider_id, await uow.events.load("provider", cmd.provider_id))
            if provider is None or provider.platform_id != cmd.platform_id:
                raise NotFound("Prestataire")
            event = change_event(provider, cmd.change, activities=policy.activity_codes(),
                                 communes=policy.commune_codes())
            changed = await self._record(uow, provider, event, cmd.actor)
            await uow.commit()
        return changed

    async def _record(self, uow: Store, provider: Provider, event: ProviderEvent, actor: str) -> Provider:
        now = self.clock.now()
        version = provider.version + 1
        await uow.events.append([new_envelope(event, platform_id=provider.platform_id, aggregate_id=provider.provider_id,
                                              aggregate_version=version, actor=actor, occurred_at=now)])
        changed = evolve(provider, event, occurred_at=now, version=version)
        await uow.providers.save(changed)
        return changed
