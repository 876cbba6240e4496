"""kombu's Redis transport, hardened: atomic fetches, and nothing on the wire can stop it."""

from __future__ import annotations

from kombu.transport import redis as kombu_redis

from worker.transport.channel import Channel, check_broker

__all__ = ["Channel", "Transport", "check_broker"]


class Transport(kombu_redis.Transport):
    Channel = Channel
