"""Celery worker subprocesses: start one on a queue, wait for its ping, and always stop it."""

from __future__ import annotations

import logging
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from producers.client import producer_app
from worker import spawn

log = logging.getLogger("bench.workers")

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Worker:
    """A `celery worker` in its own process group (so its pool can be stopped with it)."""

    process: subprocess.Popen[bytes]
    hostname: str
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def start_worker(
    app_module: str,
    queue: str,
    *,
    broker_url: str,
    concurrency: int,
    log_dir: Path,
    env: dict[str, str] | None = None,
    ready_timeout: float = 60.0,
    tree: Path | None = None,
) -> Worker:
    """Start `celery -A app_module worker` on `queue` (names separated by commas); wait for it."""
    hostname = f"bench-{queue.split(',')[0]}-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"{hostname.split('@')[0]}.log"
    command = spawn.worker_command(
        app=app_module, queues=queue.split(","), concurrency=concurrency, hostname=hostname,
        loglevel="WARNING",
    )  # fmt: skip
    if tree is not None:
        # Another checkout's code, with its own interpreter and packages.
        command[0] = str(tree / ".venv" / "bin" / "python")
    with log_path.open("wb") as output:
        process = spawn.start(command, env=env, stdout=output, cwd=tree or ROOT)
    worker = Worker(process, hostname, log_path)
    try:
        _wait_ready(worker, broker_url, ready_timeout)
    except BaseException:
        stop_worker(worker)
        raise
    log.info("worker %s (pid %d) ready: %s", hostname, worker.pid, app_module)
    return worker


def _wait_ready(worker: Worker, broker_url: str, timeout: float) -> None:
    control = producer_app(broker_url)
    control.conf.update(accept_content=["json"], task_serializer="json")
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{worker.log_tail()}")
            if control.control.ping(destination=[worker.hostname], timeout=0.5):
                return
        raise RuntimeError(f"worker did not answer a ping in {timeout:.0f} s:\n{worker.log_tail()}")
    finally:
        control.close()


def stop_worker(worker: Worker, timeout: float = 30.0) -> None:
    """Warm shutdown (SIGTERM), then SIGKILL of the whole process group after `timeout`."""
    spawn.stop(worker.process, timeout)


def stop_group(process: subprocess.Popen[Any], timeout: float = 30.0) -> None:
    """Stop a child started in a process group of its own, and anything left in its group."""
    spawn.stop(process, timeout)
