"""The demo federation's provider directory (every platform) as provider events, and the HSDS 3.0 schemas.

Open Referral's JSON schemas are not part of the repository: the tests that need them look in
``RELAIS_HSDS_SCHEMAS``, then ``tests/fixtures/hsds-3.0`` and ``../shared/hsds-3.0`` beside the repository
(the ``schema/`` folder of openreferral/specification at tag v3.0), and are skipped when none has them.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from relais.devstack.demo_data import demo_providers
from shared.contracts.directory import Provider, fold_directory
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events import providers as pe
from shared.platforms.loader import load_policies

REPO = Path(__file__).resolve().parents[3]
POLICIES = load_policies(REPO / "deploy" / "platforms")
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def demo_directory_events() -> list[Envelope[Any]]:
    envelopes: list[Envelope[Any]] = []
    for platform in POLICIES:
        for provider in demo_providers(platform):
            pid = provider["provider_id"]
            steps: list[pe.ProviderEvent] = [pe.ProviderApplied(
                provider_id=pid, name=provider["name"], kind=provider["kind"], siret=provider.get("siret"),
                bce_number=provider.get("bce_number"), activities=provider["activities"],
                communes=provider["communes"], qualifications=provider["qualifications"])]
            if provider["status"] != "applied":
                steps.append(pe.ProviderAdmitted(provider_id=pid, committee_on=provider["admitted_on"],
                                                 members=[{"body": "ccas", "label": "CCAS"}], charter_signed_at=AT))
            steps += [pe.AccreditationRecorded(provider_id=pid, **accreditation)
                      for accreditation in provider["accreditations"]]
            steps.append(pe.ProviderAvailabilityChanged(provider_id=pid, weekly=provider["weekly"]))
            if provider["status"] == "suspended":
                steps.append(pe.ProviderSuspended(provider_id=pid, reason="assurance", since=AT.date()))
            envelopes += [new_envelope(step, platform_id=platform, aggregate_id=pid, aggregate_version=version,
                                       actor="operator:co-1", occurred_at=AT - timedelta(days=30, minutes=-version))
                          for version, step in enumerate(steps, 1)]
    return envelopes


def demo_directory() -> dict[str, Provider]:
    return fold_directory(demo_directory_events())


def hsds_schemas() -> Path:
    """The folder of the official HSDS 3.0 JSON schemas, or skip the test."""
    candidates = [os.environ.get("RELAIS_HSDS_SCHEMAS"), REPO / "tests" / "fixtures" / "hsds-3.0",
                  REPO.parent / "shared" / "hsds-3.0"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "service.json").is_file():
            return Path(candidate)
    pytest.skip("Open Referral's HSDS 3.0 JSON schemas not found (RELAIS_HSDS_SCHEMAS)")
