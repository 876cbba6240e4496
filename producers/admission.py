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

Once Redis grants a tenant less than it asked for, the tenant's count for that second is at its
rate for every producer (counts only grow within a second), so the rest of its submissions that
second overflow without asking again: a tenant over its rate costs no round trip at all. When
the broker is the same Redis, the round trip a block needs carries the publish too
(`RedisPublisher.publish_admitted`: `ask` here, `settle` with the count it returns).
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
    exhausted: bool = False  # Redis granted less than asked: nothing more this second


@dataclass(frozen=True, slots=True)
class Ask:
    """A round trip admission needs: take `wanted` admissions of a tenant in `second`."""

    tenant_id: str
    second: int
    wanted: int

    @property
    def key(self) -> str:
        return ADMITTED_KEY.format(tenant=self.tenant_id, second=self.second)


def granted(wanted: int, total: int, rate: int) -> int:
    """What a count of `total` after adding `wanted` leaves for this producer (0 to `wanted`)."""
    return max(0, min(wanted, rate - (total - wanted)))


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

    @property
    def store(self) -> Any:
        """The Redis client that keeps the counts (None without one)."""
        return self._redis

    def admit(self, tenant_id: str, count: int = 1) -> int:
        """How many of `count` submissions of a tenant take the main queue; the rest overflow."""
        if not self.enabled or count <= 0:
            return max(count, 0)
        decided = self.ask(tenant_id, count)
        return decided if isinstance(decided, int) else self.answer(decided, count)

    def ask(self, tenant_id: str, count: int = 1) -> int | Ask:
        """How many of `count` are admitted when this producer knows already, else the Ask.

        Call only while `enabled`. An Ask is answered with `settle` and the tenant's count
        that Redis gave back for it.
        """
        second = int(self._clock())
        block = self._block(tenant_id, second)
        if count <= block.left or block.exhausted:
            admitted = min(count, block.left)
            block.left -= admitted
            return admitted
        wanted = max(count - block.left, block.size)
        block.size = min(block.size * 2, self._max_block)
        return Ask(tenant_id, second, wanted)

    def answer(self, ask: Ask, count: int = 1) -> int:
        """Take `ask`'s admissions from Redis: how many of `count` are admitted."""
        totals = self._count(ask.second, {ask.tenant_id: ask.wanted})
        if totals is None:
            return count  # no count could be kept: never stop a submission over it
        return self.settle(ask, totals[ask.tenant_id], count)

    def settle(self, ask: Ask, total: int, count: int = 1) -> int:
        """How many of `count` are admitted, now that the tenant's count after `ask` is `total`."""
        got = granted(ask.wanted, total, self.rate)
        block = self._block(ask.tenant_id, ask.second)
        block.exhausted = got < ask.wanted
        # Read `left` again: other threads may have used the block while this one waited.
        available = block.left + got
        admitted = min(count, available)
        block.left = available - admitted
        return admitted

    def admit_many(self, counts: Mapping[str, int]) -> dict[str, int]:
        """`admit` for several tenants at once (a bulk send), in one round trip at most.

        Tenants known to be over their rate this second are not asked about again.
        """
        if not self.enabled:
            return dict(counts)
        second = int(self._clock())
        answer = {tenant_id: 0 for tenant_id in counts if self._exhausted(tenant_id, second)}
        wanted = {t: n for t, n in counts.items() if t not in answer and n > 0}
        if not wanted:
            return {tenant_id: answer.get(tenant_id, 0) for tenant_id in counts}
        totals = self._count(second, wanted)
        if totals is None:
            return dict(counts)
        for tenant_id, count in wanted.items():
            answer[tenant_id] = granted(count, totals[tenant_id], self.rate)
            if answer[tenant_id] < count:
                self._block(tenant_id, second).exhausted = True
        return {tenant_id: answer.get(tenant_id, 0) for tenant_id in counts}

    def _exhausted(self, tenant_id: str, second: int) -> bool:
        block = self._blocks.get(tenant_id)
        return block is not None and block.second == second and block.exhausted and not block.left

    def _count(self, second: int, wanted: Mapping[str, int]) -> dict[str, int] | None:
        """Add `wanted` to each tenant's shared count of this second; the counts after it.

        None when Redis cannot keep the counts: the caller then admits everything.
        """
        pipe = self._redis.pipeline(transaction=False)
        for tenant_id, count in wanted.items():
            key = ADMITTED_KEY.format(tenant=tenant_id, second=second)
            pipe.incrby(key, count)
            pipe.expire(key, 2)
        try:
            replies = pipe.execute()
        except (redis.RedisError, OSError):
            return None
        return {tenant: int(total) for tenant, total in zip(wanted, replies[::2], strict=True)}

    def _block(self, tenant_id: str, second: int) -> _Block:
        """The tenant's block of this second, a new one when the second has moved on."""
        block = self._blocks.get(tenant_id)
        if block is not None and block.second == second:
            return block
        if len(self._blocks) >= _MAX_TRACKED:
            self._blocks = {t: b for t, b in self._blocks.items() if b.second == second}
        block = self._blocks[tenant_id] = _Block(second, 0, 1)
        return block
