"""One caller process of the inline baseline: look up, sanitize, insert and commit, per submission.

Run by the harness as `python -m bench.inline_runner JOB.json RESULT.json`. It prints `ready`
once connected, waits for `go <wall time>` on stdin, runs, writes its result and prints `done`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import configure_mappers, sessionmaker

from bench.baseline import store_submission
from worker.db import sqlalchemy_url


def run(engine: Engine, job: dict[str, Any], start_at: float) -> dict[str, Any]:
    session_factory = sessionmaker(engine)
    submissions: list[dict[str, Any]] = job["submissions"]
    rate: float | None = job.get("rate")
    outcomes: dict[str, int] = {}
    latencies: list[float] = []
    time.sleep(max(0.0, start_at - time.time()))
    origin = time.perf_counter()
    started = time.time()
    for index, submission in enumerate(submissions):
        if rate:
            # Open loop, as in the queued variants: a fixed schedule, never a spin.
            delay = origin + index / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        called = time.perf_counter()
        with session_factory() as session:
            outcome = store_submission(session, submission)
            session.commit()
        latencies.append(time.perf_counter() - called)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finished = time.time()
    return {
        "started": started,
        "finished": finished,
        "outcomes": outcomes,
        "latencies": latencies if rate else [],
    }


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text())
    # Connected and mapped before the clock starts, as a long-running web process would be.
    engine = create_engine(sqlalchemy_url(job["database_url"]), pool_size=1)
    configure_mappers()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    print("ready", flush=True)
    line = sys.stdin.readline().split()
    if len(line) != 2 or line[0] != "go":
        return 2
    result = run(engine, job, float(line[1]))
    engine.dispose()
    Path(argv[1]).write_text(json.dumps(result))
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
