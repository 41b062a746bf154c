"""Demo federation data: fictional providers, users, residents and calls, one YAML file per platform.

Pure accessors: each call returns a fresh copy of the data of ``<platform_id>.yaml`` (package data);
nothing is read before the first call. Every name, number and address is invented.

Shapes (keys of each dict; dates and datetimes are ``date`` / timezone-aware ``datetime``):

- provider: ``provider_id``, ``name``, ``kind`` (association | artisan | company), ``siret`` (France)
  or ``bce_number`` (Belgium), ``located_in`` (commune code of the structure, for orientation by
  distance), ``activities``, ``communes`` (served), ``qualifications``, ``status`` (admitted | applied
  | suspended), ``admitted_on`` (absent when applied), ``suspension`` ({since, reason}, when
  suspended), ``accreditations`` ([{number, issued_on, expires_on, publics}]), ``weekly``
  ([{weekday, starts, ends}], platform local time). The field names follow the provider events of
  :mod:`shared.contracts.events.providers`.
- user: ``username``, ``display_name``, ``role`` (operator | coordinator | provider), ``provider_id``
  (providers only).
- resident: ``resident_id``, ``name``, ``phone``, ``email``, ``address``, ``commune``.
- call: ``call_id``, ``kind`` (request | information | voicemail), ``channel``, ``received_at``,
  ``expected`` (what the demo should show, for people), and per kind: request: ``resident``,
  ``activity``, ``commune``, ``fragile_publics``, ``availability`` ([{starts_at, ends_at}]),
  ``description``; information: ``topic``, ``answer``, ``commune``; voicemail: ``resident``,
  ``activity``, ``commune``, ``description``.
"""

from __future__ import annotations

import copy
from functools import cache
from importlib import resources
from typing import Any

import yaml

DEMO_PLATFORM_IDS: tuple[str, ...] = ("limoges", "herault", "val-de-marne", "brenne", "mons-borinage")


def demo_providers(platform_id: str) -> list[dict[str, Any]]:
    """The demo providers of ``platform_id`` (admitted, applied and suspended ones)."""
    return _section(platform_id, "providers")


def demo_users(platform_id: str) -> list[dict[str, Any]]:
    """The demo operator, coordinator, analyst and provider accounts of ``platform_id``."""
    return _section(platform_id, "users")


def demo_residents(platform_id: str) -> list[dict[str, Any]]:
    """The fictional residents who call ``platform_id`` in the demo."""
    return _section(platform_id, "residents")


def demo_calls(platform_id: str) -> list[dict[str, Any]]:
    """Example calls to ``platform_id``, in the order they are received."""
    return _section(platform_id, "calls")


def _section(platform_id: str, name: str) -> list[dict[str, Any]]:
    return copy.deepcopy(_document(platform_id)[name])


@cache
def _document(platform_id: str) -> dict[str, list[dict[str, Any]]]:
    if platform_id not in DEMO_PLATFORM_IDS:
        raise KeyError(f"no demo data for platform {platform_id!r}; known: {', '.join(DEMO_PLATFORM_IDS)}")
    text = resources.files(__name__).joinpath(f"{platform_id}.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)
