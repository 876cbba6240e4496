"""Celery settings (lowercase names), derived from the environment through worker.settings."""

from producers.contract import OVERFLOW_QUEUE, QUEUE
from producers.queues import intake_queues
from worker.settings import get_settings

_settings = get_settings()

broker_url = _settings.broker_url
broker_connection_retry_on_startup = True
# A channel the broker closed (RabbitMQ's consumer_timeout) is reopened; the worker goes on.
broker_channel_error_retry = True
if broker_url and broker_url.startswith(("redis://", "rediss://")):
    # Same protocol, but a malformed item on the queue cannot stop the worker.
    broker_transport = "worker.transport:Transport"

# Only JSON crosses the queue: no pickle, ever.
task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
event_serializer = "json"

# Outcomes live in PostgreSQL (and the outcome store), not in a Celery result backend.
task_ignore_result = True

# At-least-once delivery: ack after the work is committed; a killed worker's message comes back.
task_acks_late = True
task_reject_on_worker_lost = True
worker_cancel_long_running_tasks_on_connection_loss = True
# Buffered messages stay unacknowledged, so prefetch must cover a batch per pool process.
worker_prefetch_multiplier = _settings.prefetch_multiplier

task_time_limit = _settings.task_time_limit
task_soft_time_limit = max(5, _settings.task_time_limit - 30)

task_default_queue = QUEUE
# The main queue and the overflow queue of tenants over their admission rate, both read in turn.
# On RabbitMQ they may be quorum queues (INTAKE_QUEUE_TYPE); Celery then uses per-consumer QoS.
task_queues = intake_queues(_settings.queue_type)
task_create_missing_queues = True

broker_transport_options = {
    # An unacked message returns to the queue after this many seconds; it must stay well above
    # the task time limit plus the longest retry countdown, or a slow task would run twice.
    "visibility_timeout": _settings.visibility_timeout,
    # How often a worker looks for messages whose visibility timeout ran out (kombu >= 5.7).
    "unacked_restore_interval": _settings.unacked_restore_interval,
    "unacked_restore_throttle": 1,
    # A worker killed while restoring leaves the restore lock behind; kombu's default (300 s)
    # then stalls every redelivery for five minutes. Concurrent restores are safe (each message
    # moves in a transaction watching the unacked hash), so the lock may expire soon.
    "unacked_mutex_expire": max(5, 3 * _settings.unacked_restore_interval),
    # One list per queue: lets the worker fetch atomically (see worker/transport.py).
    "priority_steps": [0],
    "liveness_ttl": _settings.consumer_liveness_ttl,
    # An idle worker waits on the main queue; the overflow queue is read at every wake-up.
    "fetch_order": [QUEUE, OVERFLOW_QUEUE],
    "confirm_publish": True,
}

# Task events (Flower, `celery events`) cost the consumer two publishes a message: on only when
# asked for (INTAKE_TASK_EVENTS=1, or `celery worker -E`).
worker_send_task_events = _settings.task_events
task_send_sent_event = _settings.task_events

# Undecodable and unknown messages are dead-lettered by our consumer instead of only logged.
worker_consumer = "worker.consumer:IntakeConsumer"
worker_hijack_root_logger = False
