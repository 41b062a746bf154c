"""One live stack with the demo federation loaded, shared by the security tests of a session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security.federation import Federation
from tests.security.live import LiveStack, stack_settings


@pytest.fixture(scope="session")
def federation(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Federation]:
    """The four services running on the session's broker, with the demo data of every platform."""
    stack = LiveStack(stack_settings(tmp_path_factory.mktemp("federation"), kafka_bootstrap)).start()
    try:
        yield Federation(stack)
    finally:
        stack.stop()
