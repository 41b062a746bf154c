"""The match of one request: offers in turn, contact, quote, intervention (pure).

Rebuilt from the request's matching events (aggregate "request", versions 1..n of the matching
store) plus the :class:`RequestContext` kept from the ``RequestLogged`` that opened it. Each
decision method checks the transition, then records the new event in :attr:`Match.pending`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.matching.domain.eligibility import RequestSpec
from services.matching.domain.rotation import Decision
from shared.aggregate import Aggregate
from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.contracts.events import matching as ev
from shared.contracts.labels import REQUEST_STATUSES
from shared.contracts.types import Sealed
from shared.errors import Conflict, DomainError, NotFound

NEW, WAITING, ASSIGNED, CONTACTED = "new", "waiting", "assigned", "contacted"
QUOTED, QUOTE_ACCEPTED, QUOTE_DECLINED, DONE = "quoted", "quote_accepted", "quote_declined", "done"
_STATES = {**REQUEST_STATUSES, QUOTE_ACCEPTED: "devis accepté", QUOTE_DECLINED: "devis refusé"}
"""Each state as the people refused an action read it."""
ORIENTED, UNMET, CANCELLED = "oriented", "unmet", "cancelled"
WITH_PROVIDER = frozenset({ASSIGNED, CONTACTED, QUOTED, QUOTE_ACCEPTED, QUOTE_DECLINED, DONE})
_TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class RequestContext:
    """What matching keeps of the request it received: the spec and the pseudonymous resident."""

    spec: RequestSpec
    resident_id: str
    contact: Sealed | None = None
    """The resident's contact details, sealed with their key (shown to the provider once it accepted)."""


@dataclass
class Match(Aggregate):
    context: RequestContext
    state: str = NEW
    provider_id: str | None = None
    deadline_at: datetime | None = None
    attempt: int = 0
    excluded: dict[str, ev.SkipReason] = field(default_factory=dict)
    cancelled: bool = False
    accepted: bool = False
    figures: ev.InterventionFigures | None = None
    """The intervention's current figures (InterventionDone, or its last correction)."""
    figures_event_id: UUID | None = None

    @classmethod
    def from_history(cls, context: RequestContext, envelopes: Iterable[Envelope[Any]], *,
                     cancelled: bool = False) -> Match:
        return cls(context, cancelled=cancelled).replay(envelopes)

    def _observe(self, envelope: Envelope[Any]) -> None:
        if isinstance(envelope.payload, ev.InterventionFigures):
            self.figures_event_id = envelope.event_id

    @property
    def request_id(self) -> str:
        return self.context.spec.request_id

    @property
    def status(self) -> str:
        return CANCELLED if self.cancelled else self.state

    def offer(self, decision: Decision, deadline_at: datetime) -> None:
        """Offer the request to ``decision.chosen`` (the provider whose turn it is)."""
        self._check_open()
        if self.state not in (NEW, WAITING) or decision.chosen is None or decision.position is None:
            raise Conflict("not_offerable", f"La demande ne peut pas être proposée : elle est à l'état « {_STATES.get(self.state, self.state)} ».")
        spec = self.context.spec
        self.record(ev.ProviderAssigned(
            request_id=self.request_id, provider_id=decision.chosen, activity=spec.activity, commune=spec.commune,
            sector=spec.sector, candidates=list(decision.candidates), rotation_position=decision.position,
            skipped=[ev.Skip(provider_id=pid, reason=reason) for pid, reason in decision.skipped],
            eligible=list(decision.eligible or (decision.chosen,)), deadline_at=deadline_at, attempt=self.attempt + 1,
        ))

    def orient(self, providers: list[ev.OrientedProvider]) -> None:
        self._check_open()
        spec = self.context.spec
        self.record(ev.ProvidersOriented(request_id=self.request_id, activity=spec.activity, commune=spec.commune,
                                          providers=providers))

    def give_up(self, reason: ev.UnmetReason, detail: str = "") -> None:
        spec = self.context.spec
        self.record(ev.RequestUnmet(request_id=self.request_id, reason=reason, activity=spec.activity,
                                     commune=spec.commune, detail=detail[:1000]))

    def accept(self, acting: str | None) -> None:
        """The provider takes the offer (it may then read the resident's contact); accepting twice changes nothing."""
        provider_id = self._offer_of(acting)
        if self.accepted or self.state != ASSIGNED:
            return
        self.record(ev.OfferAccepted(request_id=self.request_id, provider_id=provider_id))

    @property
    def contact_visible(self) -> bool:
        """Whether the provider holding the offer may read the resident's contact details."""
        return self.provider_id is not None and (self.accepted or self.state in WITH_PROVIDER - {ASSIGNED})

    def decline(self, acting: str | None, reason: ev.DeclineReason, note: str) -> None:
        provider_id = self._offer_of(acting)
        if self.state != ASSIGNED:
            raise Conflict("already_contacted", "L'usager a déjà été contacté : l'offre ne peut plus être refusée.")
        self.record(ev.OfferDeclined(request_id=self.request_id, provider_id=provider_id, reason=reason, note=note))

    def miss_deadline(self, now: datetime) -> None:
        if self.state != ASSIGNED or self.deadline_at is None or self.deadline_at > now:
            raise Conflict("not_due", "Le délai de rappel de cette demande n'est pas dépassé.")
        self.record(ev.ContactDeadlineMissed(request_id=self.request_id, provider_id=self.provider_id or "",
                                              deadline_at=self.deadline_at))

    def confirm_contact(self, acting: str | None, at: datetime) -> None:
        provider_id = self._offer_of(acting)
        if self.state != ASSIGNED:
            raise Conflict("already_contacted", "Le contact avec l'usager est déjà confirmé.")
        self.record(ev.ContactConfirmed(request_id=self.request_id, provider_id=provider_id, contacted_at=at))

    def send_quote(self, acting: str | None, amount: Decimal, at: datetime) -> None:
        provider_id = self._offer_of(acting)
        self._require(CONTACTED, QUOTE_DECLINED, action="send a quote")
        self.record(ev.QuoteSent(request_id=self.request_id, provider_id=provider_id, amount_excl_tax=_money(amount),
                                  sent_at=at))

    def answer_quote(self, acting: str | None, accepted: bool, at: datetime) -> None:
        provider_id = self._offer_of(acting)
        if self.state != QUOTED:
            raise Conflict("no_quote_pending", f"Aucun devis n'attend de réponse : la demande est à l'état « {_STATES.get(self.state, self.state)} ».")
        self.record(ev.QuoteAnswered(request_id=self.request_id, provider_id=provider_id, accepted=accepted,
                                      answered_at=at))

    def declare_done(self, acting: str | None, done_on: date, labour_hours: Decimal, labour: Decimal,
                     travel: Decimal, *, admitted_on: date | None = None) -> None:
        """Record the intervention of ``done_on``: neither before the day (platform time) the request was
        logged nor before the provider's admission (``admitted_on``, its committee's day)."""
        provider_id = self._offer_of(acting)
        self._require(CONTACTED, QUOTE_ACCEPTED, action="declare the intervention done")
        spec = self.context.spec
        if done_on < spec.local_day:
            raise DomainError("done_before_request", f"L'intervention ne peut pas être datée du {done_on:%d/%m/%Y} : "
                                                     f"la demande a été enregistrée le {spec.local_day:%d/%m/%Y}.")
        if admitted_on is not None and done_on < admitted_on:
            raise DomainError("done_before_admission", f"L'intervention ne peut pas être datée du {done_on:%d/%m/%Y} : "
                                                       f"le prestataire n'a été admis que le {admitted_on:%d/%m/%Y}.")
        self.record(ev.InterventionDone(
            request_id=self.request_id, provider_id=provider_id, resident_id=self.context.resident_id,
            activity=spec.activity, commune=spec.commune, done_on=done_on, labour_hours=_money(labour_hours),
            labour_amount_excl_tax=_money(labour), travel_amount_excl_tax=_money(travel),
            amount_excl_tax=_money(labour + travel),
        ))

    def correct(self, acting: str | None, done_on: date, labour_hours: Decimal, labour: Decimal, travel: Decimal,
                reason: str) -> None:
        """Replace the figures of the intervention declared done (billing adjusts the fee)."""
        provider_id = self._offer_of(acting)
        if self.state != DONE or self.figures is None or self.figures_event_id is None:
            raise Conflict("not_done", "Seule une intervention déclarée réalisée peut être corrigée.")
        if done_on < self.context.spec.local_day:
            raise DomainError("done_before_request", f"L'intervention ne peut pas être datée du {done_on:%d/%m/%Y} : "
                                                     f"la demande a été enregistrée le {self.context.spec.local_day:%d/%m/%Y}.")
        corrected = ev.InterventionCorrected(
            request_id=self.request_id, provider_id=provider_id, resident_id=self.context.resident_id,
            activity=self.figures.activity, commune=self.figures.commune, done_on=done_on,
            labour_hours=_money(labour_hours), labour_amount_excl_tax=_money(labour),
            travel_amount_excl_tax=_money(travel), amount_excl_tax=_money(labour + travel),
            corrected_event_id=self.figures_event_id, reason=reason.strip(),
        )
        if (corrected.done_on, corrected.labour_hours, corrected.amount_excl_tax, corrected.travel_amount_excl_tax) == (
                self.figures.done_on, self.figures.labour_hours, self.figures.amount_excl_tax,
                self.figures.travel_amount_excl_tax):
            raise Conflict("nothing_to_correct", "Les chiffres corrigés sont ceux déjà enregistrés.")
        self.record(corrected)

    def _offer_of(self, acting: str | None) -> str:
        """The provider holding the offer; 404 when there is none or it is someone else's."""
        if self.state not in WITH_PROVIDER or self.provider_id is None or acting not in (None, self.provider_id):
            raise NotFound("Offre")
        self._check_open()
        return self.provider_id

    def _require(self, *states: str, action: str) -> None:
        if self.state in states:
            return
        if self.state == DONE:
            raise Conflict("already_done", "L'intervention est déjà déclarée réalisée.")
        if self.state == QUOTED:
            raise Conflict("quote_pending", "Impossible pour l'instant : l'usager n'a pas encore répondu au devis.")
        if self.state == ASSIGNED:
            raise Conflict("contact_first", "Confirmez d'abord le contact avec l'usager.")
        raise Conflict("invalid_transition", f"Impossible : la demande est à l'état « {_STATES.get(self.state, self.state)} ».")

    def _check_open(self) -> None:
        if self.cancelled:
            raise Conflict("request_cancelled", "La demande a été annulée par l'usager.")

    def _apply(self, event: Event) -> None:
        if isinstance(event, ev.ProviderAssigned):
            self.state, self.provider_id, self.deadline_at = ASSIGNED, event.provider_id, event.deadline_at
            self.attempt, self.accepted = event.attempt, False
        elif isinstance(event, ev.OfferAccepted):
            self.accepted = True
        elif isinstance(event, ev.OfferDeclined | ev.ContactDeadlineMissed):
            missed = isinstance(event, ev.ContactDeadlineMissed)
            self.excluded[event.provider_id] = ev.SkipReason.MISSED_DEADLINE if missed else ev.SkipReason.DECLINED
            self.state, self.provider_id, self.deadline_at, self.accepted = WAITING, None, None, False
        elif isinstance(event, ev.ProvidersOriented | ev.RequestUnmet):
            self.state = ORIENTED if isinstance(event, ev.ProvidersOriented) else UNMET
        elif isinstance(event, ev.ContactConfirmed):
            self.state = CONTACTED
        elif isinstance(event, ev.QuoteSent):
            self.state = QUOTED
        elif isinstance(event, ev.QuoteAnswered):
            self.state = QUOTE_ACCEPTED if event.accepted else QUOTE_DECLINED
        elif isinstance(event, ev.InterventionFigures):
            self.state, self.figures = DONE, event


def spec_at(spec: RequestSpec, now: datetime) -> RequestSpec:
    """The spec as seen at ``now`` (agréments and absences are checked on the day of the offer)."""
    return replace(spec, received_at=now)


def _money(amount: Decimal) -> str:
    return str(amount.quantize(_TWO_PLACES))
