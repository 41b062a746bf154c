"""UtcDateTime binds on SQLite exactly what SQLAlchemy's DATETIME writes for the UTC instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from shared.storage.types import UtcDateTime

SQLITE = sqlite.dialect()
offsets = st.builds(lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60))
aware = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=offsets | st.just(UTC))


@given(aware)
def test_sqlite_binds_the_text_of_sqlalchemys_datetime_in_utc(moment: datetime) -> None:
    bind = UtcDateTime()._cached_bind_processor(SQLITE)
    reference = DateTime()._cached_bind_processor(SQLITE)

    assert bind(moment) == reference(moment.astimezone(UTC).replace(tzinfo=None))


def test_sqlite_round_trip_gives_the_same_instant_in_utc() -> None:
    column = UtcDateTime()
    moment = datetime(2026, 12, 4, 9, 30, 15, 120000, tzinfo=timezone(timedelta(hours=1)))

    stored = column._cached_bind_processor(SQLITE)(moment)
    read = column._cached_result_processor(SQLITE, None)(stored)

    assert stored == "2026-12-04 08:30:15.120000"
    assert read == moment and read.tzinfo == UTC


def test_a_naive_datetime_is_refused() -> None:
    naive = datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime()._cached_bind_processor(SQLITE)(naive)
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(naive, postgresql.dialect())


def test_none_binds_null() -> None:
    assert UtcDateTime()._cached_bind_processor(SQLITE)(None) is None
