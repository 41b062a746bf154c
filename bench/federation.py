"""The synthetic federation of the benchmark: providers per platform, their directory events, rotations."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.records import Record, Recorder, iso
from shared.platforms.loader import load_policies
from shared.platforms.model import MatchingMode, PlatformPolicy

POLICIES_DIR = Path(__file__).resolve().parents[1] / "deploy" / "platforms"
PROVIDERS_PER_PLATFORM = {"limoges": 70, "herault": 180, "val-de-marne": 60, "brenne": 30, "mons-borinage": 40}
DEMAND_SHARE = {"limoges": 0.3, "herault": 0.35, "val-de-marne": 0.2, "brenne": 0.05, "mons-borinage": 0.1}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


@dataclass
class Provider:
    provider_id: str
    kind: str
    located_in: str
    activities: list[str]
    communes: list[str]


@dataclass
class Platform:
    policy: PlatformPolicy
    providers: list[Provider] = field(default_factory=list)
    rotations: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    cursors: dict[tuple[str, str], int] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def platform_id(self) -> str:
        return self.policy.platform_id

    @property
    def orients(self) -> bool:
        return self.policy.matching.mode is MatchingMode.ORIENT

    def candidates(self, activity: str, commune: str) -> tuple[str, list[str]]:
        sector = self.policy.sector_of(commune).code
        return sector, self.rotations.get((activity, sector), [])

    def next_turn(self, activity: str, sector: str) -> int:
        key = (activity, sector)
        position = self.cursors.get(key, -1) + 1
        self.cursors[key] = position % max(1, len(self.rotations.get(key, [])))
        return self.cursors[key]


def load_platforms(rng: random.Random) -> list[Platform]:
    platforms = []
    for platform_id, policy in sorted(load_policies(POLICIES_DIR).items()):
        if policy.is_mediation_desk:  # no provider, request nor fee: its visits are not part of these flows
            continue
        platform = Platform(policy)
        for number in range(PROVIDERS_PER_PLATFORM.get(platform_id, 40)):
            platform.providers.append(_provider(rng, policy, number))
            platform.kinds[platform.providers[-1].provider_id] = platform.providers[-1].kind
        for provider in platform.providers:
            for activity in provider.activities:
                for sector in {policy.sector_of(commune).code for commune in provider.communes}:
                    platform.rotations.setdefault((activity, sector), []).append(provider.provider_id)
        platforms.append(platform)
    return platforms


def _provider(rng: random.Random, policy: PlatformPolicy, number: int) -> Provider:
    sectors = rng.sample(policy.sectors, k=min(len(policy.sectors), rng.randint(1, 3)))
    communes = sorted({code for sector in sectors for code in sector.communes})
    activities = sorted(a.code for a in rng.sample(policy.activities, k=min(len(policy.activities), rng.randint(3, 8))))
    kind = rng.choices(("association", "artisan", "company"), weights=(4, 4, 2))[0]
    return Provider(f"prv-{policy.platform_id[:3]}-{number:04d}", kind, rng.choice(communes), activities, communes)


def provider_history(rec: Recorder, rng: random.Random, platform: Platform, start: datetime) -> list[Record]:
    """Application, admission, accreditation and availability of every provider (around ``start``)."""
    records: list[Record] = []
    belgian = platform.policy.country == "BE"
    for index, provider in enumerate(platform.providers):
        at = start + timedelta(hours=index, minutes=rng.randint(0, 59))
        ids = {"provider_id": provider.provider_id}
        applied = {**ids, "name": f"Structure {provider.provider_id}", "kind": provider.kind,
                   "siret": None if belgian else f"{rng.randrange(10**13, 10**14):014d}",
                   "bce_number": f"0{rng.randrange(10**8, 10**9)}" if belgian else None,
                   "activities": provider.activities, "communes": provider.communes, "qualifications": []}
        emitted = [("ProviderApplied", applied, at)]
        admitted_at = at + timedelta(days=14)
        emitted.append(("ProviderAdmitted", {**ids, "committee_on": admitted_at.date().isoformat(),
                        "members": [{"body": "ccas", "label": "CCAS"}, {"body": "cci", "label": "CCI"}],
                        "charter_signed_at": iso(admitted_at)}, admitted_at))
        if rng.random() < 0.3:
            issued = admitted_at.date()
            emitted.append(("AccreditationRecorded", {**ids, "number": f"AGR-{index:05d}", "issued_on": issued.isoformat(),
                            "expires_on": (issued + timedelta(days=5 * 365)).isoformat(),
                            "publics": ["elderly", "disabled"]}, admitted_at + timedelta(hours=1)))
        weekly = [{"weekday": day, "starts": "08:30:00", "ends": "17:00:00"} for day in WEEKDAYS]
        emitted.append(("ProviderAvailabilityChanged", {**ids, "weekly": weekly, "absences": []},
                        admitted_at + timedelta(hours=2)))
        actor = "operator:coordinator"
        for event_type, payload, moment in emitted:
            records.append(rec.emit(event_type, payload, service="matching", platform_id=platform.platform_id,
                                    aggregate_id=provider.provider_id, at=moment, actor=actor)[1])
    return records


def suspension(rec: Recorder, platform: Platform, provider: Provider, at: datetime) -> list[Record]:
    """A provider suspended, then reinstated a month later."""
    first = {"provider_id": provider.provider_id, "reason": "Attestation d'assurance manquante",
             "since": at.date().isoformat()}
    back = {"provider_id": provider.provider_id, "since": (at.date() + timedelta(days=30)).isoformat(), "note": "Reçue"}
    common = {"service": "matching", "platform_id": platform.platform_id, "aggregate_id": provider.provider_id,
              "actor": "operator:coordinator"}
    return [rec.emit("ProviderSuspended", first, at=at, **common)[1],
            rec.emit("ProviderReinstated", back, at=at + timedelta(days=30), **common)[1]]


def month_starts(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months
