"""Broker housekeeping: empty a queue before a variant, and tell when a Redis queue is drained."""

from __future__ import annotations

import json

import redis
from kombu import Connection

# kombu's Redis transport keeps delivered-but-unacknowledged messages in this hash.
UNACKED = "unacked"
UNACKED_INDEX = "unacked_index"
# ... and spreads priorities over extra lists named queue + separator + priority.
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)


def is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://"))


def _lists(queue: str) -> list[str]:
    return [queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)]


def purge(url: str, queues: str) -> int:
    """Drop every message of `queues` (names separated by commas, as for `celery worker -Q`)."""
    return sum(_purge(url, queue) for queue in queues.split(","))


def _purge(url: str, queue: str) -> int:
    """Drop every message of `queue`: waiting, and on Redis also unacknowledged or in flight."""
    with Connection(url, connect_timeout=5) as connection:
        dropped = int(connection.default_channel.queue_purge(queue) or 0)
    if is_redis(url):
        client = redis.Redis.from_url(url, socket_timeout=5)
        try:
            dropped += _drop_unacked(client, queue)
            # Keys named after the queue: priority lists, and any per-consumer in-flight lists
            # a transport keeps (ours does), which a later worker would put back on the queue.
            related = list(client.scan_iter(match=f"{queue}{PRIORITY_SEPARATOR}*", count=1000))
            if related:
                client.delete(*related)
        finally:
            client.close()
    return dropped


def _drop_unacked(client: redis.Redis, queue: str) -> int:
    stale = []
    for tag, raw in client.hscan_iter(UNACKED):
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            stale.append(tag)
    if stale:
        client.hdel(UNACKED, *stale)
        client.zrem(UNACKED_INDEX, *stale)
    return len(stale)


class RedisQueueProbe:
    """Whether Redis queues are drained: nothing waiting and nothing delivered but unacked."""

    def __init__(self, url: str, queues: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=5)
        self.lists = [name for queue in queues.split(",") for name in _lists(queue)]

    def drained(self) -> bool:
        with self.client.pipeline(transaction=True) as pipe:
            for name in self.lists:
                pipe.llen(name)
            pipe.hlen(UNACKED)
            return not any(pipe.execute())

    def close(self) -> None:
        self.client.close()
