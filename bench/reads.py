"""Reads at scale: the web app's count and first page of a skill, over millions of rows."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from bench.variants.common import Context, percentile
from bench.world import Skill, World
from worker.db import sqlalchemy_url
from worker.queries import get_training_example_count, get_training_examples_for_skill

log = logging.getLogger("bench.reads")

LOADERS = 2
NULL = "\\N"
BATCH_ROWS = 2_000
COLUMNS = (
    "id, tenant_id, skill_id, user_id, usage_event_id, feedback_type, example_input, "
    "example_output, quality_score, status, source, created_at, updated_at"
)


def _escape(text: str) -> str:
    """COPY's text format: backslash, tab, newline and carriage return escaped."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _load_part(
    ctx: Context, world: World, skills: list[Skill], part: int, rows: int, origin: datetime
) -> None:
    rng = random.Random(f"{ctx.options.seed}:reads:{part}")
    inputs = [_escape(t) for t in ctx.workload.inputs]
    outputs = [_escape(t) for t in ctx.workload.outputs]
    with psycopg.connect(ctx.database_url) as connection, connection.cursor() as cursor:
        with cursor.copy(f"COPY skill_feedback ({COLUMNS}) FROM STDIN") as copy:
            lines: list[str] = []
            for index in range(part, rows, LOADERS):
                skill = skills[index % len(skills)]
                # A steady stream of examples over the past weeks, newest last.
                created = (origin + timedelta(milliseconds=index * 500)).isoformat()
                if rng.random() < 0.2:
                    user, event, score = skill.author_id, NULL, "8"
                    status, source = "approved", "web"
                else:
                    users = world.users[skill.tenant_id]
                    user, event = users[rng.randrange(len(users))], f"reads-{index}"
                    score, status, source = NULL, "pending", "usage_capture"
                lines.append(
                    f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{skill.tenant_id}\t"
                    f"{skill.id}\t{user}\t{event}\ttraining_example\t"
                    f"{inputs[rng.randrange(len(inputs))]}\t{outputs[rng.randrange(len(outputs))]}\t"
                    f"{score}\t{status}\t{source}\t{created}\t{created}\n"
                )
                if len(lines) >= BATCH_ROWS:
                    copy.write("".join(lines))
                    lines.clear()
            if lines:
                copy.write("".join(lines))
        connection.commit()


def load(ctx: Context, world: World, skills: list[Skill], rows: int) -> float:
    """COPY `rows` training examples spread over `skills` with parallel loaders; seconds taken."""
    origin = datetime.now(UTC) - timedelta(milliseconds=rows * 500)
    errors: list[BaseException] = []

    def part(index: int) -> None:
        try:
            _load_part(ctx, world, skills, index, rows, origin)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=part, args=(i,), daemon=True) for i in range(LOADERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def _timed(
    session_factory: sessionmaker[Session],
    call: Callable[[Session, str], Any],
    skills: list[Skill],
    samples: int,
    rng: random.Random,
) -> dict[str, float]:
    seconds = []
    for _ in range(samples):
        skill_id = skills[rng.randrange(len(skills))].id
        started = time.perf_counter()
        with session_factory() as session:
            call(session, skill_id)
        seconds.append(time.perf_counter() - started)
    return {
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 3),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 3),
        "max_ms": round(max(seconds) * 1000, 3),
    }


def run_reads(ctx: Context, world: World) -> dict[str, Any]:
    options = ctx.options
    skills = world.all_skills[: options.reads_skills]
    report: dict[str, Any] = {"rows": options.reads_rows, "skills": len(skills)}
    try:
        ctx.fresh_tables()
        report["load_seconds"] = round(load(ctx, world, skills, options.reads_rows), 2)
        log.info("reads: %d rows loaded in %.1f s", options.reads_rows, report["load_seconds"])
        started = time.perf_counter()
        # What autovacuum does to an insert-mostly table: statistics and the visibility map.
        ctx.db.connection.execute("VACUUM (ANALYZE) skill_feedback")
        report["vacuum_seconds"] = round(time.perf_counter() - started, 2)
        engine = create_engine(sqlalchemy_url(ctx.database_url), pool_size=1)
        session_factory = sessionmaker(engine)
        rng = random.Random(f"{options.seed}:reads:sample")
        try:
            # Warm the pool and the caches as a running web app would have them.
            _timed(session_factory, get_training_example_count, skills, 50, rng)
            _timed(session_factory, get_training_examples_for_skill, skills, 50, rng)
            report["count"] = _timed(
                session_factory, get_training_example_count, skills, options.reads_samples, rng
            )
            report["first_page"] = _timed(
                session_factory, get_training_examples_for_skill, skills, options.reads_samples, rng
            )
        finally:
            engine.dispose()
        report["samples"] = options.reads_samples
        report["basis"] = "one session per call (pool checkout, query, rollback), warm pool"
        log.info("reads: count p99 %s ms, first page p99 %s ms",
                 report["count"]["p99_ms"], report["first_page"]["p99_ms"])  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - recorded in the report; the run goes on
        report["error"] = f"{type(exc).__name__}: {exc}"
        log.error("reads mode failed: %s", report["error"])
    finally:
        ctx.fresh_tables()
    return report
