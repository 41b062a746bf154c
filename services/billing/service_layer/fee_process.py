"""The fee process manager: turns provider and intervention events into billing events.

Rules (see also :mod:`services.billing.domain.fees`):

- A per-intervention fee is charged on each InterventionDone under the rule in force on its
  ``done_on``. A fee of 0.00 (e.g. the new-client period is over) emits **no** event: the ledger
  only holds amounts; the intervention is still recorded, with its hours, so a correction can
  charge it later.
- Hours worked for a resident are counted for every provider kind, whatever the rule, so a change
  of rule never loses the count of the new-client period.
- A correction (InterventionCorrected) reprices only the corrected intervention, with the hours
  worked before it unchanged, and appends the difference: FeeAdjusted (or FeeCharged when nothing
  was charged on it yet). Interventions charged after it are not repriced (history is never edited).
- Yearly membership: charged on admission (year of the committee date) and on the first
  intervention of an admitted provider in a later calendar year not charged yet; never twice a year,
  never for a year before the admission (an intervention dated earlier charges no membership).
  A calendar year without admission nor intervention is not charged.
- An intervention whose provider is not known yet is parked until its ProviderApplied arrives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from services.billing.domain.fees import (
    Charge,
    Figures,
    NoPolicyInForce,
    fee_charged,
    figures_of,
    intervention_fee,
    intervention_policy_id,
    membership_due,
)
from services.billing.domain.money import ZERO, money_str
from services.billing.service_layer.ports import (
    AccountBook,
    BilledIntervention,
    BillingState,
    ProviderRecord,
)
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import FeeAdjusted, MembershipFeeCharged
from shared.contracts.events.matching import InterventionCorrected, InterventionDone
from shared.contracts.events.providers import ProviderAdmitted, ProviderApplied
from shared.errors import DomainError
from shared.platforms.model import PlatformPolicy


@dataclass
class FeeProcess:
    """One instance per event, bound to the state and account book of the current transaction."""

    state: BillingState
    book: AccountBook
    policies: Mapping[str, PlatformPolicy]

    async def provider_applied(self, envelope: Envelope[ProviderApplied]) -> None:
        event = envelope.payload
        if await self.state.provider(event.provider_id) is None:
            await self.state.save_provider(ProviderRecord(event.provider_id, envelope.platform_id, event.kind))
        for parked in await self.state.unpark(event.provider_id):
            await self._intervention_event(parked)

    async def provider_admitted(self, envelope: Envelope[ProviderAdmitted]) -> None:
        event = envelope.payload
        provider = await self.state.provider(event.provider_id)
        if provider is None:
            raise DomainError("unknown_provider", f"provider {event.provider_id} admitted before it applied")
        provider = replace(provider, admitted_on=event.committee_on)
        await self.state.save_provider(provider)
        await self._charge_membership(envelope, provider, event.committee_on, event.committee_on)

    async def intervention_done(self, envelope: Envelope[InterventionDone]) -> None:
        await self._intervention_event(envelope)

    async def intervention_corrected(self, envelope: Envelope[InterventionCorrected]) -> None:
        await self._intervention_event(envelope)

    async def _intervention_event(self, envelope: Envelope[Any]) -> None:
        provider_id = envelope.payload.provider_id
        provider = await self.state.provider(provider_id)
        if provider is None or await self.state.has_parked(provider_id):
            await self.state.park(provider_id, envelope)
            return
        if provider.platform_id != envelope.platform_id:
            raise DomainError("wrong_platform", f"provider {provider_id} belongs to {provider.platform_id}, "
                                                f"not {envelope.platform_id}")
        if isinstance(envelope.payload, InterventionCorrected):
            await self._correct(envelope, provider)
        else:
            await self._charge(envelope, provider)

    async def _charge(self, envelope: Envelope[InterventionDone], provider: ProviderRecord) -> None:
        event = envelope.payload
        if await self.state.intervention(envelope.event_id) is not None:
            return
        figures = figures_of(event)
        before = await self.state.hours_worked(provider.provider_id, figures.resident_id)
        await self.state.add_hours(provider.provider_id, figures.resident_id, figures.labour_hours)
        if provider.admitted_on is not None:
            await self._charge_membership(envelope, provider, figures.done_on, provider.admitted_on)
        charge = self._fee(envelope.platform_id, provider, figures, before)
        fee_event_id = None
        if charge is not None and charge.amount != 0:
            fee_event_id = (await self._append_fee_charged(envelope, provider, charge, envelope.event_id)).event_id
        await self.state.save_intervention(BilledIntervention(
            intervention_event_id=envelope.event_id, latest_event_id=envelope.event_id, request_id=event.request_id,
            provider_id=provider.provider_id, resident_id=figures.resident_id, platform_id=envelope.platform_id,
            hours_worked=figures.labour_hours, hours_before=before,
            fee_so_far=charge.amount if charge is not None and fee_event_id else ZERO, last_fee_event_id=fee_event_id,
            policy_id=charge.policy_id if charge else None,
        ))

    async def _correct(self, envelope: Envelope[InterventionCorrected], provider: ProviderRecord) -> None:
        event = envelope.payload
        record = await self.state.intervention(event.corrected_event_id)
        if record is None:
            raise DomainError("unknown_intervention", f"correction of an intervention never billed: {event.corrected_event_id}")
        figures = figures_of(event)
        before = await self._move_hours(record, figures)
        charge = self._fee(envelope.platform_id, provider, figures, before)
        new_fee = charge.amount if charge is not None else ZERO
        difference = new_fee - record.fee_so_far
        applied_policy = self._policy_id(envelope.platform_id, provider, figures.done_on) or record.policy_id
        last_fee_event_id = record.last_fee_event_id
        if difference != 0 and last_fee_event_id is None and charge is not None:
            last_fee_event_id = (await self._append_fee_charged(envelope, provider, charge, record.intervention_event_id)).event_id
        elif difference != 0 and last_fee_event_id is not None:
            adjusted = FeeAdjusted(
                provider_id=provider.provider_id, request_id=event.request_id, adjusts_event_id=last_fee_event_id,
                correction_event_id=envelope.event_id, policy_id=applied_policy or "none",
                amount=money_str(difference), reason=event.reason,
            )
            last_fee_event_id = (await self.book.append(envelope, adjusted, platform_id=provider.platform_id,
                                                        purpose="fee-adjusted")).event_id
        await self.state.save_intervention(replace(
            record, latest_event_id=envelope.event_id, resident_id=figures.resident_id, hours_worked=figures.labour_hours,
            hours_before=before, fee_so_far=new_fee, last_fee_event_id=last_fee_event_id, policy_id=applied_policy,
        ))
        if provider.admitted_on is not None:
            await self._charge_membership(envelope, provider, figures.done_on, provider.admitted_on)

    async def _move_hours(self, record: BilledIntervention, figures: Figures) -> Decimal:
        """Update the hours worked per resident for the corrected figures; return the hours worked before it."""
        if figures.resident_id == record.resident_id:
            await self.state.add_hours(record.provider_id, record.resident_id, figures.labour_hours - record.hours_worked)
            return record.hours_before
        await self.state.add_hours(record.provider_id, record.resident_id, -record.hours_worked)
        before = await self.state.hours_worked(record.provider_id, figures.resident_id)
        await self.state.add_hours(record.provider_id, figures.resident_id, figures.labour_hours)
        return before

    async def _charge_membership(self, cause: Envelope[Any], provider: ProviderRecord, on: date,
                                 admitted_on: date) -> None:
        policy = self._policy(cause.platform_id)
        try:
            due = membership_due(policy, provider.kind, on, provider.membership_years, admitted_on)
        except NoPolicyInForce:
            return
        if due is None:
            return
        charged = MembershipFeeCharged(provider_id=provider.provider_id, year=due.year, policy_id=due.policy_id,
                                       amount=money_str(due.amount))
        await self.book.append(cause, charged, platform_id=provider.platform_id, purpose=f"membership-{due.year}")
        await self.state.add_membership_year(provider.provider_id, due.year)

    async def _append_fee_charged(self, cause: Envelope[Any], provider: ProviderRecord, charge: Charge,
                                  intervention_event_id: Any) -> Envelope[Any]:
        charged = fee_charged(provider.provider_id, cause.payload.request_id, intervention_event_id, charge)
        return await self.book.append(cause, charged, platform_id=provider.platform_id, purpose="fee-charged")

    def _fee(self, platform_id: str, provider: ProviderRecord, figures: Figures, before: Decimal) -> Charge | None:
        try:
            return intervention_fee(self._policy(platform_id), provider.kind, figures, before)
        except NoPolicyInForce:
            return None

    def _policy_id(self, platform_id: str, provider: ProviderRecord, on: date) -> str | None:
        try:
            return intervention_policy_id(self._policy(platform_id), provider.kind, on)
        except NoPolicyInForce:
            return None

    def _policy(self, platform_id: str) -> PlatformPolicy:
        try:
            return self.policies[platform_id]
        except KeyError:
            raise DomainError("unknown_platform", f"no policy for platform {platform_id!r}") from None
