"""The timeline speaks French to people: no event of a request's story shows a code (activity, commune, reason,
channel, topic, outcome) in its sentence; only provider ids remain, which the console replaces by names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.intake.adapters.tables import metadata
from services.intake.domain.timeline import summary_of
from services.intake.service_layer.projections import console_projection
from shared.contracts.codec import decode
from shared.platforms.loader import load_policies
from tests.unit.contracts.golden import all_fixture_paths, fixture_id

POLICIES = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")
STORY = set(console_projection(metadata(), POLICIES).event_types)
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b\d{5}\b|\bBE\d{5}\b|Événement enregistré")


def test_the_console_tells_the_whole_story() -> None:
    assert {"ProviderAssigned", "OfferAccepted", "InterventionDone", "SurveyAnswered", "FeeCharged"} <= STORY


@pytest.mark.parametrize("path", [p for p in all_fixture_paths() if p.parent.name in STORY], ids=fixture_id)
def test_each_event_of_the_story_reads_in_french(path: Path) -> None:
    envelope = decode(path.read_bytes())
    policy = POLICIES[envelope.platform_id]
    sentence = summary_of(envelope.payload, policy.zone, policy)
    assert not CODE.findall(sentence.replace(getattr(envelope.payload, "provider_id", "") or "", "")), sentence
