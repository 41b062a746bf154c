"""Waiting in tests: read until what was read is ready, or fail naming what never happened.

Every test that waits for something asynchronous (a projection, a process, a server) polls through
:func:`eventually` (in a coroutine) or :func:`wait_for` (in plain code), so a timeout always fails
the same way: an ``AssertionError`` naming what was awaited and the last value read.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


async def eventually(read: Callable[[], T | Awaitable[T]], ready: Callable[[T], object] = bool,
                     what: str = "the condition", *, timeout: float = 30.0, interval: float = 0.05,
                     describe: Callable[[T], str] = repr) -> T:
    """Call ``read()`` (sync or async) until ``ready(value)`` holds; return that value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = read()
        if inspect.isawaitable(value):
            value = await value
        if ready(value):
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last seen: {describe(value)}")
        await asyncio.sleep(interval)


def wait_for(read: Callable[[], T], ready: Callable[[T], object] = bool, what: str = "the condition", *,
             timeout: float = 30.0, interval: float = 0.1, describe: Callable[[T], str] = repr) -> T:
    """Call ``read()`` until ``ready(value)`` holds; return that value (blocks the thread between calls)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ready(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; last seen: {describe(value)}")
        time.sleep(interval)


async def get_when_ready(client: httpx.AsyncClient, path: str, headers: dict[str, str], ready: Callable[[Any], bool],
                         *, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """GET ``path`` until it answers 200 with a JSON body ``ready`` accepts; return that body."""
    response = await eventually(lambda: client.get(path, headers=headers),
                                lambda response: response.status_code == 200 and ready(response.json()),
                                what=f"GET {path}", timeout=timeout, interval=interval,
                                describe=lambda response: f"{response.status_code} {response.text}")
    return response.json()
