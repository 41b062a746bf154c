"""Employment with the services as processes (``relais demo``, issue 22): from an information session of 12 invited
seekers to a hire still in post at 6 months on the moved test clock, the figures of each step, and an erasure
that keeps the counts (:mod:`tests.fixtures.employment_scenario`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from shared.blocking import run_blocking
from shared.security.principals import Role
from shared.security.tokens import TokenRegistry
from tests.e2e.processes import DemoStack
from tests.fixtures.employment_scenario import P, Tokens, session_to_placement

pytestmark = pytest.mark.e2e


def test_from_the_information_session_to_a_placement_in_post_at_six_months(demo: DemoStack) -> None:
    registry = TokenRegistry.load(demo.data_dir / "tokens.yaml")

    def token(role: Role, subject: str) -> dict[str, str]:
        plaintext, _ = registry.issue(P, role, subject)
        return {"Authorization": f"Bearer {plaintext}"}

    tokens = Tokens(advisor=token(Role.ADVISOR, "adv-e2e"), provider=token(Role.PROVIDER, "prv-e2e-aide"),
                    other_provider=token(Role.PROVIDER, "prv-e2e-autre"), analyst=token(Role.ANALYST, "obs-e2e"))

    async def scenario() -> None:
        async with httpx.AsyncClient(base_url=demo.urls["employment"], timeout=10) as client:
            async def move_clock(delta: timedelta) -> datetime:
                moved = await client.post("/admin/clock", headers=demo.admin,
                                          json={"advance_seconds": delta.total_seconds()})
                assert moved.status_code == 200, moved.text
                return datetime.fromisoformat(moved.json()["now"])

            await session_to_placement(client, tokens, await move_clock(timedelta(0)), move_clock)

    run_blocking(scenario())
