"""The Celery application shared by the server (which sends tasks) and the workers.

Settings that make the fleet safe to lose a station:

- ``task_acks_late`` and ``task_reject_on_worker_lost``: a task is acknowledged only when
  its worker finished it, so a worker that dies mid-task leaves it to another.
- ``worker_prefetch_multiplier = 1``: a station holds at most the task it runs.
- ``visibility_timeout``: with Redis, a task not acknowledged after this many seconds is
  given to another worker (this is how the broker notices a worker killed with -9). It
  must be longer than the longest task, or a task still running is dealt twice (the
  server then keeps the first result of each case). RabbitMQ needs none of this: it
  re-delivers when the worker's connection drops.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

TASK_NAME = "robotest.fleet.run_cases"
BROKER_SCHEMES = ("redis://", "rediss://", "sentinel://", "amqp://", "amqps://", "pyamqp://")
DEFAULT_VISIBILITY_TIMEOUT = 3600.0


def check_broker(url: str) -> None:
    """ValueError with a one-line reason unless `url` names a Redis or RabbitMQ broker."""
    if not url.startswith(BROKER_SCHEMES) or len(url) > 2000:
        raise ValueError(
            f"bad broker URL {url[:80]!r}: give redis://HOST:6379/0 (or amqp://... for RabbitMQ)"
        )


def make_engine(broker: str, visibility_timeout: float = DEFAULT_VISIBILITY_TIMEOUT) -> Celery:
    """A Celery app on `broker` (redis://host:6379/0, or amqp:// for RabbitMQ)."""
    engine = Celery("robotest-fleet", broker=broker, set_as_current=False)
    sweep = max(1, min(10, int(visibility_timeout / 2)))
    options: dict[str, Any] = {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": sweep,
        "unacked_restore_throttle": 1,
    }
    engine.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_transport_options=options,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_default_queue="rtest.fleet",
    )
    return engine
