"""Servers of the producer tests' own: a private Redis (counted exactly) and a RabbitMQ vhost."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis

from worker.embedded import EmbeddedRedis

AMQP_ENV = "INTAKE_TEST_AMQP_URL"
# Commands a client sends when it connects, not per call.
_CONNECTING = {"client|setinfo", "client", "hello", "select", "info", "config", "config|resetstat"}


@dataclass
class PrivateRedis:
    """A Redis server of one test's own, on a port fixed before it starts (or while it is down)."""

    server: EmbeddedRedis
    url: str

    def start(self) -> None:
        self.server.ensure_running()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def reset_counts(self) -> None:
        with self.client() as client:
            client.config_resetstat()

    def commands(self) -> dict[str, int]:
        """Calls of each command since the last reset (commands run by scripts included)."""
        with self.client() as client:
            stats: dict[str, Any] = client.info("commandstats")
        return {
            name.removeprefix("cmdstat_"): int(values["calls"])
            for name, values in stats.items()
            if name.removeprefix("cmdstat_") not in _CONNECTING
        }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    """Not started: call `start()` (a client may be made, and fail, before that)."""
    folder = tmp_path / "redis"
    folder.mkdir()
    port = free_port()
    # The embedded server takes the port recorded here when it starts.
    (folder / "redis.port").write_text(str(port))
    server = EmbeddedRedis(folder, appendonly=False)
    try:
        yield PrivateRedis(server, f"redis://127.0.0.1:{port}/0")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """A RabbitMQ virtual host of this run's own, so no other run's worker takes its messages."""
    base = os.environ.get(AMQP_ENV)
    if not base:
        pytest.skip(f"{AMQP_ENV} unset")
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("rabbitmqctl is not installed: cannot make a virtual host")
    vhost = f"intake-producers-{uuid.uuid4().hex[:8]}"
    _ctl(ctl, "add_vhost", vhost)
    try:
        _ctl(ctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield base.rstrip("/") + "/" + vhost
    finally:
        _ctl(ctl, "delete_vhost", vhost)


def _ctl(ctl: str, *args: str) -> None:
    done = subprocess.run([ctl, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"rabbitmqctl {args[0]} failed: {done.stderr}"
