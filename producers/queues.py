"""The intake queue topology: the queues workers consume and producers publish to."""

from __future__ import annotations

from kombu.entity import Exchange, Queue

from producers.contract import OVERFLOW_QUEUE, QUEUE, QUEUES


def intake_queues(queue_type: str = "classic") -> tuple[Queue, ...]:
    """The intake queues as workers and producers declare them (durable; classic or quorum).

    Each has its own exchange and routing key, both its name: left to Celery's defaults, every
    queue would be bound to the default queue's exchange and key, and each message sent to one
    would land in all of them.
    """
    arguments = {"x-queue-type": "quorum"} if queue_type == "quorum" else None
    return tuple(
        Queue(  # type: ignore[no-untyped-call]
            name,
            Exchange(name, type="direct", durable=True),  # type: ignore[no-untyped-call]
            routing_key=name,
            durable=True,
            queue_arguments=arguments,
        )
        for name in QUEUES
    )


def queue_for(admitted: bool) -> str:
    """The queue a submission takes: the main queue when admitted, else the overflow queue."""
    return QUEUE if admitted else OVERFLOW_QUEUE
