"""PostgreSQL and Redis restarted under load: nothing lost, nothing duplicated.

These tests own their servers (embedded ones in temporary folders), never the machine's shared
services, because they stop and restart them.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session

from producers import IntakeClient, usage_capture
from tests.integration.conftest import WorkerProcess, start_worker, stop_worker
from worker import migrate
from worker.db import sqlalchemy_url
from worker.embedded import EmbeddedPostgres, EmbeddedRedis
from worker.models import IntakeOutcome, SkillFeedback

TOTAL = 3000
FAST_RECOVERY = {
    "INTAKE_VISIBILITY_TIMEOUT": "5",
    "INTAKE_UNACKED_RESTORE_INTERVAL": "1",
    "INTAKE_CONSUMER_LIVENESS_TTL": "3",
    "INTAKE_RETRY_BACKOFF": "0.2",
    "INTAKE_RETRY_BACKOFF_MAX": "2",
    "INTAKE_MAX_RETRIES": "12",
}


@dataclass
class Stack:
    postgres: EmbeddedPostgres
    redis: EmbeddedRedis
    engine: Engine

    @property
    def env(self) -> dict[str, str]:
        return {
            **FAST_RECOVERY,
            "DATABASE_URL": self.postgres.url("intake"),
            "CELERY_BROKER_URL": self.redis.url(0),
        }

    def counts(self) -> tuple[int, int]:
        try:
            with Session(self.engine) as session:
                rows = session.scalar(select(func.count()).select_from(SkillFeedback)) or 0
                outcomes = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
                return rows, outcomes
        except Exception:  # noqa: BLE001 - the server may be down right now
            return -1, -1


@pytest.fixture
def stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="intake-faults-") as folder:
        postgres = EmbeddedPostgres(Path(folder) / "pg" / "data")
        redis_server = EmbeddedRedis(Path(folder) / "redis", appendonly=True)
        postgres.ensure_running()
        redis_server.ensure_running()
        engine = create_engine(
            sqlalchemy_url(postgres.url("postgres")), isolation_level="AUTOCOMMIT"
        )
        with engine.connect() as connection:
            connection.execute(text("CREATE DATABASE intake"))
        engine.dispose()
        migrate.upgrade(postgres.url("intake"))
        engine = create_engine(sqlalchemy_url(postgres.url("intake")), pool_pre_ping=True)
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO tenants (id, name, slug) VALUES ('t', 'T', 't')",
                "INSERT INTO users (id, tenant_id, email) VALUES ('u', 't', 'u@example.test')",
                "INSERT INTO skills (id, tenant_id, name, slug, author_id)"
                " VALUES ('s', 't', 'S', 's', 'u')",
                "INSERT INTO site_settings (id, tenant_id, training_data_capture_enabled)"
                " VALUES ('ss', 't', true)",
                "INSERT INTO user_preferences (id, tenant_id, user_id, preferences)"
                " VALUES ('p', 't', 'u', '{\"trainingDataConsent\": true}')",
            ):
                connection.execute(text(statement))
        try:
            yield Stack(postgres, redis_server, engine)
        finally:
            engine.dispose()
            redis_server.stop()
            postgres.stop(mode="immediate")


def enqueue(stack: Stack) -> set[str]:
    captures = [
        usage_capture(
            tenant_id="t",
            user_id="u",
            skill_id="s",
            usage_event_id=f"evt-{n}",
            example_input=f"input {n} " * 30,
            example_output=f"output {n} " * 60,
            submission_id=str(uuid.uuid4()),
        )
        for n in range(TOTAL)
    ]
    with IntakeClient(stack.redis.url(0)) as client:
        for capture in captures[: TOTAL // 2]:
            client.submit(capture)
        client.capture_usage_many(captures[TOTAL // 2 :])
    return {capture["submission_id"] for capture in captures}


def wait_for_all(stack: Stack, worker: WorkerProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while stack.counts()[1] < TOTAL:
        if time.monotonic() > deadline or worker.process.poll() is not None:
            pytest.fail(
                f"only {stack.counts()} of {TOTAL}; worker log ends:\n{worker.output()[-4000:]}"
            )
        time.sleep(0.3)


def assert_exactly_once(stack: Stack, ids: set[str]) -> None:
    with Session(stack.engine) as session:
        stored = set(session.scalars(select(SkillFeedback.id)))
        outcomes = dict(
            session.execute(
                select(IntakeOutcome.outcome, func.count()).group_by(IntakeOutcome.outcome)
            ).all()
        )
    assert stored == ids
    assert outcomes == {"accepted": TOTAL}


def test_postgres_stopped_and_restarted_under_load_loses_nothing(stack: Stack) -> None:
    ids = enqueue(stack)
    worker = start_worker(stack.redis.url(0), extra_env=stack.env)
    try:
        while stack.counts()[1] < TOTAL // 10:
            time.sleep(0.05)
        stack.postgres.stop(mode="immediate")
        time.sleep(3)
        stack.postgres.ensure_running()
        wait_for_all(stack, worker, timeout=120)
        assert worker.process.poll() is None
    finally:
        stop_worker(worker)
    assert_exactly_once(stack, ids)


def test_redis_restarted_under_load_with_append_only_persistence_loses_nothing(
    stack: Stack,
) -> None:
    ids = enqueue(stack)
    time.sleep(1.2)  # appendfsync everysec: the queue itself is on disk before the fault
    worker = start_worker(stack.redis.url(0), extra_env=stack.env)
    try:
        while stack.counts()[1] < TOTAL // 10:
            time.sleep(0.05)
        stack.redis.stop()
        time.sleep(2)
        stack.redis.ensure_running()
        wait_for_all(stack, worker, timeout=120)
        assert worker.process.poll() is None
    finally:
        stop_worker(worker)
    assert_exactly_once(stack, ids)
