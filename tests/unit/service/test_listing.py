"""Every list route takes a page (offset + limit) and a period of the platform's local days (since, until)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from shared.service.errors import install_error_handlers
from shared.service.listing import Days, Page, Paging, Period

PARIS = ZoneInfo("Europe/Paris")


def test_a_period_runs_from_the_first_local_midnight_to_the_one_after_the_last_day() -> None:
    start, end = Days(date(2026, 3, 29), date(2026, 10, 25)).bounds(PARIS)  # both days change the clocks

    assert (start.astimezone(UTC), end.astimezone(UTC)) == (datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
                                                            datetime(2026, 10, 25, 23, 0, tzinfo=UTC))
    january = Days(date(2027, 1, 1), date(2027, 1, 1))
    assert january.holds(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), PARIS)  # 00:30 on 1 January in Paris
    assert not january.holds(datetime(2027, 1, 1, 23, 0, tzinfo=UTC), PARIS)
    assert Days().bounds(PARIS) == (None, None) and Days().holds(None, PARIS)


def test_a_page_is_a_slice() -> None:
    assert Paging(offset=2, limit=2).of(list(range(5))) == [2, 3] and Paging(4, 10).of(list(range(5))) == [4]


@pytest.fixture
async def client() -> httpx.AsyncClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/things")
    async def things(page: Page, period: Period) -> dict:
        return {"offset": page.offset, "limit": page.limit, "since": period.since, "until": period.until}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def test_paging_and_period_come_from_the_query(client: httpx.AsyncClient) -> None:
    assert (await client.get("/things")).json() == {"offset": 0, "limit": 50, "since": None, "until": None}
    answer = await client.get("/things?offset=100&limit=20&since=2026-01-01&until=2026-01-31")
    assert answer.json() == {"offset": 100, "limit": 20, "since": "2026-01-01", "until": "2026-01-31"}


@pytest.mark.parametrize(("query", "field"), [
    ("limit=0", "paramètre limit"), ("limit=501", "paramètre limit"), ("offset=-1", "paramètre offset"),
    ("since=hier", "paramètre since"), ("since=2026-02-01&until=2026-01-01", "paramètre until"),
    ("since=1900-01-01", "paramètre since"),
])
async def test_a_wrong_page_or_period_is_a_422_naming_the_parameter_in_french(client: httpx.AsyncClient, query: str,
                                                                              field: str) -> None:
    answer = await client.get(f"/things?{query}")

    assert answer.status_code == 422
    assert [item["field"] for item in answer.json()["fields"]] == [field]
    assert "hier" not in answer.text
