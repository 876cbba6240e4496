"""Starting and stopping `celery worker` processes: the one way the demo, tests and bench do it."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("worker.spawn")


def worker_command(
    *,
    queues: Sequence[str],
    concurrency: int,
    app: str = "worker.app",
    hostname: str | None = None,
    loglevel: str = "INFO",
    quiet: bool = False,
    extra: Sequence[str] = (),
) -> list[str]:
    """The command line of a prefork worker on `queues`, without gossip or mingle; `quiet`
    leaves out Celery's start-up banner."""
    command = [sys.executable, "-m", "celery", *(["--quiet"] if quiet else []), "-A", app]
    command += ["worker"]
    command += ["--queues", ",".join(queues), "--concurrency", str(concurrency)]
    command += ["--pool", "prefork", "--loglevel", loglevel, "--without-gossip", "--without-mingle"]
    if hostname is not None:
        command += ["--hostname", hostname]
    return [*command, *extra]


def start(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: IO[Any] | int | None = subprocess.DEVNULL,
    stderr: IO[Any] | int | None = subprocess.STDOUT,
    text: bool = False,
    cwd: Path | None = None,
) -> subprocess.Popen[Any]:
    """Start a worker in its own process group: a Ctrl-C of the caller reaches the caller, which
    stops the worker and its pool together (`stop`)."""
    return subprocess.Popen(
        list(command),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        text=text,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[Any], timeout: float = 30.0) -> None:
    """Warm shutdown (SIGTERM), then SIGKILL of the whole process group after `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning(
                "pid %d ignored SIGTERM for %.0f s; killing its group", process.pid, timeout
            )
    # The child leads its own group: its id is the group's, and only its descendants are in it.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        log.error("pid %d did not exit after SIGKILL", process.pid)
