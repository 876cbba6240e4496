"""Publishing to Redis as kombu's Redis transport stores messages: LPUSH on the queue's list.

With `priority_steps=[0]` (and for every priority-0 message under kombu's default steps) a
queue's list is named after the queue, and consumers pop from its other end, so messages of one
LPUSH are consumed in the order given.
"""

from __future__ import annotations

from typing import Any

from producers.admission import Ask
from producers.contract import OVERFLOW_QUEUE, QUEUE
from producers.envelope import ITEM_TAIL, TaskMessage, redis_item, redis_item_head

# Admission and publishing in one round trip: count the tenant's admissions for this second
# (as Admission does: INCRBY, EXPIRE 2), then push to the main queue when the count leaves a
# grant, else to the overflow queue. A script, because the queue depends on the count.
_ADMIT_AND_PUSH = """
local wanted = tonumber(ARGV[1])
local total = redis.call('INCRBY', KEYS[1], wanted)
redis.call('EXPIRE', KEYS[1], 2)
local granted = math.min(wanted, tonumber(ARGV[2]) - (total - wanted))
local queue = KEYS[3]
if granted > 0 then
    queue = KEYS[2]
end
redis.call('LPUSH', queue, ARGV[3] .. queue .. ARGV[4])
return total
"""


class RedisPublisher:
    """LPUSHes envelopes with one Redis client (its connection pool) for the client's life."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._admit_and_push = client.register_script(_ADMIT_AND_PUSH)

    def publish(self, queue: str, message: TaskMessage) -> None:
        self.client.lpush(queue, redis_item(message, queue))

    def publish_admitted(self, ask: Ask, rate: int, message: TaskMessage) -> int:
        """Take `ask`'s admissions and push `message` where they send it; returns the count.

        The message goes to the main queue when the count grants at least one admission (the
        first of the block is this message's), else to the overflow queue; the script completes
        the item with the name of the queue it chose (see `redis_item_head`).
        """
        total = self._admit_and_push(
            keys=[ask.key, QUEUE, OVERFLOW_QUEUE],
            args=[ask.wanted, rate, redis_item_head(message), ITEM_TAIL],
        )
        return int(total)

    def close(self) -> None:
        close_idle(self.client)


def close_idle(client: Any) -> None:
    """Close a client's idle connections; one another thread is using stays open until returned.

    redis-py's `close()` would also close connections in use, under a send of another thread.
    A later command connects again.
    """
    client.connection_pool.disconnect(inuse_connections=False)
