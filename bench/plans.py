"""The per-batch lookup cost as intake_outcomes grows: `python -m bench.plans [--sizes ...]`.

Fills a scratch database's intake_outcomes to each size (never analyzed: the statistics stay
those of the empty table, the case that once made the lookup scan the whole table) and times
`already_decided` for batches of 200 ids in a worker transaction, with the blocks it touched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests import servers
from worker import migrate
from worker.db import get_engine
from worker.ingest import store
from worker.settings import reload_settings
from worker.tenancy import WORKER_ROLE, act_as_worker

BATCH = 200
SAMPLES = 20


def measure(factory: sessionmaker[Session]) -> dict[str, Any]:
    """Median ms and blocks touched by one batch's lookup, and the plan's scan types."""
    timings, blocks, scans = [], [], set()
    for _ in range(SAMPLES):
        ids = [str(uuid.uuid4()) for _ in range(BATCH)]
        with factory() as session, session.begin():
            act_as_worker(session, WORKER_ROLE)
            compiled = store.decided_query(ids).compile(dialect=session.get_bind().dialect)
            started = time.perf_counter()
            [[plan]] = session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + str(compiled), compiled.params
            )
            timings.append((time.perf_counter() - started) * 1000)
        root = plan[0]["Plan"]
        blocks.append(root.get("Shared Hit Blocks", 0) + root.get("Shared Read Blocks", 0))
        scans |= {node["Node Type"] for node in _nodes(root)}
    return {
        "ms": round(statistics.median(timings), 3),
        "blocks": int(statistics.median(blocks)),
        "scans": sorted(scan for scan in scans if "Scan" in scan),
    }


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def _grow(factory: sessionmaker[Session], rows: int) -> None:
    with factory() as session, session.begin():
        session.execute(
            text(
                "INSERT INTO intake_outcomes (submission_id, tenant_id, outcome)"
                " SELECT gen_random_uuid()::text, 't', 'accepted' FROM generate_series(1, :n)"
            ),
            {"n": rows},
        )


def run(sizes: list[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with servers.postgres_server() as admin, servers.own_database(admin, "intake_plans") as url:
        os.environ["DATABASE_URL"] = url
        reload_settings()
        migrate.upgrade(url)
        factory = sessionmaker(get_engine(url))
        have = 0
        for size in sorted(sizes):
            if size > have:
                _grow(factory, size - have)
                have = size
            rows.append({"outcome_rows": size, **measure(factory)})
            print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,1000000,5000000", help="comma-separated row counts")
    args = parser.parse_args()
    rows = run([int(size) for size in args.sizes.split(",")])
    print("| intake_outcomes rows | ms per batch of 200 | blocks touched | scans |")
    print("|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row['outcome_rows']:,} | {row['ms']} | {row['blocks']:,} | "
            f"{', '.join(row['scans'])} |"
        )


if __name__ == "__main__":
    main()
