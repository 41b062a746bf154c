"""Test fixtures: a real broker (tests/fixtures/broker.py) and real databases (tests/fixtures/database.py)."""

pytest_plugins = ["tests.fixtures.broker", "tests.fixtures.database", "tests.fixtures.services", "tests.fixtures.browser",
                  "tests.fixtures.oidc_provider"]
