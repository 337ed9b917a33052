import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Arranca el servidor web (gunicorn) y el trabajador de tareas; Ctrl-C detiene ambos."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        # Threaded workers (docs/adr/0012): a slow upload holds one thread, not a whole worker, and the
        # worker's heartbeat (what --timeout measures) keeps beating meanwhile.
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument("--timeout", type=int, default=int(os.environ.get("WEB_TIMEOUT", "30")))
        parser.add_argument("--no-worker", action="store_true", help="Sin trabajador de tareas.")
        parser.add_argument(
            "--scheduler", action="store_true", help="También el programador de tareas periódicas (run_scheduler)."
        )

    def handle(self, *args, host, port, workers, threads, timeout, no_worker, scheduler, **options):
        python = sys.executable
        web = [
            python,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--timeout",
            str(timeout),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        processes = [subprocess.Popen(web)]
        if not no_worker:
            # The worker of the configured backend (TASKS_BACKEND): db_worker, or RQ's.
            processes.append(subprocess.Popen([python, "manage.py", "run_worker"]))
        if scheduler:
            processes.append(subprocess.Popen([python, "manage.py", "run_scheduler"]))
        self.stdout.write(f"Registro SECOP en http://{host}:{port}/  (Ctrl-C para detener)")
        if settings.DEV_OUTBOX:
            self.stdout.write(f"Correos de desarrollo: http://{host}:{port}/dev/correos/")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            if stopping:
                return
            stopping = True
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # If either process dies, stop the other: a web server without its worker is not "running".
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
        stop(None, None)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        codes = [p.returncode for p in processes]
        self.stdout.write(f"Detenido ({codes}).")
