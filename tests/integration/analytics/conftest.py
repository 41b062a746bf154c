"""Fixtures of the analysts' integration tests: a seeded federation on the test's own topics and stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.blocking import run_blocking
from tests.integration.analytics.federation import Federation, federation_settings, seed


@pytest.fixture
def federation(tmp_path: Path, kafka_bootstrap: str, topic_prefix: str) -> Federation:
    """Stores, topics and live intake projections of a small Limoges history (see ``federation.py``)."""
    return run_blocking(seed(federation_settings(tmp_path, kafka_bootstrap, topic_prefix)))
