"""Coalesced usage capture: validated captures wait in a bounded buffer and go in bulk.

A background thread sends what is buffered as `intake.submit_many` once `flush_at` captures
wait or the oldest has waited `flush_interval` seconds, whichever comes first. The buffer is
bounded (`max_buffered`, counting what is being sent): a caller that finds it full waits for
room, or gets BufferFull after its timeout; nothing is ever dropped to make room.

Every capture taken is sent once: a batch leaves the buffer under the send lock, and what a
failed send did not publish goes back to the front of the buffer, in order, to be sent again by
the next attempt (the thread retries with backoff). What the buffer holds when the process is
killed is lost: at most `max_buffered` captures, in practice the last `flush_interval` seconds
of them. `flush()` and `close()` send everything buffered before they return, and so does
interpreter exit; a forked child starts with an empty buffer, so its parent's captures are sent
by the parent only.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Sequence

from producers.contract import Submission
from producers.errors import BufferFull
from producers.forks import reset_in_child

log = logging.getLogger("producers")

# Sends a batch; calls its argument with each part published (see Sender.send_many).
SendMany = Callable[[Sequence[Submission], Callable[[Sequence[Submission]], None]], None]

_RETRY_FIRST, _RETRY_MOST = 0.1, 5.0


class Coalescer:
    """The buffer of one client and the thread that empties it."""

    def __init__(
        self,
        send_many: SendMany,
        *,
        flush_at: int,
        flush_interval: float,
        max_buffered: int,
    ) -> None:
        self._send_many = send_many
        self.flush_at = flush_at
        self.flush_interval = flush_interval
        self.max_buffered = max(max_buffered, flush_at)
        self._start()
        reset_in_child(self._start)
        _open.add(self)

    def _start(self) -> None:
        """Empty state, and no thread until the first capture (also a forked child's state)."""
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the thread: something to do
        self._room = threading.Condition(self._lock)  # callers: space in the buffer
        self._send_lock = threading.Lock()  # one batch in flight at a time
        self._buffer: deque[Submission] = deque()
        self._in_flight = 0
        self._oldest = 0.0
        self._closed = False
        self._thread: threading.Thread | None = None

    def __len__(self) -> int:
        """Captures taken and not yet published (buffered or being sent)."""
        with self._lock:
            return len(self._buffer) + self._in_flight

    def add(self, submission: Submission, timeout: float | None = None) -> bool:
        """Buffer a capture; False once closed (the caller then sends it itself).

        Waits while the buffer is full; BufferFull when `timeout` seconds pass first.
        """
        with self._lock:
            if self._closed:
                return False
            if len(self._buffer) + self._in_flight >= self.max_buffered:
                self._wait_for_room(timeout)
                if self._closed:
                    return False
            if not self._buffer:
                self._oldest = time.monotonic()
            self._buffer.append(submission)
            if len(self._buffer) == 1 or len(self._buffer) >= self.flush_at:
                self._wake.notify()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="intake-capture-sender", daemon=True
                )
                self._thread.start()
        return True

    def _wait_for_room(self, timeout: float | None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while len(self._buffer) + self._in_flight >= self.max_buffered and not self._closed:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise BufferFull(
                    f"the capture buffer has held {self.max_buffered} captures not yet sent "
                    f"for {timeout}s (is the broker down or slow?): this capture was not taken; "
                    "capture it again with the same submission_id"
                )
            self._room.wait(remaining)

    def flush(self) -> None:
        """Send everything buffered now; BrokerUnavailable leaves the unsent ones buffered."""
        with self._send_lock:
            while batch := self._take():
                self._send(batch)

    def close(self) -> None:
        """Stop the thread and send what is left (BrokerUnavailable: it stays, unsent)."""
        with self._lock:
            self._closed = True
            self._wake.notify_all()
            self._room.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self.flush()
        _open.discard(self)

    def _run(self) -> None:
        retry = _RETRY_FIRST
        while self._wait_until_due():
            try:
                with self._send_lock:
                    if batch := self._take():
                        self._send(batch)
                retry = _RETRY_FIRST
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any failure
                log.warning(
                    "could not send %d buffered captures (%s); retrying in %.1fs",
                    len(self),
                    type(exc).__name__,
                    retry,
                )
                with self._lock:
                    self._wake.wait_for(lambda: self._closed, retry)
                retry = min(retry * 2, _RETRY_MOST)

    def _wait_until_due(self) -> bool:
        """Wait until a batch is due; False once closed (close() sends the rest)."""
        with self._lock:
            while not self._closed:
                if self._buffer:
                    waited = time.monotonic() - self._oldest
                    if len(self._buffer) >= self.flush_at or waited >= self.flush_interval:
                        return True
                    self._wake.wait(self.flush_interval - waited)
                else:
                    self._wake.wait()
            return False

    def _take(self) -> list[Submission]:
        with self._lock:
            batch = list(self._buffer)
            self._buffer.clear()
            self._in_flight += len(batch)
            return batch

    def _send(self, batch: list[Submission]) -> None:
        """Send a batch taken from the buffer; what was not published goes back to its front."""
        published: set[int] = set()

        def sent(part: Sequence[Submission]) -> None:
            published.update(id(item) for item in part)
            with self._lock:
                self._in_flight -= len(part)
                self._room.notify_all()

        try:
            self._send_many(batch, sent)
        except BaseException:
            unsent = [item for item in batch if id(item) not in published]
            with self._lock:
                self._in_flight -= len(unsent)
                self._buffer.extendleft(reversed(unsent))
                if unsent:
                    self._oldest = time.monotonic()
            raise


# Buffers to flush at interpreter exit. Weakly held, but a buffer that ever had a capture is
# kept alive by its thread until exit, so a client dropped without close() is flushed too.
_open: weakref.WeakSet[Coalescer] = weakref.WeakSet()


@atexit.register
def _flush_at_exit() -> None:
    for coalescer in list(_open):
        try:
            coalescer.close()
        except Exception as exc:  # noqa: BLE001 - exit goes on; say what was lost
            log.error(
                "%d buffered captures were not sent at exit in process %d (%s)",
                len(coalescer),
                os.getpid(),
                type(exc).__name__,
            )
