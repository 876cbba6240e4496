"""kombu's Redis transport, hardened: atomic fetches (kill -9 safe), harmless malformed items.

Two holes in the stock transport are closed here for queues without priorities, and the queues
are read fairly:

* Stock kombu pops a message with BRPOP and only afterwards records it in the `unacked` hash; a
  worker killed in between loses the message for good. Here the fetch is `BLMOVE queue ->
  processing list`, atomic in Redis; the item leaves the processing list only once it is in the
  `unacked` hash. Each consumer keeps a liveness key; a processing list whose owner stopped
  refreshing it is moved back to the queue by whichever worker sweeps next. A message can come
  back twice this way (processing list and visibility timeout), never zero times; inserts are
  idempotent, so rows stay exactly-once.
* Stock kombu parses each item as a JSON envelope inside the event loop; an item that is not one
  raises there and stops the whole worker. Here it is dead-lettered and consumption goes on.
* A worker consuming several queues (the main queue and the overflow queue of tenants over their
  rate, see producers/admission.py) takes each burst from all of them in turn, so a long queue
  cannot hold up the others.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from queue import Empty
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.transport import virtual
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import dumps, loads

from worker import deadletters

log = logging.getLogger("worker.transport")

# Raised while turning a popped item into a message: not JSON, not UTF-8, not an envelope.
_MALFORMED = (ValueError, TypeError, KeyError, AttributeError)


def _dead_letter(queue: str | None, exc: BaseException) -> None:
    log.warning("dropped a malformed envelope from queue %s: %s", queue, type(exc).__name__)
    deadletters.record_safely(
        [
            deadletters.Letter(
                reason="malformed_envelope",
                error=f"{type(exc).__name__}: {str(exc)[:300]}",
                message_info={"queue": queue},
            )
        ]
    )


# At most this many messages are fetched per wake-up: one blocking BLMOVE, then the rest with
# non-blocking LMOVEs in one call, bounded by the prefetch window.
MAX_BURST = 64
# A consumer of several queues waits on one of them. While it had messages a moment ago, it waits
# this short a time only, so that a message arriving in another queue (a tenant's overflow, which
# comes in bursts while the main queue may be idle) is not left for a whole `brpop_timeout`.
BUSY_POLL_SECONDS = 0.05
BUSY_WINDOW_SECONDS = 5.0


class QoS(kombu_redis.QoS):
    """Records a burst of deliveries in the unacked hash with one round trip, and acks in bulk."""

    _deferred: list[tuple[Any, str]] | None = None

    def defer_appends(self) -> None:
        self._deferred = []

    def append(self, message: Any, delivery_tag: str) -> None:
        if self._deferred is None:
            return super().append(message, delivery_tag)
        self._deferred.append((message, delivery_tag))
        virtual.QoS.append(self, message, delivery_tag)
        return None

    def flush_appends(self) -> None:
        deferred, self._deferred = self._deferred, None
        if not deferred:
            return
        now = time.time()
        with self.pipe_or_acquire() as pipe:
            for message, delivery_tag in deferred:
                delivery = message.delivery_info
                pipe.zadd(self.unacked_index_key, {delivery_tag: now})
                pipe.hset(
                    self.unacked_key,
                    delivery_tag,
                    dumps([message._raw, delivery["exchange"], delivery["routing_key"]]),
                )
            pipe.execute()

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
        if self._undefer(delivery_tag):
            message = self._delivered.get(delivery_tag)
            if requeue and message is not None:
                self.channel._restore_at_beginning(message)
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


# Moves up to ARGV[1] messages from the queues KEYS[1], KEYS[3], ... into their processing lists
# KEYS[2], KEYS[4], ..., taking one from each queue in turn (so a long queue cannot crowd out the
# others), in one atomic round trip. Returns the moves as [queue index, item, ...] and the
# indexes of the queues that did not run dry.
_FAIR_MOVE = """
local limit = tonumber(ARGV[1])
local count = #KEYS / 2
local moved, dry, ready = {}, {}, {}
local left = count
while limit > 0 and left > 0 do
    for i = 1, count do
        if limit > 0 and not dry[i] then
            local item = redis.call('LMOVE', KEYS[2 * i - 1], KEYS[2 * i], 'RIGHT', 'LEFT')
            if item then
                moved[#moved + 1] = i
                moved[#moved + 1] = item
                limit = limit - 1
            else
                dry[i] = true
                left = left - 1
            end
        end
    end
end
for i = 1, count do
    if not dry[i] then
        ready[#ready + 1] = i
    end
end
return {moved, ready}
"""


class Channel(kombu_redis.Channel):
    QoS = QoS
    #: Seconds a consumer counts as alive after its last refresh (transport option).
    liveness_ttl = 30
    #: Queues in the order an idle consumer waits on them (transport option); the first is the
    #: one whose new messages wake an idle worker at once, the others are read at every wake-up:
    #: within BUSY_POLL_SECONDS while the worker is busy, within `brpop_timeout` when it idles.
    fetch_order: tuple[str, ...] = ()
    from_transport_options = (  # type: ignore[assignment]
        *kombu_redis.Channel.from_transport_options,
        "liveness_ttl",
        "fetch_order",
    )

    _token: str | None = None
    # (the queue the pending BLMOVE waits on, every queue of this fetch) while one is in flight.
    _fetching: tuple[str, list[str]] | None = None
    # Queues that still held messages at the last fetch, in the order to wait on them next.
    _ready: list[str] | None = None
    _last_refresh = 0.0
    _last_fetched = 0.0
    _supports_blmove: bool | None = None
    _fair_move: Any = None

    # -- keys ----------------------------------------------------------------------------------

    def _processing_key(self, queue: str, token: str | None = None) -> str:
        return f"{queue}{self.sep}processing{self.sep}{token or self._token}"

    def _alive_key(self, queue: str, token: str | None = None) -> str:
        return f"{queue}{self.sep}alive{self.sep}{token or self._token}"

    # -- fetching ------------------------------------------------------------------------------

    def _can_move(self) -> bool:
        if self._supports_blmove is None:
            with self.conn_or_acquire() as client:
                version = str(client.info("server").get("redis_version", "0"))
            major, minor = (int(part) for part in version.split(".")[:2])
            self._supports_blmove = (major, minor) >= (6, 2)
        return self._supports_blmove

    def _reliable_queues(self) -> list[str] | None:
        """The queues to fetch from atomically, in `fetch_order`; None where that cannot work."""
        queues = set(self.active_queues)
        usable = (
            queues
            and list(self.priority_steps) == [0]
            and not self.global_keyprefix
            and self._can_move()
        )
        if not usable:
            return None
        preferred = [queue for queue in self.fetch_order if queue in queues]
        return preferred + sorted(queues - set(preferred))

    def _brpop_start(self, timeout: float | None = None) -> None:
        queues = self._reliable_queues()
        if queues is None:
            self._fetching = None
            return super()._brpop_start(timeout)
        if self._token is None:
            self._token = uuid.uuid4().hex
        self._maintain(queues)
        if timeout is None:
            timeout = self.brpop_timeout
        if len(queues) > 1 and time.monotonic() - self._last_fetched < BUSY_WINDOW_SECONDS:
            timeout = min(timeout, BUSY_POLL_SECONDS)
        # Wait on a queue that held messages a moment ago (it answers at once), else on the
        # first: an idle worker then wakes for the first queue's new messages at once.
        target = next((queue for queue in self._ready or () if queue in queues), queues[0])
        self._fetching = (target, queues)
        self._in_poll = self.client.connection
        self._brpop_sent_at = time.monotonic()  # type: ignore[assignment]
        self.client.connection.send_command(
            "BLMOVE", target, self._processing_key(target), "RIGHT", "LEFT", timeout or 0
        )

    def _brpop_read(self, **options: Any) -> Any:
        fetching, self._fetching = self._fetching, None
        if fetching is None:
            try:
                return super()._brpop_read(**options)
            except _MALFORMED as exc:
                _dead_letter(None, exc)
                raise Empty() from None
        target, queues = fetching
        try:
            try:
                item = self.client.parse_response(self.client.connection, "BLMOVE", **options)
            except self.connection_errors:
                self.client.connection.disconnect()
                raise
            fetched = [] if item is None else [(target, item)]
            if item is not None or len(queues) > 1:
                # The other queues are read on every wake-up, the waited-on one last.
                rest = queues[queues.index(target) + 1 :] + queues[: queues.index(target) + 1]
                fetched += self._fetch_more(rest, already=len(fetched))
            if not fetched:
                raise Empty()
            self._last_fetched = time.monotonic()
            self.qos.defer_appends()
            try:
                for queue, raw in fetched:
                    try:
                        # Tracks the message as unacked, then hands it to the consumer.
                        self.connection._deliver(loads(bytes_to_str(raw)), queue)
                    except _MALFORMED as exc:
                        _dead_letter(queue, exc)
            finally:
                self.qos.flush_appends()
            # Only now, with every message recorded as unacked, may they leave the processing list.
            with self.conn_or_acquire() as client:
                pipe = client.pipeline(transaction=False)
                for queue, raw in fetched:
                    pipe.lrem(self._processing_key(queue), 1, raw)
                pipe.execute()
            return True
        finally:
            self._in_poll = None  # type: ignore[assignment]
            flush_reauth = getattr(self, "_flush_brpop_reauth", None)
            if flush_reauth is not None:
                flush_reauth()

    def _fetch_more(self, queues: list[str], *, already: int) -> list[tuple[str, bytes]]:
        """Whatever else is waiting, up to the prefetch window, taken fairly from every queue."""
        room = self.qos.can_consume_max_estimate()
        limit = (MAX_BURST if room is None else min(MAX_BURST, int(room))) - already
        if limit <= 0:
            return []
        keys = [key for queue in queues for key in (queue, self._processing_key(queue))]
        with self.conn_or_acquire() as client:
            if self._fair_move is None:
                self._fair_move = client.register_script(_FAIR_MOVE)
            moved, ready = self._fair_move(keys=keys, args=[limit], client=client)
        # Next time, wait on the first queue in turn that still holds messages.
        self._ready = [queues[int(index) - 1] for index in ready]
        return [(queues[int(moved[i]) - 1], moved[i + 1]) for i in range(0, len(moved), 2)]

    def _get(self, queue: str, timeout: Any = None) -> Any:
        try:
            return super()._get(queue)
        except _MALFORMED as exc:
            _dead_letter(queue, exc)
            raise Empty() from None

    # -- liveness and recovery -----------------------------------------------------------------

    def _consumers_key(self, queue: str) -> str:
        return f"{queue}{self.sep}consumers"

    def _maintain(self, queues: list[str]) -> None:
        """Refresh this consumer's liveness and, now and then, sweep up after dead consumers.

        Every consumer registers its token in a set per queue before its first fetch, so a sweep
        reads that set instead of scanning the keyspace (which holds every published outcome
        when the outcome store is the broker: millions of keys).
        """
        now = time.monotonic()
        refresh_every = max(1, int(self.liveness_ttl) // 6)
        if now - self._last_refresh < refresh_every:
            return
        self._last_refresh = now
        with self.conn_or_acquire() as client:
            for queue in queues:
                pipe = client.pipeline(transaction=False)
                pipe.set(self._alive_key(queue), "1", ex=int(self.liveness_ttl))
                pipe.sadd(self._consumers_key(queue), self._token)
                pipe.execute()
                if client.set(f"{queue}{self.sep}sweep", "1", nx=True, ex=refresh_every):
                    self._sweep(client, queue)

    def _sweep(self, client: Any, queue: str) -> None:
        """Return the processing lists of consumers that stopped refreshing their liveness key."""
        for member in client.smembers(self._consumers_key(queue)):
            token = bytes_to_str(member)
            if client.exists(self._alive_key(queue, token)):
                continue
            key = self._processing_key(queue, token)
            moved = 0
            while client.lmove(key, queue, "RIGHT", "RIGHT") is not None:
                moved += 1
            client.srem(self._consumers_key(queue), token)
            if moved:
                log.warning("returned %d in-flight messages of a dead consumer to %s", moved, queue)

    def close(self) -> None:
        if self._in_poll:
            # With the broker gone there is no reply to the pending fetch to read; whatever it
            # moved is in our processing list and goes back to the queue via the sweep.
            try:
                self._brpop_read()
            except (Empty, *self.connection_errors):
                pass
            self._in_poll = None  # type: ignore[assignment]
        if self._token is not None and not self.closed:
            try:
                with self.conn_or_acquire() as client:
                    # A clean close hands back anything still in flight at once.
                    for queue in self.active_queues:
                        while client.lmove(self._processing_key(queue), queue, "RIGHT", "RIGHT"):
                            pass
                        client.delete(self._alive_key(queue))
                        client.srem(self._consumers_key(queue), self._token)
            except Exception:
                log.debug("could not hand back the processing lists on close", exc_info=True)
        try:
            super().close()
        except self.connection_errors:
            # Stock kombu leaves a channel whose close hit a dead broker half closed; Celery's
            # consumer closes it again once the connection has dropped its transport, and that
            # second close dies with an AttributeError that stops the worker. Nothing is lost by
            # ending here: unacknowledged messages stay recorded in Redis and come back with the
            # visibility timeout, in-flight fetches with the processing-list sweep.
            self.closed = True
            raise
        finally:
            # Shut every socket still open: those an interrupted close did not reach, and the
            # pool kombu opens anew to restore unacknowledged messages after it disconnected its
            # pools.
            with contextlib.suppress(Exception):
                self._disconnect_pools()
            with contextlib.suppress(Exception):
                self._close_clients()


class Transport(kombu_redis.Transport):
    Channel = Channel
