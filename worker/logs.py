"""Log formatting: one JSON object per line (or plain text), never example text."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Attributes every LogRecord has; anything else on a record came from `extra=` and is a field.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)
# Fields that could carry a submission's text are dropped, whoever passes them.
FORBIDDEN_FIELDS = frozenset(
    {"example_input", "example_output", "expected_output", "payload", "submission", "text"}
)
# SQLAlchemy appends a statement's bound values to its errors; they may be example text.
_PARAMETERS = re.compile(r"\[parameters: .*?\]\n?", re.DOTALL)
_SQL = re.compile(r"\[SQL: .*?\]\n?", re.DOTALL)


def _scrub(text: str) -> str:
    return _SQL.sub("[SQL hidden] ", _PARAMETERS.sub("[parameters hidden] ", text)).strip()


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", ...extra fields, "exc_type", "exc"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _scrub(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key in _RECORD_ATTRIBUTES or key.startswith("_") or key in document:
                continue
            if key in FORBIDDEN_FIELDS:
                continue
            document[key] = _jsonable(value)
        if record.exc_info and record.exc_info[0] is not None:
            document["exc_type"] = record.exc_info[0].__name__
            document["exc"] = _scrub(self.formatException(record.exc_info))
        if record.stack_info:
            document["stack"] = record.stack_info
        return json.dumps(document, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is at the time (test runners swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:  # type: ignore[override]
        return sys.stderr


# Libraries whose INFO lines say nothing an operator needs (alembic's plugin set-up, once per
# migration run); their warnings still show.
QUIET_LOGGERS = ("alembic.runtime.plugins",)
# Alembic says these two at every start, migrations or not; its "Running upgrade" lines stay.
_ALEMBIC_PREAMBLE = ("Context impl ", "Will assume ")


def _not_alembic_preamble(record: logging.LogRecord) -> bool:
    return not (
        record.name == "alembic.runtime.migration"
        and isinstance(record.msg, str)
        and record.msg.startswith(_ALEMBIC_PREAMBLE)
    )


_configured_json: bool | None = None


def configured_json() -> bool | None:
    """Whether this process logs JSON lines (True), text (False), or is not configured yet."""
    return _configured_json


def configure_logging(level: str = "INFO", json: bool = True) -> logging.Handler:
    """Send the root logger's records to stderr, as JSON lines or as text; safe to call again.

    Replaces only the handler an earlier call installed, so handlers others added stay. The
    format chosen first holds for the process's life (see `configured_json`): a worker started
    by `intake worker` keeps the format its command chose when Celery sets logging up again.
    """
    global _configured_json
    _configured_json = json
    # Library warnings (Celery's warning about running as root, ...) become records in the same
    # format instead of raw multi-line text in between.
    logging.captureWarnings(True)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_intake_handler", False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler._intake_handler = True  # type: ignore[attr-defined]
    handler.addFilter(_not_alembic_preamble)
    handler.setFormatter(JsonFormatter() if json else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler
