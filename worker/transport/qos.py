"""Bookkeeping of unacknowledged Redis messages: recorded per burst, acknowledged in bulk."""

from __future__ import annotations

import time
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

# An unacked entry holding the bytes as fetched (with the queue they came from), instead of
# kombu's JSON of the parsed message: no re-serializing of every message on the hot path, and
# a restore puts back exactly what was fetched. JSON never starts with a NUL.
RAW_ENTRY = b"\x00raw\x00"


class QoS(kombu_redis.QoS):
    """Records a burst of deliveries in the unacked hash with one round trip, and acks in bulk.

    Every message reaching here was normalized by the channel (worker/envelope.py): its
    delivery tag is a fresh hex string and its delivery info names its queue, so nothing a
    producer wrote can break this bookkeeping.
    """

    _deferred: list[tuple[Any, str]] | None = None
    # The fetched bytes of the burst's messages, by delivery tag, until they are recorded.
    _fetched: dict[str, bytes] | None = None

    def defer_appends(self) -> None:
        self._deferred = []
        self._fetched = {}

    def fetched(self, delivery_tag: str, queue: str, raw: bytes) -> None:
        """Remember what was fetched for a message of this burst (recorded as its entry)."""
        if self._fetched is not None:
            self._fetched[delivery_tag] = RAW_ENTRY + queue.encode() + b"\n" + raw

    def append(self, message: Any, delivery_tag: str) -> None:
        if self._deferred is None:
            return super().append(message, delivery_tag)
        self._deferred.append((message, delivery_tag))
        virtual.QoS.append(self, message, delivery_tag)
        return None

    def flush_appends(self) -> None:
        deferred, self._deferred = self._deferred, None
        fetched, self._fetched = self._fetched or {}, None
        if not deferred:
            return
        now = time.time()
        with self.pipe_or_acquire() as pipe:
            pipe.zadd(self.unacked_index_key, {delivery_tag: now for _, delivery_tag in deferred})
            pipe.hset(
                self.unacked_key,
                mapping={delivery_tag: fetched[delivery_tag] for _, delivery_tag in deferred},
            )
            pipe.execute()

    def restore_by_tag(self, tag: str, client: Any = None, leftmost: bool = False) -> None:
        def restore_transaction(pipe: Any) -> None:
            entry = pipe.hget(self.unacked_key, tag)
            pipe.multi()
            self._remove_from_indices(tag, pipe)
            if entry:
                restore_entry(self.channel, entry, pipe, leftmost=leftmost)

        with self.channel.conn_or_acquire(client) as client:
            client.transaction(restore_transaction, self.unacked_key)

    def forget(self, delivery_tag: str) -> None:
        """Drop a message that was delivered but can never be processed (already dead-lettered)."""
        self._undefer(delivery_tag)
        if delivery_tag in self._delivered:
            self.ack(delivery_tag)

    def _undefer(self, delivery_tag: str) -> bool:
        """Settled before its burst was recorded (refused at once): nothing to remove later."""
        if self._deferred is None:
            return False
        before = len(self._deferred)
        self._deferred = [entry for entry in self._deferred if entry[1] != delivery_tag]
        return len(self._deferred) != before

    def _of_a_closed_channel(self, delivery_tag: str) -> bool:
        """Settled after its channel closed (a batch that outlived a lost connection): forget it.

        The channel gave its unacknowledged messages back when it closed, or they come back with
        the visibility timeout; the redelivery is a duplicate the pipeline recognizes. Reaching
        the broker through a closed channel is impossible anyway: kombu dies with an
        AttributeError there, which stops the worker.
        """
        if not self.channel.closed:
            return False
        virtual.QoS.ack(self, delivery_tag)
        return True

    def ack(self, delivery_tag: str) -> None:
        if self._of_a_closed_channel(delivery_tag):
            return
        if self._undefer(delivery_tag):
            virtual.QoS.ack(self, delivery_tag)
            return
        super().ack(delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if self._of_a_closed_channel(delivery_tag):
            return
        entry = (self._fetched or {}).get(delivery_tag)
        if self._undefer(delivery_tag):
            if requeue and entry is not None:
                with self.channel.conn_or_acquire() as client:
                    pipe = client.pipeline()
                    restore_entry(self.channel, entry, pipe, leftmost=True)
                    pipe.execute()
            virtual.QoS.ack(self, delivery_tag)
            return
        super().reject(delivery_tag, requeue=requeue)

    def ack_many(self, delivery_tags: list[str]) -> None:
        if self.channel.closed:
            for delivery_tag in delivery_tags:
                self._of_a_closed_channel(delivery_tag)
            return
        with self.pipe_or_acquire() as pipe:
            for delivery_tag in delivery_tags:
                self._remove_from_indices(delivery_tag, pipe)
            pipe.execute()
        for delivery_tag in delivery_tags:
            virtual.QoS.ack(self, delivery_tag)


def restore_entry(channel: Any, entry: bytes, pipe: Any, *, leftmost: bool) -> None:
    """Queue an unacked entry's message again, whichever form the entry has."""
    if entry.startswith(RAW_ENTRY):
        queue, _, raw = entry[len(RAW_ENTRY) :].partition(b"\n")
        (pipe.lpush if leftmost else pipe.rpush)(queue, raw)
        return
    # An entry in kombu's own form (written before this transport, or by stock kombu).
    payload, exchange, routing_key = loads(bytes_to_str(entry))
    channel._do_restore_message(payload, exchange, routing_key, pipe, leftmost)
