"""RabbitMQ's consumer timeout: a channel closed under a slow batch is reopened, nothing is lost.

RabbitMQ closes the channel of a consumer that holds a delivery unacknowledged longer than
`consumer_timeout` (30 minutes by default) and requeues what it held. Here a scratch RabbitMQ
node runs with the timeout at three seconds (it is a node-wide setting before RabbitMQ 3.12, so
the shared server is left alone), and a table lock makes the worker's batches wait past it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from producers import IntakeClient, usage_capture
from tests import factories
from tests.integration.conftest import start_worker, stop_worker
from worker.models import IntakeOutcome, SkillFeedback

TIMEOUT_MS = 3000

pytestmark = pytest.mark.skipif(
    shutil.which("rabbitmq-server") is None or os.geteuid() != 0,
    reason="needs rabbitmq-server and root to start a scratch node",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def scratch_rabbitmq() -> Iterator[str]:
    """A RabbitMQ node of this test's own, with a short consumer timeout; its AMQP URL."""
    folder = Path(tempfile.mkdtemp(prefix="intake-rabbitmq-"))
    # A name of this run's own: a node left behind by another run cannot take it.
    node = f"intake-scratch-{folder.name.rsplit('-', 1)[-1]}@localhost"
    port, dist_port = _free_port(), _free_port()
    (folder / "rabbitmq.conf").write_text(
        f"listeners.tcp.default = {port}\nconsumer_timeout = {TIMEOUT_MS}\nloopback_users = none\n"
    )
    # Consumer timeouts are checked on each channel tick: every second instead of every minute.
    (folder / "advanced.config").write_text("[{rabbit, [{channel_tick_interval, 1000}]}].\n")
    (folder / "enabled_plugins").write_text("[].\n")
    shutil.chown(folder, "rabbitmq", "rabbitmq")
    for item in folder.iterdir():
        shutil.chown(item, "rabbitmq", "rabbitmq")
    env = {
        **os.environ,
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(folder / "advanced.config"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(folder / "pid"),
    }
    subprocess.run(["rabbitmq-server", "-detached"], env=env, check=True)
    try:
        deadline = time.monotonic() + 90
        while not _listening(port):
            assert time.monotonic() < deadline, "the scratch RabbitMQ did not start"
            time.sleep(0.5)
        yield f"amqp://guest:guest@127.0.0.1:{port}//"
    finally:
        subprocess.run(["rabbitmqctl", "-n", node, "stop"], env=env, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_channel_closed_by_the_consumer_timeout_is_reopened_and_loses_nothing(
    scratch_rabbitmq: str,
    broker_url: str,
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    world = factories.world(session)
    session.commit()
    total = 400
    captures = [
        usage_capture(
            tenant_id=world.tenant.id,
            user_id=world.author.id,
            skill_id=world.skill.id,
            usage_event_id=f"evt-{n}",
            example_input=f"input {n}",
            example_output=f"output {n}",
        )
        for n in range(total)
    ]
    locked, release = threading.Event(), threading.Event()

    def hold_the_table() -> None:
        with session_factory() as locker, locker.begin():
            locker.execute(text("LOCK TABLE skill_feedback IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(60)

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    assert locked.wait(10)
    worker = start_worker(
        scratch_rabbitmq,
        extra_env={
            "INTAKE_OUTCOME_STORE_URL": broker_url,
            # Batches wait on the lock and retry, well past the consumer timeout.
            "INTAKE_LOCK_TIMEOUT_MS": "1000",
            "INTAKE_RETRY_BACKOFF": "0.5",
            "INTAKE_RETRY_BACKOFF_MAX": "2",
            "INTAKE_MAX_RETRIES": "30",
        },
    )
    try:
        with IntakeClient(scratch_rabbitmq, outcome_store_url=broker_url) as client:
            for capture in captures[:100]:
                client.submit(capture)
            client.capture_usage_many(captures[100:])
        deadline = time.monotonic() + 60
        while "timed out" not in worker.output() and time.monotonic() < deadline:
            time.sleep(0.5)
        release.set()
        holder.join()
        deadline = time.monotonic() + 120
        while True:
            session.expire_all()
            done = session.scalar(select(func.count()).select_from(IntakeOutcome)) or 0
            session.rollback()
            if done >= total:
                break
            assert worker.process.poll() is None, worker.output()[-3000:]
            assert time.monotonic() < deadline, f"{done} of {total} after the channel was closed"
            time.sleep(0.3)
        assert worker.process.poll() is None
        log = worker.output()
    finally:
        release.set()
        holder.join()
        stop_worker(worker)
    # The broker did close the channel under the slow batches...
    assert "delivery acknowledgement on channel" in log and "timed out" in log
    # ...and every submission still ended once, stored once.
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SkillFeedback)) == total
    accepted = session.scalar(
        select(func.count()).select_from(IntakeOutcome).where(IntakeOutcome.outcome == "accepted")
    )
    assert accepted == total
