"""A Celery app bound to one broker URL, for control commands (`ping`) and Celery-side tooling."""

from __future__ import annotations

from typing import Any

from celery import Celery

from producers import settings
from producers.contract import QUEUE
from producers.queues import intake_queues


class _ProducerApp(Celery):  # type: ignore[misc]
    """A Celery app bound to one broker URL.

    Celery reads CELERY_BROKER_URL from the environment in preference to the URL an app was
    made with, so an app given an explicit URL would silently talk to another broker whenever
    that variable is set. Connections here always use the URL the app was made with.
    """

    def __init__(self, broker_url: str) -> None:
        super().__init__("training_intake_producer", broker=broker_url, set_as_current=False)
        self._bound_broker_url = broker_url

    def connection_for_write(self, url: str | None = None, **kwargs: Any) -> Any:
        return super().connection_for_write(url or self._bound_broker_url, **kwargs)

    def connection_for_read(self, url: str | None = None, **kwargs: Any) -> Any:
        return super().connection_for_read(url or self._bound_broker_url, **kwargs)


def producer_app(broker_url: str) -> Celery:
    """A Celery app configured as the intake producers publish (for `control.ping` and friends).

    `IntakeClient` itself does not publish through Celery (see producers/brokers/); this app
    sends the same way Celery would, for tools that want Celery's API against the same broker.
    """
    app = _ProducerApp(broker_url)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        # RabbitMQ: declare the queues as the workers do (a queue's type cannot change later).
        task_queues=intake_queues(settings.queue_type()),
        # Fail a send after a bounded wait instead of hanging a web request on a dead broker.
        broker_connection_timeout=5,
        broker_connection_retry=True,
        broker_connection_max_retries=3,
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.1, "interval_step": 0.5},
        # On RabbitMQ, wait for the broker to confirm each publish.
        broker_transport_options={"confirm_publish": True},
    )
    return app
