"""Fixtures: one database and one Redis db index per test run, on real servers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from hypothesis import settings
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests import servers
from worker import migrate
from worker.db import dispose_engines, get_engine
from worker.models import Base
from worker.settings import reload_settings

# Property tests: no deadlines (the machines are shared and noisy), and a failure prints the blob
# that replays it. Developers' runs draw new examples every time, to find new shapes; CI
# (HYPOTHESIS_PROFILE=ci) draws the same ones on every run, so that a run decides on the code
# and not on the draw. A shape found either way is kept as a named `@example`.
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with servers.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    with servers.redis_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(postgres_admin_url: str) -> Iterator[str]:
    """This run's own database, migrated to head, exported as DATABASE_URL."""
    with servers.own_database(postgres_admin_url) as url:
        os.environ["DATABASE_URL"] = url
        reload_settings()
        migrate.upgrade(url)
        yield url
        dispose_engines()


@pytest.fixture(scope="session")
def broker_url(redis_server_url: str) -> Iterator[str]:
    """This run's own Redis db index, exported as CELERY_BROKER_URL."""
    with servers.own_redis_db(redis_server_url) as url:
        os.environ["CELERY_BROKER_URL"] = url
        reload_settings()
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    return get_engine(database_url)


def truncate_all(engine: Engine) -> None:
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit (as the worker's do); every table is emptied afterwards."""
    yield sessionmaker(engine, expire_on_commit=False)
    truncate_all(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture
def redis_client(broker_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(broker_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()
