"""A real Celery worker process (prefork) against this run's database, on Redis and RabbitMQ."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from producers import IntakeClient
from producers.client import producer_app
from producers.contract import QUEUES
from tests.integration.brokers import AMQP, AMQP_URL, REDIS, AmqpBroker, Broker, RedisBroker
from worker import spawn

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path
    name: str

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_worker(
    broker_url: str, *, concurrency: int = 2, extra_env: dict[str, str] | None = None
) -> WorkerProcess:
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log = Path(tempfile.mkstemp(prefix="intake-worker-", suffix=".log")[1])
    # The worker consumes from the broker it is pinged on, whatever CELERY_BROKER_URL says here.
    env = {**os.environ, "CELERY_BROKER_URL": broker_url, **(extra_env or {})}
    with log.open("wb") as output:
        process = _spawn(name, concurrency, env, output)
    control = producer_app(broker_url)
    worker = WorkerProcess(process, log, name)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{log.read_text()}")
            if control.control.ping(destination=[name], timeout=0.5):
                return worker
        raise RuntimeError(f"worker did not become ready:\n{log.read_text()}")
    except BaseException:
        # Never leave a worker behind: it would keep consuming (or retrying) after the test.
        stop_worker(worker)
        raise
    finally:
        control.close()


def _spawn(
    name: str, concurrency: int, env: dict[str, str], output: IO[bytes]
) -> subprocess.Popen[bytes]:
    command = spawn.worker_command(queues=QUEUES, concurrency=concurrency, hostname=name)
    return spawn.start(command, env=env, stdout=output, cwd=ROOT)


def stop_worker(worker: WorkerProcess) -> None:
    spawn.stop(worker.process)


@pytest.fixture(scope="module", params=[REDIS, AMQP])
def broker(request: pytest.FixtureRequest, broker_url: str) -> Iterator[Broker]:
    """The broker of the module's worker; this run's Redis db index holds the outcomes on both."""
    if request.param == REDIS:
        yield RedisBroker(broker_url)
        return
    assert AMQP_URL is not None
    rabbitmq = AmqpBroker(AMQP_URL, outcome_store_url=broker_url)
    # Every run on this RabbitMQ shares the `intake` queue (guest cannot make a vhost of its
    # own): start and leave it empty, after the worker stopped.
    rabbitmq.purge()
    yield rabbitmq
    rabbitmq.purge()


@pytest.fixture(scope="module")
def running_worker(database_url: str, broker: Broker) -> Iterator[WorkerProcess]:
    worker = start_worker(broker.url, extra_env=broker.worker_env())
    yield worker
    stop_worker(worker)
    if os.environ.get("INTAKE_KEEP_WORKER_LOGS") is None:
        worker.log.unlink(missing_ok=True)


@pytest.fixture
def client(running_worker: WorkerProcess, broker: Broker) -> Iterator[IntakeClient]:
    with IntakeClient(broker.url, outcome_store_url=broker.outcome_store_url) as client:
        yield client
