"""Recovery on the hardened Redis channel: liveness, sweeping dead consumers, restoring, closing."""

from __future__ import annotations

import contextlib
import logging
import time
from queue import Empty
from typing import Any

from kombu.transport import redis as kombu_redis
from kombu.utils.encoding import bytes_to_str

from worker.transport.qos import restore_entry

log = logging.getLogger("worker.transport")


class RecoveringChannel(kombu_redis.Channel):
    """What brings a message back when its consumer died or closed (the Channel's base).

    Each consumer keeps a liveness key per queue and registers its token in a set per queue; a
    processing list whose owner stopped refreshing its key is moved back to the queue by
    whichever consumer sweeps next. A clean close hands everything in flight back at once.
    """

    #: Seconds a consumer counts as alive after its last refresh (transport option).
    liveness_ttl = 30
    _token: str | None = None
    _last_refresh = 0.0

    # -- keys ----------------------------------------------------------------------------------

    def _processing_key(self, queue: str, token: str | None = None) -> str:
        return f"{queue}{self.sep}processing{self.sep}{token or self._token}"

    def _alive_key(self, queue: str, token: str | None = None) -> str:
        return f"{queue}{self.sep}alive{self.sep}{token or self._token}"

    def _restore(self, message: Any, leftmost: bool = False) -> None:
        """Queue a message again from its unacked entry, in whichever form the entry is."""
        tag = message.delivery_tag

        def restore_transaction(pipe: Any) -> None:
            entry = pipe.hget(self.unacked_key, tag)
            pipe.multi()
            pipe.zrem(self.unacked_index_key, tag)
            pipe.hdel(self.unacked_key, tag)
            if entry:
                restore_entry(self, entry, pipe, leftmost=leftmost)

        with self.conn_or_acquire() as client:
            client.transaction(restore_transaction, self.unacked_key)

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
