"""Consumer side of micro-batching: buffer messages, hand batches to the pool, ack after commit.

Celery's default strategy sends each message to a pool process on its own; here messages of
`intake.submit` and `intake.submit_many` wait in the consumer for at most `batch_interval` (or
until `batch_size` submissions are buffered), then go to the pool together and are processed in
one transaction. A message is acknowledged only after its batch committed, and handed back to the
broker if the pool process running it dies, so late-ack, reject-on-worker-lost semantics hold.
A message whose batches keep killing pool processes is retried alone, then dead-lettered.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from producers.contract import MAX_BATCH_SIZE, OVERFLOW_QUEUE, SUBMIT_MANY_TASK
from worker import deadletters
from worker.ingest.decode import RawMessage
from worker.ingest.run import ACK, process_messages
from worker.models import DeadLetterReason
from worker.settings import get_settings

log = logging.getLogger("worker.batching")

# Lost-worker strikes before a message runs alone, and before it is dead-lettered.
ISOLATE_AFTER = 1
GIVE_UP_AFTER = 3


@dataclass
class Pending:
    raw: RawMessage
    message: Any
    ack: Any
    reject: Any
    weight: int
    # From the overflow queue of tenants over their admission rate: batched after the others.
    overflow: bool = False
    received: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> bytes:
        """Identifies the message across deliveries (a task id alone could be anyone's)."""
        return self.raw.fingerprint()


class Batcher:
    """One per consumer: the buffer, the flush timer and the batches in flight."""

    def __init__(self, consumer: Any) -> None:
        settings = get_settings()
        self.pool = consumer.pool
        self.connection = consumer.connection
        self.timer = consumer.timer
        self.connection_errors = consumer.connection_errors
        eventer = consumer.event_dispatcher
        self.send_event = eventer.send if eventer is not None and eventer.enabled else None
        self.batch_size = settings.batch_size
        self.interval = settings.batch_interval_ms / 1000
        self.time_limit = settings.task_time_limit
        # One batch per pool process: while all are busy the buffer grows, so batches get
        # bigger exactly when the load is high (and stay small, for low latency, when it isn't).
        self.max_in_flight = max(1, int(getattr(self.pool, "limit", 1) or 1))
        self.buffer: list[Pending] = []
        self.buffered = 0
        self.in_flight = 0
        self.flush_timer: Any = None
        self.strikes: dict[bytes, int] = {}
        # Indexed by "is it a bulk message".
        self.max_body = (settings.max_message_bytes(1), settings.max_message_bytes(MAX_BATCH_SIZE))

    # -- receiving -----------------------------------------------------------------------------

    def receive(self, message: Any, ack: Any, reject: Any) -> None:
        headers = message.headers
        task_name = str(headers.get("task"))
        task_id = str(headers.get("id"))
        pending = Pending(
            RawMessage(
                task_id=task_id,
                task_name=task_name,
                body=message.body
                if isinstance(message.body, bytes)
                else str(message.body).encode(),
                content_type=message.content_type or "application/json",
                content_encoding=message.content_encoding or "utf-8",
            ),
            message,
            ack,
            reject,
            # A bulk message is a batch by itself: flush as soon as it arrives.
            weight=self.batch_size if task_name == SUBMIT_MANY_TASK else 1,
            overflow=(message.delivery_info or {}).get("routing_key") == OVERFLOW_QUEUE,
        )
        if self.send_event is not None:
            self.send_event(
                "task-received",
                uuid=task_id,
                name=task_name,
                args="",
                kwargs="",
                retries=0,
                eta=None,
                root_id=task_id,
                parent_id=None,
            )
        if len(pending.raw.body) > self.max_body[task_name == SUBMIT_MANY_TASK]:
            size = len(pending.raw.body)
            self._refuse(pending, DeadLetterReason.OVERSIZED, f"body of {size} bytes")
            return
        strikes = self.strikes.get(pending.key, 0)
        if strikes >= GIVE_UP_AFTER:
            self._give_up(pending)
            return
        if strikes >= ISOLATE_AFTER:
            self._dispatch([pending])
            return
        self.buffer.append(pending)
        self.buffered += pending.weight
        if self.buffered >= self.batch_size:
            self.flush()
        elif self.flush_timer is None:
            self.flush_timer = self.timer.call_after(self.interval, self._on_timer)

    def abandon(self) -> None:
        """Forget buffered messages of a closed connection (the broker redelivers them)."""
        if self.flush_timer is not None:
            self.flush_timer.cancel()
            self.flush_timer = None
        self.buffer.clear()
        self.buffered = 0

    def _on_timer(self) -> None:
        self.flush_timer = None
        self.flush()

    def flush(self) -> None:
        if not self.buffer or self.in_flight >= self.max_in_flight:
            return  # a finishing batch calls flush() again
        if self.flush_timer is not None:
            self.flush_timer.cancel()
            self.flush_timer = None
        # Main-queue messages first, each lane in arrival order (the sort is stable): a flood
        # waiting in the overflow queue fills batches only with what the others leave room for.
        self.buffer.sort(key=lambda pending: pending.overflow)
        taken = weight = 0
        while taken < len(self.buffer) and weight < self.batch_size:
            weight += self.buffer[taken].weight
            taken += 1
        batch, self.buffer = self.buffer[:taken], self.buffer[taken:]
        self.buffered -= weight
        self._dispatch(batch)
        if self.buffer and self.flush_timer is None:
            self.flush_timer = self.timer.call_after(self.interval, self._on_timer)

    # -- the pool ------------------------------------------------------------------------------

    def _dispatch(self, batch: list[Pending]) -> None:
        self.in_flight += 1
        self.pool.apply_async(
            process_messages,
            ([pending.raw for pending in batch],),
            callback=partial(self._done, batch),
            error_callback=partial(self._lost, batch),
            timeout=self.time_limit,
            soft_timeout=max(5, self.time_limit - 30),
        )

    def _done(self, batch: list[Pending], statuses: Any) -> None:
        self.in_flight -= 1
        if not isinstance(statuses, list) or len(statuses) != len(batch):
            # The solo pool reports an exception through the result callback.
            self._lost(batch, statuses)
            return
        done: list[Pending] = []
        for pending, status in zip(batch, statuses, strict=True):
            self.strikes.pop(pending.key, None)
            if status == ACK:
                done.append(pending)
            else:
                pending.reject(log, self.connection_errors, requeue=True)
        self._ack_all(done)
        if self.send_event is not None:
            for pending in done:
                self.send_event(
                    "task-succeeded",
                    uuid=pending.raw.task_id,
                    result="",
                    runtime=time.monotonic() - pending.received,
                )
        self.flush()

    def _ack_all(self, batch: list[Pending]) -> None:
        """Acknowledge a committed batch: in one round trip where the transport can (Redis)."""
        by_channel: dict[int, list[Pending]] = {}
        for pending in batch:
            by_channel.setdefault(id(pending.message.channel), []).append(pending)
        for group in by_channel.values():
            channel = group[0].message.channel
            ack_many = getattr(getattr(channel, "qos", None), "ack_many", None)
            if ack_many is None:
                for pending in group:
                    pending.ack(log, self.connection_errors)
                continue
            open_ = [pending.message for pending in group if not pending.message.acknowledged]
            try:
                ack_many([message.delivery_tag for message in open_])
            except self.connection_errors as exc:
                # As kombu's ack_log_error: the messages come back and are recognized then.
                log.critical("couldn't ack %d messages, reason: %r", len(open_), exc)
                continue
            for message in open_:
                message._state = "ACK"

    def _lost(self, batch: list[Pending], error: Any) -> None:
        """The pool process died mid-batch (killed, out of memory, hard time limit)."""
        self.in_flight -= 1
        log.warning("a pool process was lost with a batch of %d messages: %r", len(batch), error)
        for pending in batch:
            self.strikes[pending.key] = self.strikes.get(pending.key, 0) + 1
            # Nothing of the batch was acknowledged; the broker delivers it again.
            pending.reject(log, self.connection_errors, requeue=True)
        if len(self.strikes) > 100_000:
            self.strikes.clear()
        self.flush()

    def _give_up(self, pending: Pending) -> None:
        log.error("message %s killed %d pool processes", pending.raw.task_id, GIVE_UP_AFTER)
        self.strikes.pop(pending.key, None)
        self._refuse(pending, DeadLetterReason.WORKER_LOST, f"lost {GIVE_UP_AFTER} pool processes")

    def _refuse(self, pending: Pending, reason: DeadLetterReason, error: str) -> None:
        """Dead-letter a message without processing it, and take it off the queue."""
        log.warning("refused message %s: %s (%s)", pending.raw.task_id, reason.value, error)
        letter = deadletters.of_message(
            reason,
            pending.raw.fingerprint(),
            error=error,
            task_name=pending.raw.task_name,
            info={"task_id": pending.raw.task_id, "body_bytes": len(pending.raw.body)},
        )
        if deadletters.refuse([letter]):
            pending.ack(log, self.connection_errors)
        # Otherwise the database is down: the message stays unacknowledged and comes back.


def strategy(task: Any, app: Any, consumer: Any, **_: Any) -> Any:
    """Celery task strategy: both intake tasks share one Batcher per consumer."""
    batcher = getattr(consumer, "_intake_batcher", None)
    if batcher is None or batcher.connection is not consumer.connection:
        if batcher is not None:
            # A new broker connection: the old one's unacked messages come back by themselves.
            batcher.abandon()
        batcher = Batcher(consumer)
        consumer._intake_batcher = batcher

    def handle(message: Any, body: Any, ack: Any, reject: Any, callbacks: Any, **__: Any) -> None:
        batcher.receive(message, ack, reject)

    return handle
