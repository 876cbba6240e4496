"""Validated submissions onto the queues: admission, signing, envelopes, chunks, publishing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from producers.admission import Admission
from producers.brokers import BROKER_ERRORS, Publisher
from producers.brokers.redis_lists import RedisPublisher
from producers.contract import MAX_MESSAGE_BYTES, OVERFLOW_QUEUE, QUEUE, Submission
from producers.envelope import bulk_call, encode, encode_array, single_call
from producers.errors import BrokerUnavailable, first_line, safe_url
from producers.queues import queue_for
from producers.signing import sign

# The protocol-2 call around the submissions: `[[], {"submissions": [...]}, {...embed...}]`.
CALL_OVERHEAD = 256


class Sender:
    """Sends validated submissions; every broker failure becomes BrokerUnavailable."""

    def __init__(
        self,
        publisher: Publisher,
        admission: Admission,
        *,
        broker_url: str,
        chunk_size: int,
        signing_key: tuple[str, bytes] | None,
    ) -> None:
        self.publisher = publisher
        self.admission = admission
        self.signing_key = signing_key
        self._broker_url = broker_url
        self._chunk_size = chunk_size
        # Admission and publish share one round trip when the broker keeps the counts too.
        self._pipelined = (
            isinstance(publisher, RedisPublisher) and admission.store is publisher.client
        )

    def wire(self, submission: Submission) -> dict[str, Any]:
        """The message body of a validated submission, signed when a key is configured."""
        message = submission.to_message()
        if self.signing_key is None:
            return message
        return sign(message, *self.signing_key)

    def send_one(self, submission: Submission) -> None:
        """`intake.submit` on the main queue or, over the tenant's rate, the overflow queue."""
        message = single_call(encode(self.wire(submission)), submission.id)
        with self.broker_errors():
            if not self.admission.enabled:
                self.publisher.publish(QUEUE, message)
                return
            decided = self.admission.ask(submission.tenant_id)
            if isinstance(decided, int):
                self.publisher.publish(queue_for(decided > 0), message)
            elif self._pipelined:
                assert isinstance(self.publisher, RedisPublisher)
                total = self.publisher.publish_admitted(decided, self.admission.rate, message)
                self.admission.settle(decided, total)
            else:
                admitted = self.admission.answer(decided)
                self.publisher.publish(queue_for(admitted > 0), message)

    def send_many(
        self,
        submissions: Sequence[Submission],
        published: Callable[[Sequence[Submission]], None] | None = None,
    ) -> None:
        """`intake.submit_many` in chunks per queue; `published` hears of each chunk sent.

        Chunks keep to the chunk size and to MAX_MESSAGE_BYTES, and each queue's chunks keep
        the submissions' order. A failure leaves the chunks after it unsent.
        """
        for queue, lane in self._lanes(submissions).items():
            for start in range(0, len(lane), self._chunk_size):
                part = lane[start : start + self._chunk_size]
                for chunk, encoded in self._encoded_chunks([self.wire(item) for item in part]):
                    with self.broker_errors():
                        self.publisher.publish(queue, bulk_call(encoded, len(chunk)))
                    if published is not None:
                        published(part[chunk.start : chunk.stop])

    @staticmethod
    def _encoded_chunks(messages: list[dict[str, Any]]) -> Iterator[tuple[range, bytes]]:
        """The messages as encoded arrays, each within MAX_MESSAGE_BYTES (with its call).

        Usually all of them fit in one: encoded at once, which costs less than one by one.
        """
        whole = encode(messages)
        if len(whole) + CALL_OVERHEAD <= MAX_MESSAGE_BYTES:
            yield range(len(messages)), whole
            return
        encoded = [encode(message) for message in messages]
        costs = [len(item) + 1 for item in encoded]
        for start, stop in chunk_bounds(costs, len(messages), MAX_MESSAGE_BYTES):
            yield range(start, stop), encode_array(encoded[start:stop])

    def _lanes(self, submissions: Sequence[Submission]) -> dict[str, Sequence[Submission]]:
        """The submissions each queue gets: what each tenant's admission allows, the rest overflow.

        Each lane keeps the submissions in the order they were given.
        """
        if not self.admission.enabled:
            return {QUEUE: submissions}
        with self.broker_errors():
            allowance = self.admission.admit_many(Counter(s.tenant_id for s in submissions))
        lanes: dict[str, list[Submission]] = {QUEUE: [], OVERFLOW_QUEUE: []}
        for submission in submissions:
            if allowance[submission.tenant_id] > 0:
                allowance[submission.tenant_id] -= 1
                lanes[QUEUE].append(submission)
            else:
                lanes[OVERFLOW_QUEUE].append(submission)
        return {queue: lane for queue, lane in lanes.items() if lane}

    @contextmanager
    def broker_errors(self) -> Iterator[None]:
        """A broker that cannot be reached becomes BrokerUnavailable, saying where and what next."""
        try:
            yield
        except BROKER_ERRORS as exc:
            raise BrokerUnavailable(
                f"cannot reach the broker at {safe_url(self._broker_url)} ({first_line(exc)}): "
                "is it running? Sending again with the same submission_id is safe"
            ) from exc

    def close(self) -> None:
        self.publisher.close()


def chunk_bounds(costs: Sequence[int], size: int, max_bytes: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive chunks of at most `size` items within `max_bytes` in all.

    `costs` are the items' encoded sizes (with a separator). Workers refuse a bigger message
    unread (it is more than one of them should hold), so a bulk of long texts becomes more,
    smaller messages. A single submission always fits.
    """
    start, used = 0, CALL_OVERHEAD
    for index, cost in enumerate(costs):
        if index > start and (index - start >= size or used + cost > max_bytes):
            yield start, index
            start, used = index, CALL_OVERHEAD
        used += cost
    if start < len(costs):
        yield start, len(costs)
