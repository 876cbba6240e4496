"""Publishes outcomes to Redis so producers can ask `status()` without a database connection."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable

import redis

from worker.outcomes import Result

log = logging.getLogger("worker.outcome_store")

_clients: dict[tuple[int, str], redis.Redis] = {}


def _client(url: str) -> redis.Redis:
    key = (os.getpid(), url)
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = redis.Redis.from_url(url, socket_timeout=5)
    return client


def publish(url: str | None, results: Iterable[Result], *, ttl_seconds: int) -> None:
    """Publish outcomes just recorded in the database (the caller passes only those).

    Best effort: the database stays the record; a failed publish is logged, not raised.
    """
    if url is None:
        return
    from producers.contract import outcome_key

    try:
        with _client(url).pipeline(transaction=False) as pipe:
            for result in results:
                if result.submission_id is None:
                    continue
                pipe.set(
                    outcome_key(result.submission_id), json.dumps(result.as_dict()), ex=ttl_seconds
                )
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not publish outcomes to the outcome store: %s", type(exc).__name__)
