"""Publishes outcomes to Redis so producers can ask `status()` without a database connection."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

import orjson
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


# Sets every outcome of a batch with its expiry in one command (ARGV: ttl, key, value, ...): one
# round trip and one command to encode, instead of a SET with EX per submission.
_PUBLISH = """
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
    redis.call('SET', ARGV[i], ARGV[i + 1], 'EX', ttl)
end
return (#ARGV - 1) / 2
"""
_scripts: dict[tuple[int, str], Any] = {}


def publish(url: str | None, results: Iterable[Result], *, ttl_seconds: int) -> None:
    """Publish outcomes just recorded in the database (the caller passes only those).

    Best effort: the database stays the record; a failed publish is logged, not raised.
    """
    if url is None:
        return
    from producers.contract import outcome_key

    arguments: list[Any] = [ttl_seconds]
    for result in results:
        if result.submission_id is not None:
            arguments += [outcome_key(result.submission_id), orjson.dumps(result.as_dict())]
    if len(arguments) == 1:
        return
    try:
        _script(url)(args=arguments)
    except redis.RedisError as exc:
        log.warning("could not publish outcomes to the outcome store: %s", type(exc).__name__)


def _script(url: str) -> Any:
    key = (os.getpid(), url)
    script = _scripts.get(key)
    if script is None:
        script = _scripts[key] = _client(url).register_script(_PUBLISH)
    return script
