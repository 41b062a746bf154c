"""One resident call and everything that follows it, as records in time order within the flow.

Mix per call: 70 % service requests (assigned in turn, or oriented in Brenne), 22 % information
calls, 8 % voicemails called back. A request may be declined or its deadline missed (next in turn),
end unmet, be cancelled, or go through contact, quote, intervention, survey and fee.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from bench.federation import Platform
from bench.records import Record, Recorder, iso

CHANNELS = ("phone", "online_form", "walk_in", "voicemail")
TOPICS = ("tax_advantages", "rates", "employer_status", "other")


class Flow:
    """Emits one call's events; ``records`` collects them."""

    def __init__(self, rec: Recorder, rng: random.Random, platform: Platform, number: int, at: datetime) -> None:
        self.rec, self.rng, self.platform, self.at = rec, rng, platform, at
        self.records: list[Record] = []
        self.fees: list[tuple[str, Decimal]] = []
        self.request_id = f"req-{platform.platform_id[:3]}-{number:08d}"
        self.correlation: str | None = None
        self.cause: str | None = None

    def emit(self, event_type: str, payload: dict, *, service: str, after: timedelta, actor: str,
             aggregate_id: str | None = None) -> None:
        self.at += after
        event_id, record = self.rec.emit(
            event_type, payload, service=service, platform_id=self.platform.platform_id,
            aggregate_id=aggregate_id or self.request_id, at=self.at, actor=actor,
            correlation_id=self.correlation, causation_id=self.cause)
        self.correlation = self.correlation or event_id
        self.cause = event_id
        self.records.append(record)

    def run(self) -> list[Record]:
        """The call's records; afterwards :attr:`fees` lists the fees charged (provider, amount)."""
        roll = self.rng.random()
        if roll < 0.22:
            self._information()
        elif roll < 0.30:
            self._voicemail()
        else:
            self._request()
        return self.records

    def _information(self) -> None:
        commune = self.rng.choice(self.platform.policy.communes).code
        self.emit("InformationCallLogged", {"request_id": self.request_id, "channel": "phone",
                  "topic_asked": self.rng.choice(TOPICS), "topic_group": "home_services",
                  "answer": "Réponse donnée au téléphone.",
                  "commune": commune}, service="intake", after=timedelta(0), actor="operator:op-1")

    def _voicemail(self) -> None:
        resident = f"res-{self.rng.getrandbits(48):012x}"
        self.emit("VoicemailLogged", {"request_id": self.request_id, "resident_id": resident,
                  "contact": self.rec.sealed(resident), "left_at_local": self.at.isoformat()},
                  service="intake", after=timedelta(0), actor="system:answering-machine")
        outcome = self.rng.choice(("information_given", "no_answer", "not_needed"))
        self.emit("VoicemailCalledBack", {"request_id": self.request_id, "outcome": outcome, "follow_up_id": None},
                  service="intake", after=timedelta(hours=self.rng.randint(2, 30)), actor="operator:op-2")

    def _request(self) -> None:
        policy = self.platform.policy
        activity = self.rng.choice(policy.activities).code
        commune = self.rng.choice(policy.communes).code
        resident = f"res-{self.rng.getrandbits(48):012x}"
        start = self.at + timedelta(days=2)
        self.emit("RequestLogged", {
            "request_id": self.request_id, "channel": self.rng.choice(CHANNELS[:3]), "activity": activity,
            "commune": commune, "availability": [{"starts_at": iso(start), "ends_at": iso(start + timedelta(hours=4))}],
            "fragile_publics": [], "resident_id": resident, "contact": self.rec.sealed(resident),
        }, service="intake", after=timedelta(0), actor="operator:op-1")
        if self.rng.random() < 0.03:
            self.emit("RequestCancelled", {"request_id": self.request_id, "reason": "Plus besoin"},
                      service="intake", after=timedelta(hours=3), actor="operator:op-1")
            return
        sector, candidates = self.platform.candidates(activity, commune)
        ids = {"request_id": self.request_id, "activity": activity, "commune": commune}
        if not candidates:
            self.emit("RequestUnmet", {**ids, "reason": "no_provider_for_activity_in_commune", "detail": ""},
                      service="matching", after=timedelta(seconds=2), actor="system:matching")
        elif self.platform.orients:
            picked = candidates[: self.rng.randint(1, 3)]
            distances = sorted(Decimal(self.rng.randint(5, 300)) / 10 for _ in picked)
            self.emit("ProvidersOriented", {**ids, "providers": [
                {"provider_id": p, "distance_km": f"{d:.1f}"} for p, d in zip(picked, distances, strict=True)]},
                service="matching", after=timedelta(seconds=2), actor="system:matching")
        else:
            provider = self._assign(ids, sector, candidates)
            if provider is not None:
                self._serve(ids, provider, resident)

    def _assign(self, ids: dict, sector: str, candidates: list[str]) -> str | None:
        """Offer in turn until someone makes contact; None when all declined or missed (unmet)."""
        for attempt in range(1, min(len(candidates), 4) + 1):
            position = self.platform.next_turn(ids["activity"], sector)
            provider = candidates[position]
            deadline = self.at + timedelta(hours=24)
            self.emit("ProviderAssigned", {**ids, "provider_id": provider, "sector": sector, "candidates": candidates,
                      "eligible": candidates, "rotation_position": position, "skipped": [], "deadline_at": iso(deadline),
                      "attempt": attempt}, service="matching", after=timedelta(seconds=2), actor="system:matching")
            roll, request = self.rng.random(), {"request_id": ids["request_id"], "provider_id": provider}
            if roll < 0.8:
                self.emit("ContactConfirmed", {**request, "contacted_at": iso(self.at + timedelta(hours=5))},
                          service="matching", after=timedelta(hours=5), actor=f"provider:{provider}")
                return provider
            if roll < 0.9:
                self.emit("OfferDeclined", {**request, "reason": "unavailable", "note": ""},
                          service="matching", after=timedelta(hours=2), actor=f"provider:{provider}")
            else:
                self.emit("ContactDeadlineMissed", {**request, "deadline_at": iso(deadline)},
                          service="matching", after=timedelta(hours=24), actor="system:matching")
        reason = "all_declined" if self.rng.random() < 0.6 else "deadline_missed_by_all"
        self.emit("RequestUnmet", {**ids, "reason": reason, "detail": ""},
                  service="matching", after=timedelta(seconds=2), actor="system:matching")
        return None

    def _serve(self, ids: dict, provider: str, resident: str) -> None:
        request = {"request_id": self.request_id, "provider_id": provider}
        actor = f"provider:{provider}"
        hours = Decimal(self.rng.randint(2, 24)) / 2
        labour = hours * Decimal("22.50")
        travel = Decimal(self.rng.choice((0, 5, 8, 12)))
        if self.rng.random() < 0.3:
            self.emit("QuoteSent", {**request, "amount_excl_tax": f"{labour + travel:.2f}", "sent_at": iso(self.at)},
                      service="matching", after=timedelta(days=1), actor=actor)
            accepted = self.rng.random() < 0.85
            self.emit("QuoteAnswered", {**request, "accepted": accepted, "answered_at": iso(self.at)},
                      service="matching", after=timedelta(days=3), actor="resident")
            if not accepted:
                return
        figures = {**ids, "provider_id": provider, "resident_id": resident, "labour_hours": f"{hours:.2f}",
                   "labour_amount_excl_tax": f"{labour:.2f}", "travel_amount_excl_tax": f"{travel:.2f}",
                   "amount_excl_tax": f"{labour + travel:.2f}"}
        self.at += timedelta(days=self.rng.randint(1, 10))
        self.emit("InterventionDone", {**figures, "done_on": self.at.date().isoformat()},
                  service="matching", after=timedelta(0), actor=actor)
        done_id = self.cause
        self._fee(provider, labour + travel, hours, done_id)
        self._survey(provider)

    def _fee(self, provider: str, base: Decimal, hours: Decimal, done_id: str | None) -> None:
        rule = self.platform.policy.fee_rule(self.platform.kinds[provider], self.at.date())
        fee = {"provider_id": provider, "request_id": self.request_id, "intervention_event_id": done_id,
               "policy_id": f"{self.platform.platform_id}-fees"}
        if rule.type == "percentage":
            amount = (base * Decimal(rule.rate)).quantize(Decimal("0.01"))
            fee |= {"basis": "percentage", "base_amount": f"{base:.2f}", "rate": f"{Decimal(rule.rate):.2f}",
                    "hours_charged": "0.00", "amount": f"{amount:.2f}"}
        elif rule.type == "per_hour_new_client":
            amount = (hours * Decimal(rule.amount_per_hour)).quantize(Decimal("0.01"))
            fee |= {"basis": "per_hour_new_client", "base_amount": "0.00", "rate": f"{Decimal(rule.amount_per_hour):.2f}",
                    "hours_charged": f"{hours:.2f}", "amount": f"{amount:.2f}"}
        else:
            return
        self.fees.append((provider, amount))
        self.emit("FeeCharged", fee, service="billing", after=timedelta(seconds=3), actor="system:billing",
                  aggregate_id=provider)

    def _survey(self, provider: str) -> None:
        survey = {"survey_id": f"srv-{self.request_id[4:]}", "request_id": self.request_id}
        sent = self.at + timedelta(days=1)
        self.emit("SurveySent", {**survey, "provider_id": provider, "channel": "paper",
                  "expires_at": iso(sent + timedelta(days=30))}, service="feedback", after=timedelta(days=1),
                  actor="system:feedback")
        if self.rng.random() < 0.4:
            self.emit("SurveyReminderSent", {**survey, "channel": "paper", "reminder_number": 1},
                      service="feedback", after=timedelta(days=7), actor="system:feedback")
        if self.rng.random() < 0.65:
            good = self.rng.random() < 0.93
            self.emit("SurveyAnswered", {**survey, "provider_id": provider, "channel": "paper",
                      "provider": {"punctuality": self.rng.randint(3, 5), "quality": self.rng.randint(3, 5),
                                   "would_recommend": good},
                      "platform": {"would_call_platform_again": good, "platform_made_it_easier": good},
                      "comment": None}, service="feedback", after=timedelta(days=5), actor="resident")
        else:
            self.emit("SurveyExpired", {**survey, "expired_at": iso(sent + timedelta(days=30))},
                      service="feedback", after=timedelta(days=30), actor="system:feedback")
