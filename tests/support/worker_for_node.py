"""A real worker, database and world for the TypeScript producer's tests (`node --test`).

`python -m tests.support.worker_for_node [--signing-keys SPEC] [--worker-env NAME=VALUE ...]`
creates its own database (migrated), claims two Redis db indexes of its own (the worker's
broker, and a scratch one nobody consumes), seeds a world, starts a worker and prints one JSON
line: the URLs and the world's ids. It then answers one JSON request per stdin line (rows the
worker stored, a submission sent by the Python producer) until stdin closes, and cleans
everything up: the worker stopped, the database dropped, both Redis dbs flushed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from contextlib import ExitStack
from types import FrameType
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient
from tests import factories, servers
from tests.integration.conftest import WorkerProcess, start_worker, stop_worker
from worker import migrate
from worker.db import dispose_engines, get_engine
from worker.models import DeadLetter, SkillFeedback, TenantCapture


def seed(session: Session) -> dict[str, Any]:
    """A tenant with every kind of user, and tenants that each trigger one outcome."""
    main = factories.world(session)  # capture on; the author consents
    consenting = factories.user(session, main.tenant, consent=True)
    refusing = factories.user(session, main.tenant, consent=False)
    silent = factories.user(session, main.tenant)  # no preferences row: no consent
    capture_off = factories.world(session, capture=False)
    sampled = factories.world(session)
    session.add(TenantCapture(tenant_id=sampled.tenant.id, sample_rate=0.0))
    inactive_tenant = factories.tenant(session, active=False, capture=True)
    inactive_author = factories.user(session, inactive_tenant, consent=True)
    inactive_skill = factories.skill(session, inactive_tenant, inactive_author)
    other = factories.world(session)
    session.commit()
    return {
        "tenant": main.tenant.id,
        "author": main.author.id,
        "skill": main.skill.id,
        "consenting_user": consenting.id,
        "refusing_user": refusing.id,
        "silent_user": silent.id,
        "capture_off": _ids(capture_off),
        "sampled_out": _ids(sampled),
        "inactive": {
            "tenant": inactive_tenant.id,
            "author": inactive_author.id,
            "skill": inactive_skill.id,
        },
        "other": _ids(other),
    }


def _ids(world: factories.World) -> dict[str, str]:
    return {"tenant": world.tenant.id, "author": world.author.id, "skill": world.skill.id}


def answer(request: dict[str, Any], sessions: sessionmaker[Session], client: IntakeClient) -> Any:
    """One request of the node side."""
    op = request.get("op")
    if op == "rows":
        with sessions() as session:
            query = select(func.count()).where(SkillFeedback.id.in_(request["ids"]))
            return {"rows": session.scalar(query)}
    if op == "row":
        with sessions() as session:
            row = session.get(SkillFeedback, request["id"])
            if row is None:
                return {"row": None}
            fields = ("tenant_id", "user_id", "skill_id", "source", "status", "usage_event_id")
            texts = ("example_input", "example_output", "expected_output", "quality_score")
            return {"row": {name: getattr(row, name) for name in (*fields, *texts)}}
    if op == "python_submit":
        return {"submission_id": client.submit(request["submission"])}
    if op == "refusals":
        # Refused messages claim no outcome: they are dead letters naming the id they carried.
        with sessions() as session:
            claimed = DeadLetter.message_info["claimed_submission_id"].astext
            query = select(claimed, DeadLetter.reason).where(claimed.in_(request["ids"]))
            return {"refusals": sorted([sid, reason] for sid, reason in session.execute(query))}
    return {"error": f"unknown op {op!r}"}


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(f"signal {signum}")


def serve(args: argparse.Namespace) -> None:
    extra_env = dict(item.split("=", 1) for item in args.worker_env)
    if args.signing_keys:
        extra_env["INTAKE_SIGNING_KEYS"] = args.signing_keys
    with ExitStack() as stack:
        admin_url = stack.enter_context(servers.postgres_server())
        redis_url = stack.enter_context(servers.redis_server())
        database_url = stack.enter_context(servers.own_database(admin_url, prefix="intake_node"))
        broker_url = stack.enter_context(servers.own_redis_db(redis_url))
        scratch_url = stack.enter_context(servers.own_redis_db(redis_url))
        os.environ["DATABASE_URL"] = database_url
        migrate.upgrade(database_url)
        stack.callback(dispose_engines)
        sessions = sessionmaker(get_engine(database_url), expire_on_commit=False)
        with sessions() as session:
            world = seed(session)
        worker: WorkerProcess = start_worker(broker_url, extra_env=extra_env)
        stack.callback(stop_worker, worker)
        # Python's producer, configured as the worker is (it signs when the worker checks).
        os.environ.pop("INTAKE_SIGNING_KEYS", None)
        os.environ.pop("INTAKE_SIGNING_KEY_ID", None)
        if args.signing_keys:
            os.environ["INTAKE_SIGNING_KEYS"] = args.signing_keys
        client = stack.enter_context(IntakeClient(broker_url, tenant_rate=0))
        ready = {"broker_url": broker_url, "scratch_url": scratch_url, "world": world}
        print(json.dumps(ready), flush=True)
        for line in sys.stdin:
            if line.strip():
                reply = answer(json.loads(line), sessions, client)
                print(json.dumps(reply, default=str), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.support.worker_for_node")
    parser.add_argument("--signing-keys", help="INTAKE_SIGNING_KEYS for the worker")
    parser.add_argument(
        "--worker-env", action="append", default=[], help="NAME=VALUE for the worker"
    )
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    serve(parser.parse_args())


if __name__ == "__main__":
    main()
