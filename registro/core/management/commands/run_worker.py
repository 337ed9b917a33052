"""Starts the task worker of the configured backend (TASKS_BACKEND): django-tasks-db's `db_worker`
on every queue, or an RQ worker with its scheduler (which moves tasks deferred with `run_after`,
e.g. an e-mail's retry, to the queue when they are due) and django-tasks-rq's job class. Start as
many as the load needs, on any machine that reaches the database (and Redis)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Arranca el trabajador de tareas del backend configurado (TASKS_BACKEND: database o rq)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst", action="store_true", help="Ejecutar las tareas pendientes y terminar (pruebas, cron)."
        )

    def handle(self, *args, burst=False, **options):
        verbosity = options.get("verbosity", 1)
        if settings.TASKS_BACKEND == "rq":
            queues = settings.TASKS["default"].get("QUEUES") or list(settings.RQ_QUEUES)
            call_command(
                "rqworker",
                *queues,
                with_scheduler=True,
                job_class=settings.RQ["JOB_CLASS"],
                burst=burst,
                verbosity=verbosity,
            )
        else:
            call_command(
                "db_worker", queue_name="*", batch=burst, startup_delay=not burst, reload=False, verbosity=verbosity
            )
