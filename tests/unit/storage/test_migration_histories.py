"""Each service has one Alembic history whose env.py only names the service's metadata."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from relais.services import UnknownService, registered
from shared.settings import SERVICES
from shared.storage.alembic_env import render_decorated_types_as_their_impl
from shared.storage.migrate import alembic_config
from shared.storage.types import UtcDateTime


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_has_a_single_linear_history_starting_at_0001(service: str) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(registered(service).migrations))

    revisions = list(scripts.walk_revisions())
    assert len(scripts.get_heads()) == 1
    assert revisions[-1].revision == "0001"
    assert revisions[-1].down_revision is None


@pytest.mark.parametrize("service", SERVICES)
def test_env_py_only_names_the_service_metadata(service: str) -> None:
    lines = [line for line in (registered(service).migrations / "env.py").read_text().splitlines() if line.strip()]

    assert len(lines) <= 3
    assert f"from services.{service}.adapters.tables import metadata" in lines


def test_an_unknown_service_is_refused() -> None:
    with pytest.raises(UnknownService, match="unknown service"):
        registered("payroll")


def test_autogenerate_writes_decorated_types_as_plain_sqlalchemy_types() -> None:
    rendered = render_decorated_types_as_their_impl("type", UtcDateTime(), autogen_context=None)

    assert rendered == "sa.DateTime(timezone=True)"
