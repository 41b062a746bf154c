"""End-to-end tests drive feedback's reminders with POST /admin/clock (RELAIS_TEST_CLOCK=1), not with sleeps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from services.feedback.bootstrap import FeedbackSettings, bootstrap
from services.feedback.entrypoints.app import create_app
from services.feedback.service_layer.projections import SURVEYS
from shared.messaging.tracking import wait_for
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving
from tests.integration.feedback.harness import intervention_done
from tests.integration.feedback.running import TIMEOUT, Running, published_feedback

pytestmark = pytest.mark.integration


async def test_moving_the_clock_a_week_sends_the_reminder_at_once(
        service_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = service_settings(test_clock=True, vault_url=f"sqlite+aiosqlite:///{tmp_path / 'vault.db'}")
    admin = issue_token(settings, "*", Role.FEDERATION_ADMIN, "ops-1")
    feedback = bootstrap(settings, feedback_settings=FeedbackSettings(public_url="https://avis.example.fr",
                                                                      sweep_interval=3600))
    async with serving(create_app(feedback=feedback)) as http:
        running = Running(feedback, http, {}, settings.kafka_bootstrap_servers, settings.topic_prefix)
        done = intervention_done("req-clock")
        await running.publish(done)
        await wait_for(feedback.engine, SURVEYS, event_ids=[done.event_id], timeout=TIMEOUT)
        assert [e.event_type for e in await published_feedback(running, 1)] == ["SurveySent"]

        moved = await http.post("/admin/clock", headers=admin, json={"advance_seconds": 8 * 86400})
        assert moved.status_code == 200, moved.text
        events = await published_feedback(running, 2)  # the hourly sweep would not come before the timeout
    assert [e.event_type for e in events] == ["SurveySent", "SurveyReminderSent"]
