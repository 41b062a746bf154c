"""Feedback handlers on fakes: the policies and a fresh world for each test (tests/unit/feedback/world.py)."""

from __future__ import annotations

import pytest

from shared.platforms.loader import load_policies
from shared.platforms.model import PlatformPolicy
from tests.unit.feedback.world import POLICIES, World


@pytest.fixture(scope="session")
def policies() -> dict[str, PlatformPolicy]:
    return load_policies(POLICIES)


@pytest.fixture
def world(policies: dict[str, PlatformPolicy]) -> World:
    return World(policies)
