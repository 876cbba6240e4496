"""Duplicate flags written at ingest, under row-level security, across batches and workers."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.datasets_helpers import example
from tests.worker.ingest.test_pipeline import golden, usage
from worker.datasets.backfill import count_unflagged, flag_unflagged, skills_of
from worker.datasets.duplicates import DuplicateKind, duplicates_of, flag_duplicates
from worker.datasets.models import DuplicateKey, ExampleDuplicate
from worker.ingest.pipeline import process_batch
from worker.operations.consent import revoke_consent
from worker.tenancy import WORKER_ROLE, act_as_worker, set_tenant

PROMPT = "Write a SQL query that lists customers who have never placed an order."
ANSWER = (
    "SELECT c.id FROM customers c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL;"
)


def _flags(session: Session) -> dict[str, ExampleDuplicate]:
    session.expire_all()
    return {row.example_id: row for row in session.scalars(select(ExampleDuplicate))}


def _send(factory: sessionmaker[Session], *messages: dict[str, Any]) -> None:
    report = process_batch(factory, list(messages))
    assert [r.outcome.value for r in report.results] == ["accepted"] * len(messages)


def test_exact_and_near_copies_join_the_first_examples_cluster_within_one_batch(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    first = usage(world, example_input=PROMPT, example_output=ANSWER)
    spaced = usage(world, example_input="  " + PROMPT.upper(), example_output=ANSWER + "\n")
    near = usage(world, example_input=PROMPT.replace("never", "not ever"), example_output=ANSWER)
    other = usage(world, example_input="Explain the CAP theorem.", example_output="C, A, P.")
    _send(session_factory, first, spaced, near, other)
    flags = _flags(session)
    head = first["submission_id"]
    assert (flags[head].cluster_id, flags[head].kind) == (head, None)
    assert flags[head].signature is not None
    assert (flags[spaced["submission_id"]].cluster_id, flags[spaced["submission_id"]].kind) == (
        head,
        "exact",
    )
    assert (flags[near["submission_id"]].cluster_id, flags[near["submission_id"]].kind) == (
        head,
        "near",
    )
    assert 0.6 <= flags[near["submission_id"]].similarity < 1  # type: ignore[operator]
    assert flags[other["submission_id"]].kind is None
    # Members keep only their exact key: later examples are compared with heads alone.
    assert flags[near["submission_id"]].signature is None
    assert flags[near["submission_id"]].keys == [flags[near["submission_id"]].exact_key]


def test_a_later_batch_finds_the_cluster_of_an_earlier_one(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    first = golden(world, example_input=PROMPT, example_output=ANSWER, expected_output=None)
    _send(session_factory, first)
    copies = [usage(world, example_input=PROMPT, example_output=ANSWER) for _ in range(3)]
    _send(session_factory, *copies)
    flags = _flags(session)
    assert {flags[c["submission_id"]].cluster_id for c in copies} == {first["submission_id"]}
    assert {flags[c["submission_id"]].kind for c in copies} == {"exact"}
    near = usage(world, example_input=PROMPT.replace("never", "not ever"), example_output=ANSWER)
    _send(session_factory, near)
    flag = _flags(session)[near["submission_id"]]
    assert (flag.cluster_id, flag.kind) == (first["submission_id"], "near")
    info = duplicates_of(session, [first["submission_id"], copies[0]["submission_id"]])
    assert info[first["submission_id"]].cluster_size == 5
    assert info[copies[0]["submission_id"]].flag.kind is DuplicateKind.EXACT


def test_the_same_text_in_another_skill_or_tenant_is_not_a_duplicate(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    elsewhere = factories.world(session)
    other_skill = factories.skill(session, world.tenant, world.author)
    session.commit()
    messages = [
        usage(world, example_input=PROMPT, example_output=ANSWER),
        usage(world, skill_id=other_skill.id, example_input=PROMPT, example_output=ANSWER),
        usage(elsewhere, example_input=PROMPT, example_output=ANSWER),
    ]
    _send(session_factory, *messages)
    assert all(flag.kind is None for flag in _flags(session).values())


def test_a_templated_prompt_with_other_values_starts_its_own_cluster(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    template = "Refund order #{} for customer {} because the parcel arrived damaged."
    messages = [
        usage(world, example_input=template.format(order, customer), example_output="Done.")
        for order, customer in (("88213", "4412"), ("10457", "9901"), ("55120", "17"))
    ]
    _send(session_factory, *messages)
    assert all(flag.kind is None for flag in _flags(session).values())


def test_flags_are_written_by_the_restricted_worker_role_and_follow_a_revocation(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    copies = [usage(world, example_input=PROMPT, example_output=ANSWER) for _ in range(2)]
    _send(session_factory, *copies)
    assert len(_flags(session)) == 2
    assert session.scalars(select(DuplicateKey)).all() != []
    revoke_consent(session, world.author.id, changed_by="test")
    session.commit()
    # The flags of removed examples go with them (ON DELETE CASCADE), and their keys too.
    assert _flags(session) == {}
    assert session.scalars(select(DuplicateKey)).all() == []


def test_two_workers_flagging_the_same_skill_at_once_agree_on_one_cluster(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    start = threading.Barrier(2)
    batches = [[usage(world, example_input=PROMPT, example_output=ANSWER)] for _ in range(2)]

    def work(batch: list[dict[str, Any]]) -> None:
        start.wait()
        process_batch(session_factory, batch)

    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flags = _flags(session)
    assert len(flags) == 2
    assert len({flag.cluster_id for flag in flags.values()}) == 1
    assert sorted(str(flag.kind) for flag in flags.values()) == ["None", "exact"]


def test_the_worker_role_sees_only_the_flags_of_the_tenant_it_is_set_to(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    mine, theirs = factories.world(session), factories.world(session)
    _send(session_factory, usage(theirs, example_input=PROMPT, example_output=ANSWER))
    with session_factory() as worker, worker.begin():
        act_as_worker(worker, WORKER_ROLE)
        assert worker.scalars(select(ExampleDuplicate)).all() == []
        set_tenant(worker, mine.tenant.id)
        assert worker.scalars(select(ExampleDuplicate)).all() == []
        set_tenant(worker, theirs.tenant.id)
        assert len(worker.scalars(select(ExampleDuplicate)).all()) == 1


def test_flagging_nothing_costs_no_statement(session: Session) -> None:
    assert flag_duplicates(session, []) == {}
    assert flag_duplicates(session, [{"id": "x", "feedback_type": "thumbs_up"}]) == {}


def test_a_backfill_pages_through_a_skill_oldest_first_and_skips_flagged_examples(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    _send(session_factory, usage(world, example_input=PROMPT, example_output=ANSWER))
    ids = [example(session, world, example_input=PROMPT, example_output=ANSWER) for _ in range(4)]
    steps = []
    after = None
    while True:
        with session_factory() as backfilling, backfilling.begin():
            step = flag_unflagged(
                backfilling, world.tenant.id, world.skill.id, after=after, limit=2
            )
        steps.append((step.read, step.flagged))
        if step.after is None:
            break
        after = step.after
    assert steps == [(2, 1), (2, 2), (1, 1)]
    flags = _flags(session)
    assert {flags[i].kind for i in ids} == {"exact"}
    with session_factory() as reader:
        assert count_unflagged(reader, world.tenant.id) == 0
        assert skills_of(reader, world.tenant.id) == [world.skill.id]
