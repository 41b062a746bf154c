"""Builders for the matching tests: two small platform policies, providers, specs and events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from services.matching.domain.eligibility import RequestSpec
from shared.contracts.directory import ADMITTED, Accreditation, Provider
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.intake import RequestCancelled, RequestLogged
from shared.contracts.types import Channel, Sealed
from shared.platforms.model import PlatformPolicy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
NO_FEES = [{"effective_from": "2020-01-01", "rules": {kind: {"type": "none"} for kind in ("association", "artisan", "company")}}]
SURVEY = {"default_channel": "postal", "expiry_days": 30, "satisfaction_alert_threshold": "0.8"}
ACTIVITIES = [
    {"code": "gardening", "label": "Jardinage", "category": "gardening"},
    {"code": "childcare", "label": "Garde d'enfants", "category": "childcare", "fragile_publics": ["child_under_3"]},
    {"code": "elderly_care", "label": "Aide aux personnes âgées", "category": "assistance", "fragile_public": True,
     "fragile_publics": ["elderly"]},
]
LIMOGES, PANAZOL, ISLE, SAINT_YRIEIX = "87085", "87114", "87075", "87187"
MEZIERES, LE_BLANC, ROSNAY, SAINT_GAULTIER = "36123", "36018", "36173", "36192"


def limoges_document() -> dict[str, Any]:
    return {
        "platform_id": "limoges", "name": "Proximain (Limoges)", "country": "FR", "timezone": "Europe/Paris",
        "operators": 3, "matching": {"mode": "assign"}, "callback": {"deadline_hours": 24, "mode": "wall_clock"},
        "opening_hours": {"weekly": {day: ["09:00-12:00", "14:00-17:00"] for day in WEEKDAYS}},
        "activities": ACTIVITIES,
        "communes": [
            {"code": LIMOGES, "name": "Limoges", "latitude": 45.8336, "longitude": 1.2611},
            {"code": PANAZOL, "name": "Panazol", "latitude": 45.8389, "longitude": 1.3097},
            {"code": ISLE, "name": "Isle", "latitude": 45.8031, "longitude": 1.2167},
            {"code": SAINT_YRIEIX, "name": "Saint-Yrieix-la-Perche", "latitude": 45.5153, "longitude": 1.2056},
        ],
        "sectors": [
            {"code": "agglo", "name": "Agglomération", "communes": [LIMOGES, PANAZOL, ISLE]},
            {"code": "sud", "name": "Sud", "communes": [SAINT_YRIEIX]},
        ],
        "fees": NO_FEES, "survey": SURVEY,
    }


def brenne_document() -> dict[str, Any]:
    return {
        "platform_id": "brenne", "name": "1001 services (Brenne)", "country": "FR", "timezone": "Europe/Paris",
        "operators": 1, "matching": {"mode": "orient", "orient_count": 2},
        "callback": {"deadline_hours": 24, "mode": "business_hours"},
        "opening_hours": {"weekly": {day: ["09:00-12:00", "14:00-17:00"] for day in WEEKDAYS}},
        "activities": ACTIVITIES,
        "communes": [
            {"code": MEZIERES, "name": "Mézières-en-Brenne", "latitude": 46.8194, "longitude": 1.2128},
            {"code": LE_BLANC, "name": "Le Blanc", "latitude": 46.6333, "longitude": 1.0631},
            {"code": ROSNAY, "name": "Rosnay", "latitude": 46.7064, "longitude": 1.2117},
            {"code": SAINT_GAULTIER, "name": "Saint-Gaultier", "latitude": 46.6350, "longitude": 1.4128},
        ],
        "sectors": [{"code": "brenne", "name": "Brenne", "communes": [MEZIERES, LE_BLANC, ROSNAY, SAINT_GAULTIER]}],
        "fees": NO_FEES, "survey": SURVEY,
    }


def limoges() -> PlatformPolicy:
    return PlatformPolicy.model_validate(limoges_document())


def brenne() -> PlatformPolicy:
    return PlatformPolicy.model_validate(brenne_document())


def write_policies(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for document in (limoges_document(), brenne_document()):
        (folder / f"{document['platform_id']}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
    return folder


def provider(provider_id: str, *, joined: int = 0, activities: tuple[str, ...] = ("gardening",),
             communes: tuple[str, ...] = (LIMOGES, PANAZOL, ISLE), status: str = ADMITTED,
             publics: tuple[str, ...] = (), expires_on: date = date(2030, 1, 1), platform_id: str = "limoges",
             **changes: Any) -> Provider:
    """An admitted provider who joined ``joined`` days after T0 - 1 year."""
    accreditations = (Accreditation("N/1", date.min, expires_on, frozenset(publics)),) if publics else ()
    return Provider(provider_id, platform_id, name=provider_id, kind="association", status=status,
                    activities=frozenset(activities), communes=frozenset(communes), base_commune=communes[0],
                    accreditations=accreditations, joined_at=T0 - timedelta(days=365 - joined), **changes)


def spec(request_id: str = "req-1", *, activity: str = "gardening", commune: str = LIMOGES, sector: str = "agglo",
         publics: tuple[str, ...] = (), at: datetime = T0, platform_id: str = "limoges") -> RequestSpec:
    return RequestSpec(request_id, platform_id, activity, commune, sector, frozenset(publics), (), at)


SEALED = Sealed(resident_id="res-1", nonce="bm9uY2U", ciphertext="Y2lwaGVy")


def request_logged(request_id: str, *, activity: str = "gardening", commune: str = LIMOGES, publics: tuple[str, ...] = (),
                   platform_id: str = "limoges", at: datetime = T0) -> Envelope[Any]:
    payload = RequestLogged(request_id=request_id, channel=Channel.PHONE, activity=activity, commune=commune,
                            fragile_publics=list(publics), resident_id="res-1", contact=SEALED)
    return new_envelope(payload, platform_id=platform_id, aggregate_id=request_id, aggregate_version=1,
                        actor="operator:op-1", occurred_at=at)


def request_cancelled(request_id: str, platform_id: str = "limoges") -> Envelope[Any]:
    return new_envelope(RequestCancelled(request_id=request_id, reason="plus besoin"), platform_id=platform_id,
                        aggregate_id=request_id, aggregate_version=2, actor="operator:op-1", occurred_at=T0)
