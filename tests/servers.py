"""Real servers for a test run: the machine's when their URLs are given, embedded ones otherwise."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from worker.embedded import EmbeddedPostgres, EmbeddedRedis

# An admin URL of a PostgreSQL server (any existing database) and a Redis server URL.
POSTGRES_ENV = "INTAKE_TEST_DATABASE_URL"
REDIS_ENV = "INTAKE_TEST_REDIS_URL"
REDIS_DB_LOCK = "training-intake:test-db-lock:{index}"


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields an admin URL; starts an embedded server in a temporary folder when none is given."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="intake-test-pg-") as folder:
        server = EmbeddedPostgres(Path(folder) / "pgdata")
        server.ensure_running()
        try:
            yield server.url("postgres")
        finally:
            server.stop(mode="immediate")


@contextmanager
def redis_server() -> Iterator[str]:
    url = os.environ.get(REDIS_ENV)
    if url:
        yield url
        return
    with EmbeddedRedis.temporary("intake-test-redis-") as server:
        yield server.url(0)


@contextmanager
def own_database(admin_url: str, prefix: str = "intake_test") -> Iterator[str]:
    """A fresh database for this run, dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    parsed = psycopg.conninfo.conninfo_to_dict(admin_url)
    parsed["dbname"] = name
    url = _to_url(parsed)
    try:
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _to_url(params: dict[str, object]) -> str:
    user = params.get("user") or "postgres"
    password = params.get("password")
    host = params.get("host") or "127.0.0.1"
    port = params.get("port") or 5432
    auth = f"{user}:{password}" if password else f"{user}"
    return f"postgresql://{auth}@{host}:{port}/{params['dbname']}"


@contextmanager
def own_redis_db(server_url: str) -> Iterator[str]:
    """Claim a Redis db index nobody else in this machine's test runs holds; flush it after."""
    base = redis.Redis.from_url(server_url)
    for index in range(1, 16):
        if base.set(REDIS_DB_LOCK.format(index=index), os.getpid(), nx=True, ex=6 * 3600):
            break
    else:
        raise RuntimeError("no free Redis db index for this test run")
    prefix = server_url.rsplit("/", 1)[0] if server_url.count("/") > 2 else server_url
    url = f"{prefix}/{index}"
    claimed = redis.Redis.from_url(url)
    claimed.flushdb()
    try:
        yield url
    finally:
        claimed.flushdb()
        base.delete(REDIS_DB_LOCK.format(index=index))
        claimed.close()
        base.close()
