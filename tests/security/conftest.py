"""One live stack with the demo federation loaded, shared by the security tests of a session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.security.federation import Federation
from tests.security.live import LiveStack, stack_settings

PLATFORM_B = "herault"
"""The platform that platform A's people and tokens try to reach in the cross-platform tests."""


@pytest.fixture(scope="session")
def federation(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    """The four services running on the session's broker, with the demo data of every platform."""
    stack = LiveStack(stack_settings(tmp_path_factory.mktemp("federation"), kafka_bootstrap)).start()
    try:
        yield Federation(stack)
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def platform_b(federation: Federation) -> dict[str, str]:
    """Real ids of platform B for every path parameter the services use."""
    done = federation.intervention(PLATFORM_B)
    offered = next(row for row in federation.assigned(PLATFORM_B) if row["request_id"] != done.request_id)
    voicemails = federation.voicemails(PLATFORM_B)
    return {
        "platform_id": PLATFORM_B, "request_id": offered["request_id"], "provider_id": offered["provider_id"],
        "entry_id": voicemails[0] if voicemails else done.request_id, "survey_id": done.survey_id,
        "resident_id": done.resident_id, "year": str(datetime.now(UTC).year),
        "period": last_month(), **federation.employment(PLATFORM_B, offered["provider_id"]), "partner": "edf",
    }


def last_month() -> str:
    """The latest month whose statement can be issued."""
    first_of_month = datetime.now(UTC).date().replace(day=1)
    return (first_of_month - timedelta(days=1)).strftime("%Y-%m")
