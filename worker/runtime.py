"""Which servers this process uses: configured URLs, or the embedded ones started on demand."""

from __future__ import annotations

import atexit
import logging
import os
from dataclasses import dataclass

import psycopg
from sqlalchemy.engine import make_url

from worker.embedded import EmbeddedServers
from worker.settings import Settings, get_settings, reload_settings

log = logging.getLogger("worker.runtime")

EMBEDDED_DATABASE = "intake"


@dataclass
class Runtime:
    settings: Settings
    embedded: EmbeddedServers | None

    def describe(self) -> str:
        def origin(kind: str) -> str:
            return "embedded" if self.embedded and kind in self.embedded.serving else "configured"

        database = make_url(self.settings.database_url or "").render_as_string(hide_password=True)
        broker = make_url(self.settings.broker_url or "").render_as_string(hide_password=True)
        return (
            f"using PostgreSQL {database} ({origin('postgres')}) "
            f"and broker {broker} ({origin('redis')})"
        )


def _ensure_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(*, keep_servers: bool = False) -> Runtime:
    """Start embedded servers for whatever is not configured and export their URLs.

    Servers this process starts are stopped when it exits, unless `keep_servers`.
    """
    settings = get_settings()
    if settings.database_url and settings.broker_url:
        runtime = Runtime(settings, None)
        log.info(runtime.describe())
        return runtime
    servers = EmbeddedServers(settings.data_dir)
    servers.start(postgres=not settings.database_url, redis=not settings.broker_url)
    if not settings.database_url:
        _ensure_database(servers.postgres.url("postgres"), EMBEDDED_DATABASE)
        os.environ["DATABASE_URL"] = servers.postgres.url(EMBEDDED_DATABASE)
    if not settings.broker_url:
        os.environ["CELERY_BROKER_URL"] = servers.redis.url(0)
    if not keep_servers:
        atexit.register(servers.stop_started)
    runtime = Runtime(reload_settings(), servers)
    log.info(runtime.describe())
    return runtime
