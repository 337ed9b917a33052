"""Prometheus metrics. Two kinds:

- events counted where they happen (requests, latencies, logins): prometheus_client counters and
  histograms; under gunicorn, `deploy/gunicorn.conf.py` sets PROMETHEUS_MULTIPROC_DIR so every
  worker process writes its values to a shared directory and a scrape adds them up;
- state read from the database or Redis at scrape time (task queue depth here, e-mails in
  registro.notifications.metrics): right whichever process or server did the work, the task
  worker included.
"""

import logging
import os

from django.conf import settings
from django.db.models import Count, Min, Q
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

REQUESTS = Counter(
    "registro_http_requests",
    "HTTP requests answered, by method, view (URL name) and status.",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "registro_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by method and view.",
    ["method", "view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)

_scrape_collectors: list = []


def register_scrape_collector(collector) -> None:
    """A collector (an object with `collect()` yielding metric families) run on every scrape.
    Apps register theirs in `AppConfig.ready`."""
    if collector not in _scrape_collectors:
        _scrape_collectors.append(collector)


def observe_request(*, method: str, view: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "other"
    REQUESTS.labels(method=method, view=view, status=str(status)).inc()
    LATENCY.labels(method=method, view=view).observe(seconds)


class _ThisProcess:
    def collect(self):
        yield from REGISTRY.collect()


class _Safe:
    """A scrape collector that fails (the database is down) leaves the other metrics served."""

    def __init__(self, collector):
        self.collector = collector

    def collect(self):
        try:
            yield from list(self.collector.collect())
        except Exception:
            logger.exception("metrics collector %s failed", type(self.collector).__name__)


def render() -> tuple[bytes, str]:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in _scrape_collectors:
        registry.register(_Safe(collector))
    return generate_latest(registry), CONTENT_TYPE_LATEST


def task_backend_kind(alias: str = "default") -> str:
    backend = settings.TASKS.get(alias, {}).get("BACKEND", "")
    if backend.startswith("django_tasks_rq."):
        return "rq"
    if backend.startswith("django_tasks_db."):
        return "database"
    return "other"


class TaskQueueCollector:
    """Tasks waiting for a worker: due now (`registro_tasks_pending`, the queue depth), deferred to
    a later time (`registro_tasks_scheduled`: e-mail retries), and the age of the oldest due one."""

    def collect(self):
        pending = GaugeMetricFamily("registro_tasks_pending", "Tasks due and waiting for a worker.", labels=["queue"])
        scheduled = GaugeMetricFamily(
            "registro_tasks_scheduled", "Tasks waiting for their scheduled time (retries).", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "registro_tasks_oldest_pending_age_seconds", "Age of the oldest task due.", labels=["queue"]
        )
        kind = task_backend_kind()
        if kind == "database":
            self._database(pending, scheduled, oldest)
        elif kind == "rq":
            self._rq(pending, scheduled)
        yield from (pending, scheduled, oldest)

    def _database(self, pending, scheduled, oldest):
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult, get_date_max

        now = timezone.now()
        due = Q(run_after=get_date_max()) | Q(run_after__lte=now)
        rows = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .values("queue_name")
            .annotate(
                due=Count("id", filter=due), later=Count("id", filter=~due), oldest=Min("enqueued_at", filter=due)
            )
            .order_by("queue_name")
        )
        for row in rows:
            pending.add_metric([row["queue_name"]], row["due"])
            scheduled.add_metric([row["queue_name"]], row["later"])
            if row["oldest"] is not None:
                oldest.add_metric([row["queue_name"]], (now - row["oldest"]).total_seconds())

    def _rq(self, pending, scheduled):
        import django_rq
        from rq.registry import ScheduledJobRegistry

        for name in sorted(getattr(settings, "RQ_QUEUES", {})):
            queue = django_rq.get_queue(name)
            pending.add_metric([name], queue.count)
            scheduled.add_metric([name], ScheduledJobRegistry(queue=queue).count)


register_scrape_collector(TaskQueueCollector())
