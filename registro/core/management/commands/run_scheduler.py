"""A small scheduler: a long-running process that enqueues the periodic tasks of
settings.SCHEDULED_TASKS (the e-mail sweep, the daily open-data snapshot) on the configured task
backend; the workers run them. Each entry runs `every` N seconds or daily `at` HH:MM (TIME_ZONE).
Each occurrence is claimed in the shared cache before it is enqueued, so several schedulers (one per
app server) enqueue it once. An occurrence missed while no scheduler ran is not made up."""

import signal
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Entry:
    name: str
    task: str
    every: int | None = None
    at: clock | None = None

    @classmethod
    def from_setting(cls, item: dict) -> "Entry":
        at = clock.fromisoformat(item["at"]) if item.get("at") else None
        every = int(item["every"]) if item.get("every") else None
        if (at is None) == (every is None):
            raise ValueError(f"SCHEDULED_TASKS[{item.get('name')!r}]: give 'every' or 'at'.")
        return cls(name=item["name"], task=item["task"], every=every, at=at)

    def next_after(self, moment: datetime) -> datetime:
        """The first occurrence strictly after `moment` (aware)."""
        if self.every:
            # Aligned to the epoch, so every scheduler computes the same occurrences.
            seconds = int(moment.timestamp()) // self.every * self.every + self.every
            return datetime.fromtimestamp(seconds, tz=moment.tzinfo)
        local = timezone.localtime(moment)
        candidate = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), self.at))
        return candidate


class Scheduler:
    def __init__(self, entries: list[Entry], now: datetime):
        self.entries = entries
        self.due = {entry: entry.next_after(now) for entry in entries}

    def tick(self, now: datetime) -> list[str]:
        """Enqueues what is due at `now`; returns the names enqueued by this scheduler."""
        enqueued = []
        for entry, when in self.due.items():
            if when > now:
                continue
            period = entry.every or 86400
            key = f"registro:scheduler:{entry.name}:{int(when.timestamp())}"
            if cache.add(key, 1, timeout=max(60, 2 * period)):
                try:
                    import_string(entry.task).enqueue()
                except Exception:
                    cache.delete(key)  # not enqueued: the next turn tries again
                    raise
                enqueued.append(entry.name)
            self.due[entry] = entry.next_after(now)
        return enqueued

    def seconds_to_next(self, now: datetime) -> float:
        return max(0.0, min((when - now).total_seconds() for when in self.due.values()))


class Command(BaseCommand):
    help = "Encola las tareas periódicas (SCHEDULED_TASKS) en el backend de tareas configurado."

    def handle(self, *args, **options):
        entries = [Entry.from_setting(item) for item in settings.SCHEDULED_TASKS]
        scheduler = Scheduler(entries, timezone.now())
        for entry in entries:
            self.stdout.write(f"{entry.name}: {entry.task}, próxima {timezone.localtime(scheduler.due[entry])}")
        self.stdout.flush()
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        while not stopping:
            now = timezone.now()
            try:
                for name in scheduler.tick(now):
                    self.stdout.write(f"{timezone.localtime(now):%Y-%m-%d %H:%M:%S} encolada: {name}")
                    self.stdout.flush()
            except Exception as exc:  # the cache or the queue is down: try again on the next turn
                self.stderr.write(f"{type(exc).__name__}: {exc}")
            # Short naps: a stop signal is honoured within a second.
            time.sleep(min(1.0, scheduler.seconds_to_next(timezone.now())) or 0.05)
