"""Fixtures of the end-to-end tests (the ``relais`` CLI run as a process)."""

from tests.e2e.processes import cli  # noqa: F401  (fixture)
