"""References measured beside the paths: COPY of rows and outcomes, and raw Redis round trips."""

from __future__ import annotations

import logging
import time
import uuid

import psycopg
import redis

from bench.variants.common import Context, VariantResult
from bench.variants.limit import COPY_SQL, row

log = logging.getLogger("bench.references")

OUTCOMES_SQL = "COPY intake_outcomes (submission_id, tenant_id, kind, outcome) FROM STDIN"
REDIS_QUEUE = "bench-redis-reference"


def run_limit_with_outcomes(ctx: Context) -> VariantResult:
    """COPY of the rows and of an outcome row each, in one transaction: what the bulk path must
    at least write."""
    n = ctx.options.n
    result = VariantResult("limit-outcomes", "raw COPY of rows + outcomes", n)
    ctx.fresh_tables()
    submissions = ctx.workload.submissions("limit-outcomes", n)
    rows = [row(s) for s in submissions]
    outcomes = [(s["submission_id"], s["tenant_id"], s["kind"], "accepted") for s in submissions]
    with psycopg.connect(ctx.database_url) as connection:
        connection.execute("SELECT 1")
        connection.commit()
        started = time.perf_counter()
        with connection.cursor() as cursor:
            with cursor.copy(COPY_SQL) as copy:
                for values in rows:
                    copy.write_row(values)
            with cursor.copy(OUTCOMES_SQL) as copy:
                for values in outcomes:
                    copy.write_row(values)
        connection.commit()
        result.seconds = time.perf_counter() - started
    result.rows = result.completed = ctx.db.count("skill_feedback")
    result.throughput = n / result.seconds
    result.enqueue_rate = result.throughput
    result.notes.append("two COPYs in one transaction from the harness; no latency phase")
    log.info("limit-outcomes: %d rows and outcomes in %.2f s", n, result.seconds)
    return result


def run_redis_round_trips(ctx: Context) -> VariantResult:
    """One LMOVE a message from a list holding N: a consumer's floor of one round trip each."""
    n = ctx.options.n
    result = VariantResult("redis", "raw Redis LMOVE, one round trip", n)
    client = redis.Redis.from_url(ctx.broker_url)
    processing = f"{REDIS_QUEUE}:processing:{uuid.uuid4().hex}"
    try:
        client.delete(REDIS_QUEUE, processing)
        payload = b"x" * 1024
        for start in range(0, n, 1000):
            client.lpush(REDIS_QUEUE, *[payload] * min(1000, n - start))
        started = time.perf_counter()
        moved = 0
        while client.lmove(REDIS_QUEUE, processing, "RIGHT", "LEFT") is not None:
            moved += 1
        result.seconds = time.perf_counter() - started
    finally:
        client.delete(REDIS_QUEUE, processing)
        client.close()
    result.completed = moved
    result.throughput = moved / result.seconds
    result.enqueue_rate = result.throughput
    result.notes.append("1 KB items, one blocking client, no processing")
    log.info("redis: %d LMOVEs in %.2f s", moved, result.seconds)
    return result


RUNNERS = {"limit-outcomes": run_limit_with_outcomes, "redis": run_redis_round_trips}
