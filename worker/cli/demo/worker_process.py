"""The demo's own Celery worker: started quietly, its decisions read from its JSON log lines."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections import defaultdict, deque
from typing import IO

from worker import spawn
from worker.errors import IntakeError

# The demo's messages go to a queue of their own, which only the demo's worker reads: workers
# of the real queues never decide them (so the demo sees each case as it means it), and the
# demo's worker, which never retries, never takes anyone else's submission.
DEMO_QUEUE = "intake.demo"

# The demo shows a failure: no retries, and a short wait for a locked row.
DEMO_WORKER_ENV = {
    "INTAKE_MAX_RETRIES": "0",
    "INTAKE_LOCK_TIMEOUT_MS": "300",
    "INTAKE_LOG_FORMAT": "json",
}


class DemoWorker:
    """A one-process worker whose per-submission log records are collected as they come.

    The worker logs every submission that is not simply accepted, with its id, outcome and
    reason: that is how the demo sees a resend decided as a duplicate, which leaves no outcome
    row of its own (the first outcome stands).
    """

    def __init__(self) -> None:
        self.decisions: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        self._tail: deque[str] = deque(maxlen=20)
        self._lock = threading.Lock()
        command = spawn.worker_command(
            queues=[DEMO_QUEUE], concurrency=1, quiet=True, extra=["--without-heartbeat"]
        )
        self._process = spawn.start(
            command,
            env=DEMO_WORKER_ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self._process.stderr is not None
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stderr,), daemon=True
        )
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._tail.append(line.rstrip())
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("submission_id") and record.get("outcome"):
                with self._lock:
                    self.decisions[str(record["submission_id"])].append(
                        (str(record["outcome"]), record.get("reason"))
                    )

    def seen(self, submission_id: str) -> list[tuple[str, str | None]]:
        with self._lock:
            return list(self.decisions.get(submission_id, []))

    def wait_for(self, submission_id: str, outcome: str, timeout: float) -> bool:
        """Whether the worker logs this outcome for the submission within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(seen == outcome for seen, _ in self.seen(submission_id)):
                return True
            self.check()
            time.sleep(0.05)
        return False

    def check(self) -> None:
        """Raise if the worker died (with the last thing it said)."""
        if self._process.poll() is not None:
            said = next((line for line in reversed(self._tail) if line.strip()), "nothing")
            raise DemoWorkerDied(
                f"the demo's worker stopped (exit status {self._process.returncode}); "
                f"it last said: {said[:200]}"
            )

    def stop(self) -> None:
        spawn.stop(self._process)
        self._reader.join(timeout=5)
        if self._process.stderr is not None:
            self._process.stderr.close()


class DemoWorkerDied(IntakeError):
    """The worker the demo started is gone."""

    reason = "demo_worker_died"
