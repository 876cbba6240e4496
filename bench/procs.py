"""Memory of process trees, read from /proc: a worker's main process plus its pool children."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")


def _parent(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces; the parent pid follows the state.
    return int(stat.rsplit(")", 1)[1].split()[1])


def tree(roots: Iterable[int]) -> set[int]:
    """`roots` and all their living descendants."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    stack = [pid for pid in roots if (PROC / str(pid)).exists()]
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack.extend(children.get(pid, ()))
    return found


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (0 once it is gone)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(roots: Iterable[int]) -> int:
    """Sum of the RSS of `roots` and their descendants (shared pages count once per process)."""
    return sum(rss_bytes(pid) for pid in tree(roots))


class RssSampler:
    """Samples a process tree's RSS in a thread and keeps the peak."""

    def __init__(self, roots: Iterable[int], interval: float = 0.1) -> None:
        self.roots = list(roots)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def start(self) -> RssSampler:
        self.sample()
        self._thread.start()
        return self

    def sample(self) -> int:
        current = tree_rss(self.roots)
        self.peak = max(self.peak, current)
        return current

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> int:
        """Stop sampling; returns the peak."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        return self.peak


def available() -> bool:
    return (PROC / str(os.getpid()) / "status").exists()
