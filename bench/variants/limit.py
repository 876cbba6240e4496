"""The limit: one raw COPY of N equivalent rows into skill_feedback, the database's ceiling."""

from __future__ import annotations

import logging
import time
from typing import Any

import psycopg

from bench.variants.common import Context, VariantResult

log = logging.getLogger("bench.limit")

COLUMNS = (
    "id", "tenant_id", "skill_id", "user_id", "usage_event_id", "feedback_type",
    "example_input", "example_output", "expected_output", "quality_score", "status", "source",
)  # fmt: skip
COPY_SQL = f"COPY skill_feedback ({', '.join(COLUMNS)}) FROM STDIN"


def row(submission: dict[str, Any]) -> tuple[Any, ...]:
    """The row the service would store for a submission (texts as sent, unsanitized)."""
    golden = submission["kind"] == "golden_example"
    return (
        submission["submission_id"],
        submission["tenant_id"],
        submission["skill_id"],
        submission["user_id"],
        submission.get("usage_event_id"),
        "training_example",
        submission["example_input"],
        submission["example_output"],
        submission.get("expected_output"),
        submission.get("quality_score"),
        "approved" if golden else "pending",
        "web" if golden else "usage_capture",
    )


def run_limit(ctx: Context) -> VariantResult:
    n = ctx.options.n
    result = VariantResult("limit", "raw COPY (limit)", n)
    ctx.fresh_tables()
    rows = [row(s) for s in ctx.workload.submissions("limit", n)]
    with psycopg.connect(ctx.database_url) as connection:
        connection.execute("SELECT 1")
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
            for values in rows:
                copy.write_row(values)
        connection.commit()
        finished = time.perf_counter()
    result.seconds = finished - started
    result.rows = result.completed = ctx.db.count("skill_feedback")
    result.throughput = n / result.seconds
    result.enqueue_rate = result.throughput
    result.notes.append("one COPY in one transaction from the harness; no latency phase")
    log.info("limit: %d rows in %.2f s", n, result.seconds)
    return result
