"""Per-tenant admission: a tenant's submissions over its rate wait in the overflow queue.

Workers read the main queue and the overflow queue in turn (worker/transport.py), so however
many submissions one tenant sends, the others' wait behind at most every tenant's admitted share,
never behind the flood. Counting is a fixed one-second window per tenant in Redis (the outcome
store), shared by every producer: `INCRBY intake:admitted:<tenant>:<unix second> n`; what the
count puts over the rate goes to `intake.overflow`. Nothing is refused or lost: overflow is
processed as surely, only after its turn.

A producer that keeps sending one tenant's submissions within a second takes its admissions in
growing blocks (1, 2, 4, ... up to a tenth of the rate) and hands them out locally, so a busy
tenant costs a Redis round trip per block, not per submission. What a block leaves unused counts
against the tenant for that second: a little strictness, bounded by the block size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

ADMITTED_KEY = "intake:admitted:{tenant}:{second}"
# Tenants whose local blocks are remembered at most; past it, blocks of earlier seconds go.
_MAX_TRACKED = 10_000


@dataclass(slots=True)
class _Block:
    second: int
    left: int  # admissions taken from Redis and not handed out yet
    size: int  # how many to take at the next round trip


class Admission:
    """Decides how many of a tenant's submissions may take the main queue this second."""

    def __init__(
        self, redis_client: Any, rate: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        # No Redis (a RabbitMQ broker without an outcome store) or a rate of 0: admit everything.
        self._redis = redis_client
        self.rate = rate
        self._clock = clock
        self._max_block = max(1, rate // 10)
        self._blocks: dict[str, _Block] = {}

    @property
    def enabled(self) -> bool:
        return self._redis is not None and self.rate > 0

    def admit(self, tenant_id: str, count: int = 1) -> int:
        """How many of `count` submissions of a tenant take the main queue; the rest overflow."""
        if not self.enabled or count <= 0:
            return max(count, 0)
        second = int(self._clock())
        block = self._blocks.get(tenant_id)
        if block is None or block.second != second:
            block = self._track(tenant_id, _Block(second, 0, 1))
        if count <= block.left:
            block.left -= count
            return count
        wanted = max(count - block.left, block.size)
        granted = self._take(tenant_id, second, wanted)
        if granted is None:
            return count  # no count could be kept: never stop a submission over it
        available = block.left + granted
        admitted = min(count, available)
        block.left = available - admitted
        block.size = min(block.size * 2, self._max_block)
        return admitted

    def admit_many(self, counts: Mapping[str, int]) -> dict[str, int]:
        """`admit` for several tenants at once (a bulk send), in one round trip to Redis."""
        if not self.enabled:
            return dict(counts)
        second = int(self._clock())
        pipe = self._redis.pipeline(transaction=False)
        for tenant_id, count in counts.items():
            key = ADMITTED_KEY.format(tenant=tenant_id, second=second)
            pipe.incrby(key, count)
            pipe.expire(key, 2)
        try:
            replies = pipe.execute()
        except (redis.RedisError, OSError):
            return dict(counts)
        return {
            tenant_id: max(0, min(count, self.rate - (int(total) - count)))
            for (tenant_id, count), total in zip(counts.items(), replies[::2], strict=True)
        }

    def _take(self, tenant_id: str, second: int, wanted: int) -> int | None:
        """Take up to `wanted` admissions of this second from the shared count."""
        key = ADMITTED_KEY.format(tenant=tenant_id, second=second)
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incrby(key, wanted)
            pipe.expire(key, 2)
            total, _ = pipe.execute()
        except (redis.RedisError, OSError):
            return None
        before = int(total) - wanted
        return max(0, min(wanted, self.rate - before))

    def _track(self, tenant_id: str, block: _Block) -> _Block:
        if len(self._blocks) >= _MAX_TRACKED:
            self._blocks = {t: b for t, b in self._blocks.items() if b.second == block.second}
        self._blocks[tenant_id] = block
        return block
