"""A real Prometheus (the Debian package's binary) scraping services of the test, and its HTTP API."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import yaml

from relais.devstack.ports import free_port

SCRAPE_INTERVAL = "1s"


class WaitTimedOut(AssertionError):
    """A condition did not hold in time (Prometheus itself is still running)."""


class PrometheusServer:
    """``prometheus`` on a free port of 127.0.0.1 with its data in ``workdir``; stop it with :meth:`stop`."""

    def __init__(self, binary: str, workdir: Path, targets: Mapping[str, str], rule_files: list[Path]) -> None:
        self.binary = binary
        self.workdir = workdir
        self.targets = dict(targets)
        self.rule_files = rule_files
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "prometheus.log"
        self._process: subprocess.Popen[bytes] | None = None

    def config(self) -> dict[str, Any]:
        """The scrape configuration: every target of ``targets`` (service -> host:port) every second."""
        return {
            "global": {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": SCRAPE_INTERVAL},
            "rule_files": [str(path) for path in self.rule_files],
            "scrape_configs": [{
                "job_name": "relais",
                "metrics_path": "/metrics",
                "static_configs": [{"targets": [target], "labels": {"service": service}}
                                   for service, target in sorted(self.targets.items())],
            }],
        }

    async def start(self, timeout: float = 30.0) -> None:
        self._launch()
        await self.wait(self._ready, timeout, "Prometheus ready")

    def _launch(self) -> None:
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.config()))
        with self.log.open("wb") as log:
            self._process = subprocess.Popen(
                [self.binary, f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=15)
        self._process = None

    async def query(self, expr: str) -> list[dict[str, Any]]:
        """The instant vector (or scalar) ``expr`` evaluates to now; raises on a PromQL error."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            response = await client.get("/api/v1/query", params={"query": expr})
        body = response.json()
        if body.get("status") != "success":
            raise AssertionError(f"{expr}: {body.get('errorType')} {body.get('error')}")
        data = body["data"]
        return data["result"] if data["resultType"] in ("vector", "matrix") else [{"value": data["result"]}]

    async def rules(self) -> list[dict[str, Any]]:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            body = (await client.get("/api/v1/rules")).json()
        return [rule for group in body["data"]["groups"] for rule in group["rules"]]

    async def wait(self, condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await condition():
            if self._process is not None and self._process.poll() is not None:
                raise AssertionError(f"Prometheus exited ({self._process.returncode}): {self.log.read_text()[-2000:]}")
            if asyncio.get_running_loop().time() > deadline:
                raise WaitTimedOut(f"timed out after {timeout}s waiting for: {what}")
            await asyncio.sleep(0.25)

    async def _ready(self) -> bool:
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(f"{self.url}/-/ready")).status_code == 200
        except httpx.HTTPError:
            return False
