"""Answering-machine messages not called back in time become unmet demand (out_of_hours_never_called_back)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.intake.domain import commands as c
from services.intake.service_layer.callbacks import CallbackSweeper
from services.intake.service_layer.handlers import IntakeHandlers
from shared.clock import FixedClock
from shared.contracts.events import intake as ie
from shared.platforms.calendar import callback_deadline
from shared.platforms.loader import load_policies
from shared.storage.fakes import FakeEventStore, FakeUnitOfWork
from tests.unit.intake.fakes import CONTACT, FakeSealer

POLICIES = load_policies(Path(__file__).resolve().parents[3] / "deploy" / "platforms")
FRIDAY_EVENING = datetime(2026, 3, 6, 18, 30, tzinfo=UTC)


async def test_a_message_nobody_called_back_is_recorded_once_and_can_still_be_called_back() -> None:
    store, clock = FakeEventStore(), FixedClock(FRIDAY_EVENING)
    handlers = IntakeHandlers(uow=lambda: FakeUnitOfWork(store), sealer=FakeSealer(), policies=POLICIES, clock=clock)
    entry = await handlers.log_voicemail(c.LogVoicemail(platform_id="brenne", actor="system:answering-machine",
                                                        contact={**CONTACT, "message": "jardin"},
                                                        left_at_local="2026-03-06T19:30:00+01:00"))
    queue: list[dict[str, Any]] = [{"entry_id": entry, "platform_id": "brenne", "logged_at": FRIDAY_EVENING,
                                    "left_at_local": "2026-03-06T19:30:00+01:00"}]

    async def waiting() -> list[dict[str, Any]]:
        return queue

    sweeper = CallbackSweeper(handlers, waiting, POLICIES)
    deadline = sweeper.deadline_of(queue[0])
    assert deadline is not None and deadline > FRIDAY_EVENING + timedelta(hours=24), "Brenne counts opening hours"

    clock.at = deadline - timedelta(minutes=1)
    assert await sweeper.sweep_once() == 0
    clock.at = deadline + timedelta(minutes=1)
    assert await sweeper.sweep_once() == 1
    assert await sweeper.sweep_once() == 0, "a second sweep records nothing more"
    assert [type(e.payload) for e in store.events] == [ie.VoicemailLogged, ie.VoicemailUnanswered]
    assert store.events[1].payload.deadline_at == deadline

    await handlers.complete_callback(c.CompleteCallback(platform_id="brenne", actor="operator:op-2", entry_id=entry,
                                                        outcome="request_logged"))
    assert isinstance(store.events[-1].payload, ie.VoicemailCalledBack)


def test_the_deadline_counts_from_when_the_message_was_left_not_when_it_was_typed_in() -> None:
    sweeper = CallbackSweeper(None, None, POLICIES)  # type: ignore[arg-type]  # only deadline_of is used
    typed_in_tuesday = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 11:00 in Brenne, two open hours later
    entry = {"platform_id": "brenne", "logged_at": typed_in_tuesday, "left_at_local": "2026-03-09T19:30:00"}
    brenne = POLICIES["brenne"]
    assert sweeper.deadline_of(entry) == callback_deadline(brenne, datetime(2026, 3, 9, 18, 30, tzinfo=UTC))
    assert sweeper.deadline_of(entry) < callback_deadline(brenne, typed_in_tuesday)
    assert sweeper.deadline_of({**entry, "left_at_local": "not a time"}) == callback_deadline(brenne, typed_in_tuesday)
