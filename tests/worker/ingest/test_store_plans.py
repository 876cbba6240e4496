"""Every per-batch lookup of the ingest path uses its key's index, whatever the statistics."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from worker.ingest import store
from worker.tenancy import WORKER_ROLE, act_as_worker


def _explain(session: Session, ids: list[str]) -> dict[str, Any]:
    statement = store.decided_query(ids)
    compiled = statement.compile(dialect=session.get_bind().dialect)
    [[plan]] = session.connection().exec_driver_sql(
        "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled), compiled.params
    )
    return dict(plan[0]["Plan"]) if isinstance(plan, list) else json.loads(plan)[0]["Plan"]


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def _blocks(plan: dict[str, Any]) -> int:
    return int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))


def _fill(session_factory: sessionmaker[Session], rows: int) -> None:
    with session_factory() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO intake_outcomes (submission_id, tenant_id, outcome)"
                " SELECT gen_random_uuid()::text, 't', 'accepted' FROM generate_series(1, :n)"
            ),
            {"n": rows},
        )


def _lookup(session_factory: sessionmaker[Session]) -> dict[str, Any]:
    ids = [str(uuid.uuid4()) for _ in range(200)]
    with session_factory() as session, session.begin():
        act_as_worker(session, WORKER_ROLE)
        return _explain(session, ids)


def test_already_decided_uses_the_primary_key_on_an_empty_never_analyzed_table(
    session_factory: sessionmaker[Session],
) -> None:
    plan = _lookup(session_factory)
    scans = {node["Node Type"] for node in _nodes(plan)}
    assert "Seq Scan" not in scans
    assert any(node.get("Index Name") == "pk_intake_outcomes" for node in _nodes(plan))


@pytest.mark.parametrize("grown_to", [20_000, 200_000])
def test_the_cost_of_a_lookup_stays_flat_as_the_outcomes_grow(
    session_factory: sessionmaker[Session], grown_to: int
) -> None:
    # Buffers touched, not time: deterministic on a shared machine. The statistics stay those
    # of the empty table (nothing analyzes it here), the case that once scanned it all.
    empty = _blocks(_lookup(session_factory))
    _fill(session_factory, grown_to)
    grown = _lookup(session_factory)
    assert "Seq Scan" not in {node["Node Type"] for node in _nodes(grown)}
    # A deeper btree costs a block or two more per probe: 200 probes, at most ~3 blocks each.
    assert _blocks(grown) <= empty + 3 * 200
