"""Fixtures of the end-to-end tests: the ``relais`` CLI run as a process, and one demo for the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.processes import DemoStack, cli, processes_mentioning, start_demo  # noqa: F401  (cli is a fixture)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStack]:
    """``relais demo`` as a user starts it: the broker, the four services and the demo federation."""
    stack = start_demo(tmp_path_factory.mktemp("demo"))
    try:
        yield stack
    finally:
        assert stack.process.stop() == 0, stack.process.output[-3000:]
        assert not processes_mentioning(str(stack.data_dir)), "a process of the demo is still running"
