"""Per-tenant admission: a tenant's submissions over its rate wait in the overflow queue.

Workers read the main queue and the overflow queue in turn (worker/transport.py), so however
many submissions one tenant sends, the others' wait behind at most every tenant's admitted share,
never behind the flood. Counting is a fixed one-second window per tenant in Redis (the outcome
store), shared by every producer: `INCRBY intake:admitted:<tenant>:<unix second> n`; what the
count puts over the rate goes to `intake.overflow`. Nothing is refused or lost: overflow is
processed as surely, only after its turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import redis

ADMITTED_KEY = "intake:admitted:{tenant}:{second}"


class Admission:
    """Decides how many of a tenant's submissions may take the main queue this second."""

    def __init__(
        self, redis_client: Any, rate: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        # No Redis (a RabbitMQ broker without an outcome store) or a rate of 0: admit everything.
        self._redis = redis_client
        self.rate = rate
        self._clock = clock

    @property
    def enabled(self) -> bool:
        return self._redis is not None and self.rate > 0

    def admit(self, tenant_id: str, count: int = 1) -> int:
        """How many of `count` submissions of a tenant take the main queue; the rest overflow."""
        if not self.enabled or count <= 0:
            return max(count, 0)
        key = ADMITTED_KEY.format(tenant=tenant_id, second=int(self._clock()))
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.incrby(key, count)
            pipe.expire(key, 2)
            total, _ = pipe.execute()
        except (redis.RedisError, OSError):
            # A count that cannot be kept must never stop a submission: admit it.
            return count
        before = int(total) - count
        return max(0, min(count, self.rate - before))
