"""Which servers this process uses: configured URLs, or the embedded ones started on demand."""

from __future__ import annotations

import atexit
import logging
import os
from dataclasses import dataclass

from producers.errors import safe_url
from worker.embedded import EmbeddedServers
from worker.embedded.errors import EmbeddedServerError
from worker.settings import Settings, get_settings, reload_settings

log = logging.getLogger("worker.runtime")


@dataclass
class Runtime:
    settings: Settings
    embedded: EmbeddedServers | None

    def origin(self, kind: str) -> str:
        """`embedded` or `configured`, for `postgres` or `redis`."""
        return "embedded" if self.embedded and kind in self.embedded.serving else "configured"

    def describe(self) -> str:
        database = safe_url(self.settings.database_url or "")
        broker = safe_url(self.settings.broker_url or "")
        return (
            f"using PostgreSQL {database} ({self.origin('postgres')}) "
            f"and broker {broker} ({self.origin('redis')})"
        )


# What `prepare` settled on in this process, by the URLs it found (see `prepare`).
_prepared: dict[tuple[str | None, str | None, str], Runtime] = {}


def forget() -> None:
    """Decide afresh at the next `prepare` (a new command in the same process)."""
    _prepared.clear()


def _key(settings: Settings) -> tuple[str | None, str | None, str]:
    return (settings.database_url, settings.broker_url, str(settings.data_dir))


def prepare(*, keep_servers: bool = False, create: bool = False) -> Runtime:
    """Start embedded servers for whatever is not configured and export their URLs.

    Only with `create` (the worker, `migrate`, the demo) are servers made in a data folder that
    has none yet: another command pointed at a mistyped folder is refused, instead of starting
    an empty database there. Servers this process starts are stopped when it exits, unless
    `keep_servers`. Called again in the same process, it returns what it settled on (and says
    which servers it uses once).
    """
    settings = get_settings()
    if (known := _prepared.get(_key(settings))) is not None:
        return known
    if settings.database_url and settings.broker_url:
        runtime = Runtime(settings, None)
    else:
        servers = EmbeddedServers(settings.data_dir)
        if not create and not servers.made():
            raise EmbeddedServerError(
                f"cannot use the data folder {servers.data_dir}: no servers were ever started "
                "there; run `intake worker` first, set INTAKE_DATA_DIR to the folder the worker "
                "uses, or set DATABASE_URL and CELERY_BROKER_URL"
            )
        if not keep_servers:
            # Registered first: a start that fails half way still stops what it started.
            atexit.register(servers.stop_started)
        servers.start(postgres=not settings.database_url, redis=not settings.broker_url)
        if not settings.database_url:
            os.environ["DATABASE_URL"] = servers.database_url()
        if not settings.broker_url:
            os.environ["CELERY_BROKER_URL"] = servers.broker_url()
        runtime = Runtime(reload_settings(), servers)
        _prepared[_key(runtime.settings)] = runtime
    _prepared[_key(settings)] = runtime
    log.info(runtime.describe())
    return runtime
