"""One log format per process, and no stray library lines: `intake worker` and `intake migrate`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Invoke


@pytest.mark.integration
def test_a_worker_logs_json_from_its_first_line_to_its_last(
    database_url: str, broker_url: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "worker.log"
        with log.open("w") as stderr:
            worker = subprocess.Popen(
                [sys.executable, "-m", "worker.cli", "worker", "-c", "1", "--without-mingle"],
                env={**os.environ, "INTAKE_LOG_FORMAT": "json"},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            deadline = time.monotonic() + 60
            while "ready." not in log.read_text() and time.monotonic() < deadline:
                assert worker.poll() is None, log.read_text()
                time.sleep(0.1)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        lines = [line for line in log.read_text().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records[0]["logger"] == "worker.runtime"
    assert any(record["message"].endswith("ready.") for record in records)
    assert not [r for r in records if r["logger"].startswith("alembic.runtime.plugins")]


def test_migrate_says_nothing_but_its_answer_and_only_useful_lines_with_verbose(
    intake: Invoke,
) -> None:
    quiet = intake("migrate")
    assert (quiet.stdout, quiet.stderr) == ("database at revision head\n", "")
    said = intake("-v", "migrate")
    assert said.exit_code == 0
    assert "alembic.runtime.plugins" not in said.stderr
    assert "Context impl" not in said.stderr and "Will assume" not in said.stderr
