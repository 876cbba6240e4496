"""The hardened Redis channel: atomic fair fetches, normalized envelopes, dead consumers swept.

* Stock kombu pops a message with BRPOP and only afterwards records it in the `unacked` hash; a
  worker killed in between loses the message for good. Here the fetch is `BLMOVE queue ->
  processing list`, atomic in Redis; the item leaves the processing list only once it is in the
  `unacked` hash. Each consumer keeps a liveness key; a processing list whose owner stopped
  refreshing it is moved back to the queue by whichever worker sweeps next. A message can come
  back twice this way (processing list and visibility timeout), never zero times; inserts are
  idempotent, so rows stay exactly-once.
* Stock kombu parses each item as a JSON envelope inside the event loop and trusts every field
  of it; a malformed item raises there (stopping or wedging the worker) or corrupts the
  bookkeeping of unacknowledged messages. Here each item is checked and normalized first
  (worker/envelope.py); one that fails is dead-lettered, once per distinct item, and consumption
  goes on.
* A worker consuming several queues (the main queue and the overflow queue of tenants over their
  rate, see producers/admission.py) takes each burst from all of them in turn, so a long queue
  cannot hold up the others.
"""

from __future__ import annotations

import logging
import time
import uuid
from queue import Empty
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

from worker import deadletters
from worker.envelope import redis_payload
from worker.errors import ConfigurationError, MessageRefused
from worker.models import DeadLetterReason
from worker.settings import get_settings
from worker.transport.qos import QoS
from worker.transport.recovery import RecoveringChannel

log = logging.getLogger("worker.transport")

# Redis 6.2 brought LMOVE/BLMOVE, which the atomic fetch needs.
MIN_REDIS_VERSION = (6, 2)


# At most this many messages are fetched per wake-up: one blocking BLMOVE, then the rest with
# non-blocking LMOVEs in one call, bounded by the prefetch window.
MAX_BURST = 64
# A consumer of several queues waits on one of them. While it had messages a moment ago, it waits
# this short a time only, so that a message arriving in another queue (a tenant's overflow, which
# comes in bursts while the main queue may be idle) is not left for a whole `brpop_timeout`.
BUSY_POLL_SECONDS = 0.05
BUSY_WINDOW_SECONDS = 5.0


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


class Channel(RecoveringChannel):
    QoS = QoS
    #: Queues in the order an idle consumer waits on them (transport option); the first is the
    #: one whose new messages wake an idle worker at once, the others are read at every wake-up:
    #: within BUSY_POLL_SECONDS while the worker is busy, within `brpop_timeout` when it idles.
    fetch_order: tuple[str, ...] = ()
    from_transport_options = (  # type: ignore[assignment]
        *kombu_redis.Channel.from_transport_options,
        "liveness_ttl",
        "fetch_order",
    )

    # (the queue the pending BLMOVE waits on, every queue of this fetch) while one is in flight.
    _fetching: tuple[str, list[str]] | None = None
    # Queues that still held messages at the last fetch, in the order to wait on them next.
    _ready: list[str] | None = None
    _last_fetched = 0.0
    _fair_move: Any = None

    # -- fetching ------------------------------------------------------------------------------

    def _reliable_queues(self) -> list[str]:
        """The queues to fetch from atomically, in `fetch_order`."""
        if list(self.priority_steps) != [0] or self.global_keyprefix:
            raise ConfigurationError(
                "the intake transport needs queues without priorities and no global key prefix"
            )
        queues = set(self.active_queues)
        preferred = [queue for queue in self.fetch_order if queue in queues]
        return preferred + sorted(queues - set(preferred))

    def _brpop_start(self, timeout: float | None = None) -> None:
        queues = self._reliable_queues()
        if not queues:
            return
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
        try:
            if fetching is None:
                raise Empty()
            fetched = self._fetch(*fetching, **options)
            if not fetched:
                raise Empty()
            self._last_fetched = time.monotonic()
            self._deliver_burst(fetched)
            return True
        finally:
            self._in_poll = None  # type: ignore[assignment]
            flush_reauth = getattr(self, "_flush_brpop_reauth", None)
            if flush_reauth is not None:
                flush_reauth()

    def _fetch(self, target: str, queues: list[str], **options: Any) -> list[tuple[str, bytes]]:
        """The reply to the pending BLMOVE, and whatever else waits in every queue in turn."""
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
        return fetched

    def _deliver_burst(self, fetched: list[tuple[str, bytes]]) -> None:
        """Hand a burst to the consumer: checked, recorded as unacked, off the processing lists.

        An item that is not a sound message is dead-lettered instead (keyed by its bytes, so
        fetching it again never writes a second letter). Only once every delivered message is
        recorded as unacked, and every refused one is recorded as a dead letter, do the items
        leave the processing list; a refused item whose dead letter could not be stored (the
        database is down) goes back to the far end of its queue to be tried again later.
        """
        max_bytes = get_settings().max_item_bytes()
        refused: list[tuple[str, bytes, deadletters.Letter]] = []
        self.qos.defer_appends()
        try:
            for queue, raw in fetched:
                try:
                    payload = redis_payload(raw, queue, max_bytes=max_bytes)
                except MessageRefused as exc:
                    refused.append((queue, raw, _letter(raw, queue, exc.reason, str(exc))))
                    continue
                self.qos.fetched(payload["properties"]["delivery_tag"], queue, raw)
                try:
                    # Tracks the message as unacked, then hands it to the consumer.
                    self.connection._deliver(payload, queue)
                except Exception as exc:
                    log.exception("a sound message could not be delivered; dead-lettering it")
                    self.qos.forget(payload["properties"]["delivery_tag"])
                    reason = DeadLetterReason.UNPROCESSABLE
                    refused.append((queue, raw, _letter(raw, queue, reason, type(exc).__name__)))
        finally:
            self.qos.flush_appends()
        stored = deadletters.refuse([letter for _, _, letter in refused]) if refused else True
        with self.conn_or_acquire() as client:
            pipe = client.pipeline(transaction=False)
            for queue, raw in fetched:
                pipe.lrem(self._processing_key(queue), 1, raw)
            if not stored:
                for queue, raw, _ in refused:
                    pipe.lpush(queue, raw)
            pipe.execute()

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
        """One message taken without the event loop (`basic_get`), checked like the others."""
        max_bytes = get_settings().max_item_bytes()
        with self.conn_or_acquire() as client:
            while (raw := client.rpop(queue)) is not None:
                try:
                    return redis_payload(raw, queue, max_bytes=max_bytes)
                except MessageRefused as exc:
                    deadletters.refuse([_letter(raw, queue, exc.reason, str(exc))])
        raise Empty()


def _letter(raw: bytes, queue: str, reason: str, error: str) -> deadletters.Letter:
    log.warning("refused an item of queue %s: %s (%s)", queue, reason, error)
    return deadletters.of_message(
        DeadLetterReason(reason), raw, error=error, info={"queue": queue, "bytes": len(raw)}
    )


def check_broker(url: str) -> None:
    """Refuse to start against a Redis the atomic fetch cannot work with (before 6.2)."""
    client = redis.Redis.from_url(url, socket_timeout=10)
    try:
        version = str(client.info("server").get("redis_version", "0"))
    finally:
        client.close()
    major, minor = (int(part) for part in version.split(".")[:2])
    if (major, minor) < MIN_REDIS_VERSION:
        raise ConfigurationError(
            f"Redis {version} is too old: the intake workers need 6.2 or later"
        )
