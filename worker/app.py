"""The Celery application of the intake workers."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, signals

from worker import metrics
from worker.db import forget_inherited_engines
from worker.logs import configure_logging, configured_json
from worker.sanitize import configure_from_settings
from worker.settings import get_settings

app = Celery("training_intake")
app.config_from_object("celeryconfig")
app.autodiscover_tasks(["worker"], related_name="tasks", force=True)


@signals.worker_init.connect
def _check_broker(**_: Any) -> None:
    # Before consuming: a Redis the hardened transport cannot work with stops the worker at
    # start, with one clear line, instead of failing at its first fetch.
    url = get_settings().broker_url
    if url and url.startswith(("redis://", "rediss://")):
        from worker.transport import check_broker

        check_broker(url)


@signals.worker_init.connect
def _configure_sanitizer(**_: Any) -> None:
    # In the main process before the pool forks, so every pool process inherits it; a pattern
    # that does not compile or a masker that does not import stops the worker at start.
    settings = get_settings()
    if settings.redact_patterns or settings.redact_patterns_file or settings.maskers:
        configure_from_settings(
            settings.redact_patterns, settings.maskers, settings.redact_patterns_file
        )


@signals.setup_logging.connect
def _structured_logs(loglevel: Any = None, **_: Any) -> None:
    # Connected, this replaces Celery's own logging setup with ours (JSON lines by default).
    # A process whose command already chose a format (`intake worker --log-format text`) keeps
    # it: one process, one log format from its first line to its last.
    settings = get_settings()
    level = logging.getLevelName(loglevel) if isinstance(loglevel, int) else loglevel
    chosen = configured_json()
    json = settings.log_format == "json" if chosen is None else chosen
    configure_logging(str(level or settings.log_level), json=json)


@signals.worker_init.connect
def _metrics_exporter(**_: Any) -> None:
    # In the main process, before the pool forks: pool processes then write to the shared
    # multiprocess directory and the exporter adds them up.
    port = get_settings().metrics_port
    if port is not None:
        metrics.start_metrics_server(port)


@signals.worker_process_shutdown.connect
def _metrics_of_a_finished_process(pid: int | None = None, **_: Any) -> None:
    if metrics.multiprocess_enabled():
        metrics.process_exited(pid or os.getpid())


@signals.worker_process_init.connect
def _fresh_connections_in_child(**_: Any) -> None:
    # A forked pool process must never share the parent's database sockets.
    forget_inherited_engines()
