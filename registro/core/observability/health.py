"""The readiness report: database, cache, task queue and storage, each checked on its own with
django-health-check's checks (the task queue's is ours), in parallel, each within its timeout."""

import asyncio
import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connections
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable

from .metrics import task_backend_kind


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """The database backend: its table answers (and how old the oldest due task is). RQ: the
    "default" queue's Redis connection answers PING. Other backends (immediate, dummy) need
    nothing."""

    alias: str = "default"
    queue: str = "default"
    detail: dict = dataclasses.field(default_factory=dict, repr=False)

    def run(self):
        kind = task_backend_kind(self.alias)
        self.detail["backend"] = kind
        if kind == "database":
            self._database()
        elif kind == "rq":
            self._rq()

    def _database(self):
        from django.db.models import Q
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult, get_date_max

        now = timezone.now()
        # Its own connection, closed afterwards: this runs in a short-lived thread.
        with connections["default"].temporary_connection():
            oldest = (
                DBTaskResult.objects.filter(status=TaskResultStatus.READY)
                .filter(Q(run_after=get_date_max()) | Q(run_after__lte=now))
                .order_by("enqueued_at")
                .values_list("enqueued_at", flat=True)
                .first()
            )
        self.detail["oldest_pending_seconds"] = round((now - oldest).total_seconds()) if oldest else 0
        limit = settings.HEALTH_TASK_MAX_AGE_SECONDS
        if limit and oldest and (now - oldest).total_seconds() > limit:
            raise ServiceUnavailable(f"Oldest pending task waits for more than {limit} s: is a worker running?")

    def _rq(self):
        import django_rq
        from redis.exceptions import RedisError

        try:
            django_rq.get_connection(self.queue).ping()
        except RedisError as exc:
            raise ServiceUnavailable(f"RQ queue {self.queue!r}: Redis does not answer") from exc


def components() -> dict[str, HealthCheck]:
    return {
        "database": Database(),
        "cache": Cache(),
        "task_queue": TaskQueue(),
        "storage": Storage(),
    }


_last: tuple[float, dict] | None = None
_lock = threading.Lock()


def report() -> dict[str, dict]:
    """The last report when younger than HEALTH_CACHE_SECONDS: probes every few seconds from
    several load balancers, or anyone repeating the public URL, cost one round of checks (a write
    to storage among them) per process and interval."""
    global _last
    interval = settings.HEALTH_CACHE_SECONDS
    with _lock:
        if interval and _last is not None and time.monotonic() - _last[0] < interval:
            return _last[1]
        result = run_checks()
        _last = (time.monotonic(), result)
        return result


def run_checks() -> dict[str, dict]:
    """{component: {"status": "ok"|"error", "seconds": …, "error": …}} for every component."""
    checks = components()
    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="health")

    async def gather():
        return await asyncio.gather(*(check.get_result(executor) for check in checks.values()))

    try:
        results = async_to_sync(gather)()
    finally:
        # A check stuck past its timeout keeps its thread; the answer does not wait for it.
        executor.shutdown(wait=False)
    report = {}
    for name, result in zip(checks, results, strict=True):
        entry = {"status": "error" if result.error else "ok", "seconds": round(result.time_taken, 4)}
        if result.error:
            entry["error"] = str(result.error)
        entry.update(getattr(result.check, "detail", {}))
        report[name] = entry
    return report
