"""The tests' broker choice asks Docker only when its socket exists (docker-py leaks a socket otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import broker


def test_a_missing_unix_socket_means_no_docker_engine(tmp_path: Path) -> None:
    assert broker._socket_missing(f"unix://{tmp_path / 'docker.sock'}")


def test_an_existing_socket_or_a_tcp_host_is_asked(tmp_path: Path) -> None:
    socket = tmp_path / "docker.sock"
    socket.touch()

    assert not broker._socket_missing(f"unix://{socket}")
    assert not broker._socket_missing("tcp://127.0.0.1:2375")


def test_no_engine_is_answered_without_a_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docker = pytest.importorskip("docker")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'docker.sock'}")
    monkeypatch.setattr(docker, "from_env", lambda **_: pytest.fail("a client was made"))

    assert broker.docker_answers() is False
