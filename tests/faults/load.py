"""A tiny open-loop load generator: requests started at a fixed rate, with bounded concurrency."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

JSON = {"Content-Type": "application/json"}
RequestFactory = Callable[[int], tuple[str, dict[str, Any]]]
"""Request number -> (path, JSON body) of a POST."""


@dataclass
class LoadReport:
    target_rps: int
    seconds: float
    sent: int = 0
    statuses: Counter[int | str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def accepted(self) -> int:
        return self.statuses[201]

    @property
    def achieved_rps(self) -> float:
        return self.accepted / self.elapsed if self.elapsed else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, Any]:
        return {"target_rps": self.target_rps, "seconds": self.seconds, "sent": self.sent,
                "accepted": self.accepted, "achieved_rps": round(self.achieved_rps, 1),
                "p50_ms": round(self.percentile(0.50) * 1000, 1), "p99_ms": round(self.percentile(0.99) * 1000, 1),
                "max_ms": round(max(self.latencies, default=0.0) * 1000, 1),
                "statuses": {str(status): count for status, count in self.statuses.items()}}


async def generate(client: aiohttp.ClientSession, request: RequestFactory, *, rps: int, seconds: float,
                   concurrency: int) -> LoadReport:
    """For ``seconds``, POST requests at ``rps`` (the n-th due at n/rps s), at most ``concurrency`` in flight.

    When the server is slower than the rate, requests wait for a free slot and start late, and those
    not started when the time is up are never sent: ``sent`` counts what was offered to the server and
    the achieved rate is what it sustained. Latency is measured from send to response.
    The client is aiohttp's (``client`` carries the base URL and the headers): at 500 requests a
    second httpx's own work took a whole core, as much as the service under test.
    """
    report = LoadReport(rps, seconds)
    slots = asyncio.Semaphore(concurrency)

    async def one(number: int) -> None:
        path, body = request(number)
        began = time.perf_counter()
        try:
            async with client.post(path, data=orjson.dumps(body), headers=JSON) as response:
                await response.read()
                report.statuses[response.status] += 1
            report.latencies.append(time.perf_counter() - began)
        except (aiohttp.ClientError, TimeoutError) as error:
            report.statuses[type(error).__name__] += 1
        finally:
            slots.release()

    started = time.perf_counter()
    tasks = []
    for number in range(int(rps * seconds)):
        delay = started + number / rps - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        try:
            await asyncio.wait_for(slots.acquire(), max(0.0, started + seconds - time.perf_counter()))
        except TimeoutError:
            break
        tasks.append(asyncio.create_task(one(number)))
        report.sent += 1
    await asyncio.gather(*tasks)
    report.elapsed = time.perf_counter() - started
    return report
