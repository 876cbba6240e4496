"""The naive baseline worker: one Celery task per submission, a session and a commit each."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from bench.apps import baseline_app
from bench.baseline import store_submission
from worker.db import sqlalchemy_url

QUEUE = "bench-naive"
STORE_TASK = "bench.naive.store"

app = baseline_app("bench_naive", QUEUE)

# Made at import, before the pool forks; it connects lazily, so each child opens its own.
engine = create_engine(sqlalchemy_url(os.environ["DATABASE_URL"]))
Session = sessionmaker(engine)


@app.task(name=STORE_TASK)
def store(submission: dict[str, Any]) -> str:
    """Store one submission in its own session and transaction."""
    with Session() as session:
        outcome = store_submission(session, submission)
        session.commit()
    return outcome
