"""Celery worker subprocesses: start one on a queue, wait for its ping, and always stop it."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from producers.client import producer_app

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
) -> Worker:
    """Start `celery -A app_module worker` on `queue` (names separated by commas); wait for it."""
    hostname = f"bench-{queue.split(',')[0]}-{uuid.uuid4().hex[:8]}@localhost"
    log_path = log_dir / f"{hostname.split('@')[0]}.log"
    command = [
        sys.executable, "-m", "celery", "-A", app_module, "worker",
        "--queues", queue, "--concurrency", str(concurrency), "--pool", "prefork",
        "--hostname", hostname, "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
    ]  # fmt: skip
    with log_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C of the harness reaches us, and we stop the whole tree.
            start_new_session=True,
        )
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
    stop_group(worker.process, timeout)


def stop_group(process: subprocess.Popen[Any], timeout: float = 30.0) -> None:
    """Stop a child started with `start_new_session=True`, and anything left in its group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning(
                "pid %d ignored SIGTERM for %.0f s; killing its group", process.pid, timeout
            )
    # The child led its own group: its id is the group's id; only its descendants are in it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log.error("pid %d did not exit after SIGKILL", process.pid)
