"""Small process helpers shared by the embedded servers."""

from __future__ import annotations

import os
import pwd
import socket
import stat
import subprocess
from pathlib import Path

# PostgreSQL refuses to run as root, so as root the embedded server runs as this system user.
SERVICE_USER = "intake-postgres"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers do: connections of the previous run lingering in TIME_WAIT don't count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def sticky_port(record: Path) -> int:
    """The port used last time (recorded in `record`) when still free, else a new free one.

    A restarted server keeps its address, so clients reconnect to it by themselves.
    """
    try:
        previous = int(record.read_text().strip())
    except (FileNotFoundError, ValueError):
        previous = 0
    port = previous if previous and port_is_free(previous) else free_port()
    record.write_text(str(port))
    return port


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVICE_USER)


def make_traversable(path: Path) -> None:
    """Let the service user reach `path`: add o+x to each parent folder that lacks it."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH | stat.S_IROTH)


def chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    for root, dirs, files in os.walk(path):
        os.chown(root, user.pw_uid, user.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), user.pw_uid, user.pw_gid, follow_symlinks=False)
