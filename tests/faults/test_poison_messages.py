"""Thousands of malformed messages among good ones: good ones land, bad ones are recorded."""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.integration import raw
from tests.integration.conftest import start_worker, stop_worker
from worker.models import DeadLetter, IntakeOutcome, SkillFeedback


def children(pid: int) -> set[int]:
    return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}


def good(world: factories.World) -> tuple[bytes, str]:
    submission = {
        "submission_id": str(uuid.uuid4()),
        "kind": "usage_capture",
        "tenant_id": world.tenant.id,
        "user_id": world.author.id,
        "skill_id": world.skill.id,
        "usage_event_id": uuid.uuid4().hex,
        "example_input": "fine " * 50,
        "example_output": "also fine " * 50,
    }
    return raw.envelope(raw.task_body({"submission": submission})), submission["submission_id"]


def bad_messages(world: factories.World) -> list[tuple[bytes, str]]:
    """(raw list item, what it must leave behind: 'dead' letter or 'rejected' outcome)."""
    valid_ids = {"tenant_id": world.tenant.id, "user_id": world.author.id}

    def submission(**fields: Any) -> dict[str, Any]:
        return {
            "submission_id": str(uuid.uuid4()),
            "kind": "golden_example",
            "skill_id": world.skill.id,
            "example_input": "i",
            "example_output": "o",
            **valid_ids,
            **fields,
        }

    def enveloped(body: bytes, **kwargs: Any) -> bytes:
        return raw.envelope(body, **kwargs)

    full = raw.task_body({"submission": submission()})
    envelope = json.loads(raw.envelope(full))
    no_body = {k: v for k, v in envelope.items() if k != "body"}
    no_headers = {k: v for k, v in envelope.items() if k != "headers"}
    no_task = {**envelope, "headers": {k: v for k, v in envelope["headers"].items() if k != "task"}}
    bad_base64 = {**envelope, "body": "!!!not base64!!!"}
    return [
        (enveloped(b"{not json"), "dead"),
        (enveloped(full[: len(full) // 2]), "dead"),
        (enveloped(b"\xff\xfe\x00 not utf-8 \xc3\x28"), "dead"),
        (enveloped(b'{"args": 1}'), "dead"),
        (enveloped(json.dumps([1, {}, {}]).encode()), "dead"),
        (enveloped(raw.task_body({"submission": "a string"})), "dead"),
        (enveloped(raw.task_body({"submission": [1, 2, 3]})), "dead"),
        (enveloped(raw.task_body({"submission": 42})), "dead"),
        (enveloped(raw.task_body({"submission": submission(quality_score="ten")})), "rejected"),
        (
            enveloped(raw.task_body({"submission": submission(example_input="x" * 6000)})),
            "rejected",
        ),
        (enveloped(raw.task_body({"submission": submission(surprise=True)})), "rejected"),
        (enveloped(raw.task_body({"submission": submission(kind="nope")})), "rejected"),
        (enveloped(raw.task_body({"submission": {"kind": "golden_example"}})), "dead"),
        (enveloped(raw.task_body({"submissions": [{}] * 1001}), task="intake.submit_many"), "dead"),
        (enveloped(raw.task_body({"submissions": "nope"}), task="intake.submit_many"), "dead"),
        (enveloped(raw.task_body({"submission": {}}), task="no.such.task"), "dead"),
        (enveloped(b"junk", content_type="application/x-python-serialize"), "dead"),
        (json.dumps(no_body).encode(), "dead"),
        (json.dumps(no_headers).encode(), "dead"),
        (json.dumps(no_task).encode(), "dead"),
        (json.dumps(bad_base64).encode(), "dead"),
        (b"not an envelope at all", "dead"),
        (b"[1, 2, 3]", "dead"),
        (b"\xff\xfe\xfd", "dead"),
        # Far past any valid size: refused before its body is parsed.
        (enveloped(raw.task_body({"submission": submission(example_input="x" * 300_000)})), "dead"),
        (base64.b64encode(b"something else"), "dead"),
    ]


def test_poison_messages_are_recorded_and_never_stop_or_loop_the_worker(
    broker_url: str,
    session: Session,
    session_factory: sessionmaker[Session],
    redis_client: redis.Redis,
) -> None:
    world = factories.world(session)
    goods = [good(world) for _ in range(2000)]
    kinds = len(bad_messages(world))
    # Rebuilt per copy: a bad message that carries a submission id must carry its own.
    bads = [bad_messages(world)[i % kinds] for i in range(2000)]
    items = [(g, "good") for g, _ in goods] + list(bads)
    random.Random(7).shuffle(items)
    for start in range(0, len(items), 500):
        redis_client.lpush("intake", *[item for item, _ in items[start : start + 500]])
    expected = Counter(kind for _, kind in items)

    worker = start_worker(broker_url)
    main_pid = worker.process.pid
    pool_before = children(main_pid)
    try:
        deadline = time.monotonic() + 120
        while redis_client.llen("intake") or redis_client.hlen("unacked"):
            assert time.monotonic() < deadline, "the queue did not drain"
            assert worker.process.poll() is None, worker.output()
            time.sleep(0.2)
        time.sleep(1)
        assert worker.process.poll() is None
        assert children(main_pid) == pool_before, "a pool process was replaced"
        assert "Unrecoverable error" not in worker.output()
    finally:
        stop_worker(worker)

    session.expire_all()
    rows = session.scalar(select(func.count()).select_from(SkillFeedback))
    accepted = set(
        session.scalars(
            select(IntakeOutcome.submission_id).where(IntakeOutcome.outcome == "accepted")
        )
    )
    rejected = session.scalar(
        select(func.count()).select_from(IntakeOutcome).where(IntakeOutcome.outcome == "rejected")
    )
    # Identical bytes are one letter, counted each time they were seen.
    dead = session.scalar(select(func.sum(DeadLetter.seen)))
    assert rows == expected["good"] and accepted == {sid for _, sid in goods}
    assert rejected == expected["rejected"]
    assert dead == expected["dead"]
