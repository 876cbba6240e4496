"""The one place the `intake` command turns an exception into one line and an exit status.

Every command runs inside `IntakeGroup` (worker/cli/group.py), which hands whatever escapes a
command to `explain`: known errors (this service's own, the producer's, a database or broker that
cannot be reached or is not migrated, a URL that is not one, a file that cannot be written, ...)
become one line saying what is wrong and what to do; anything else is reported as unexpected.
`intake -v` prints the traceback too.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import psycopg
import pydantic
import redis
import sqlalchemy.exc
from alembic.util.exc import CommandError as AlembicCommandError
from kombu.exceptions import OperationalError as KombuOperationalError

from producers.errors import ProducerError, safe_url
from worker.errors import IntakeError

# Exit statuses: 1 refused, not found or unavailable; 2 the command line is wrong; 130 Ctrl-C.
FAILED = 1
USAGE = 2
INTERRUPTED = 130

# SQLSTATEs of a database that lacks this version's tables, columns or functions.
_NOT_MIGRATED = {"42P01", "42703", "42883", "3F000"}
# SQLSTATEs that mean "could not get a working connection" (besides class 08).
_NOT_CONNECTED = {"3D000", "28000", "28P01", "57P03", "53300"}


@dataclass(frozen=True, slots=True)
class Problem:
    """What to print (`error: <message>`) and the exit status."""

    message: str
    code: int = FAILED


def explain(exc: BaseException) -> Problem:
    """One line for an exception and the exit status it deserves.

    The exception and the ones it was raised from are tried in turn, outermost first, so a
    wrapped error explains itself before its cause does.
    """
    for candidate in _chain(exc):
        for kind, describe in _EXPLAINERS:
            if isinstance(candidate, kind):
                problem = describe(candidate)
                if problem is not None:
                    return problem
    return Problem(
        f"unexpected {type(exc).__name__}: {first_line(exc)} "
        "(run `intake -v ...` to see the traceback)"
    )


def first_line(exc: BaseException | str, limit: int = 300) -> str:
    """The first non-empty line of an error's text, without SQL or bound parameters."""
    text = exc if isinstance(exc, str) else str(exc)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("[SQL", "[parameters", "(Background on this error")):
            return line if len(line) <= limit else line[: limit - 3] + "..."
    return type(exc).__name__ if isinstance(exc, BaseException) else ""


def cannot_write(destination: Path, error: OSError) -> str:
    """`cannot write DESTINATION: why`, worded from what failed and how.

    What failed may be a temporary file beside the destination (an export is written under a
    temporary name, then renamed), so its errno speaks of the folder, not of the destination:
    ENOENT in a folder that exists (/proc, /sys) is a folder that takes no new files.
    """
    failed = Path(error.filename) if error.filename is not None else destination
    folder = failed.parent
    if error.errno == errno.EISDIR:
        return f"{failed} is a folder: give a file name"
    if error.errno == errno.ENOSPC:
        why = "no space left on the device"
    elif error.errno == errno.EROFS:
        why = f"{folder} is on a read-only file system"
    elif error.errno == errno.ENOENT and not folder.is_dir():
        why = f"the folder {folder} does not exist: create it first"
    elif error.errno == errno.ENOENT:
        why = f"the folder {folder} does not allow creating files"
    elif error.errno in (errno.EACCES, errno.EPERM) and failed.exists():
        why = f"{failed} may not be written (permission denied)"
    elif error.errno in (errno.EACCES, errno.EPERM):
        why = f"no permission to create files in the folder {folder}"
    else:
        why = error.strerror or first_line(error)
    return f"cannot write {destination}: {why}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _settings_url(name: str) -> str:
    """A configured URL for a message (password hidden), or a placeholder when unreadable."""
    try:
        from worker.settings import get_settings

        settings = get_settings()
    except Exception:  # noqa: BLE001 - a message about one error must not raise another
        return "(unreadable)"
    url = settings.database_url if name == "database" else settings.broker_url
    return safe_url(url) if url else "(not set)"


def _intake(exc: IntakeError) -> Problem:
    return Problem(first_line(exc))


def _producer(exc: ProducerError) -> Problem:
    return Problem(first_line(exc))


def _settings(exc: pydantic.ValidationError) -> Problem:
    label = "invalid setting" if exc.title == "Settings" else f"invalid {exc.title}"
    problems = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        name = ".".join(str(part) for part in error["loc"]) or exc.title
        if error["type"] == "value_error":  # ours, phrased to follow the name
            problems.append(f"{name} {error['msg'].removeprefix('Value error, ')}")
        else:
            problems.append(f"{name}: {error['msg']}")
    return Problem(f"{label}: {'; '.join(problems)}")


def _database(exc: sqlalchemy.exc.DBAPIError) -> Problem | None:
    sqlstate = getattr(exc.orig, "sqlstate", None)
    reason = first_line(str(exc.orig) if exc.orig is not None else exc)
    if sqlstate in _NOT_MIGRATED:
        return Problem(
            f"the database {_settings_url('database')} is not migrated to this version "
            f"({reason}): run `intake migrate`"
        )
    if isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError) and (
        sqlstate is None or sqlstate.startswith("08") or sqlstate in _NOT_CONNECTED
    ):
        return _unreachable_database(reason)
    if sqlstate == "42501":
        return Problem(f"the database refused: {reason} (check the role in DATABASE_URL)")
    return Problem(f"database error: {reason}")


def _psycopg(exc: psycopg.Error) -> Problem | None:
    if isinstance(exc, psycopg.OperationalError):
        return _unreachable_database(first_line(exc))
    return None


def _unreachable_database(reason: str) -> Problem:
    return Problem(
        f"cannot connect to the database at {_settings_url('database')} ({reason}): "
        "is it running, and is DATABASE_URL right?"
    )


def _sqlalchemy_url(exc: sqlalchemy.exc.ArgumentError) -> Problem:
    return Problem(f"DATABASE_URL is not usable: {first_line(exc)}")


def _broker(exc: Exception) -> Problem:
    return Problem(
        f"cannot reach the broker at {_settings_url('broker')} ({first_line(exc)}): "
        "is it running, and is CELERY_BROKER_URL right?"
    )


def _alembic(exc: AlembicCommandError) -> Problem:
    return Problem(f"migration: {first_line(exc)}")


def _redis(exc: redis.RedisError) -> Problem:
    return Problem(f"Redis error: {first_line(exc)}")


def _os(exc: OSError) -> Problem | None:
    name = exc.filename if exc.filename is not None else None
    if isinstance(exc, BrokenPipeError):
        return Problem("", FAILED)  # the reader went away (`| head`): nothing left to say
    if isinstance(exc, PermissionError) and name is not None:
        return Problem(f"permission denied: {name}{_data_dir_hint(name)}")
    if isinstance(exc, IsADirectoryError) and name is not None:
        # A rename onto a folder names the folder second.
        return Problem(f"{exc.filename2 or name} is a folder: give a file name")
    if isinstance(exc, FileNotFoundError) and name is not None:
        parent = Path(str(name)).parent
        if not parent.exists():
            return Problem(f"the folder {parent} does not exist: create it first")
        return Problem(f"{name} does not exist")
    if isinstance(exc, NotADirectoryError) and name is not None:
        return Problem(f"{name}: part of this path is a file, not a folder")
    if exc.errno == errno.EADDRINUSE:
        return Problem(f"a port is already in use ({first_line(exc)}): free it or choose another")
    if exc.errno == errno.ENOSPC:
        return Problem(f"no space left on the device{f' writing {name}' if name else ''}")
    if name is not None:
        return Problem(f"{exc.strerror or first_line(exc)}: {name}")
    return Problem(first_line(exc))


def _data_dir_hint(name: object) -> str:
    try:
        from worker.settings import get_settings

        data_dir = get_settings().data_dir.resolve()
    except Exception:  # noqa: BLE001 - only a hint
        return ""
    path = Path(str(name)).resolve()
    if path == data_dir or data_dir in path.parents:
        return f" (the data folder {data_dir}: set INTAKE_DATA_DIR to a folder you can write)"
    return ""


def _click(exc: click.ClickException) -> Problem:
    # Options of `celery worker` passed through `intake worker` are checked by Celery's click.
    code = USAGE if isinstance(exc, click.UsageError) else FAILED
    return Problem(first_line(exc.format_message()), code)


_EXPLAINERS: list[tuple[type[BaseException], Callable[..., Problem | None]]] = [
    (click.ClickException, _click),
    (IntakeError, _intake),
    (ProducerError, _producer),
    (pydantic.ValidationError, _settings),
    (sqlalchemy.exc.DBAPIError, _database),
    (sqlalchemy.exc.ArgumentError, _sqlalchemy_url),
    (psycopg.Error, _psycopg),
    (AlembicCommandError, _alembic),
    (KombuOperationalError, _broker),
    (redis.ConnectionError, _broker),
    (redis.TimeoutError, _broker),
    (redis.RedisError, _redis),
    (OSError, _os),
]
