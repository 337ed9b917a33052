"""Writes the daily open-data snapshot. Schedule it once a day, e.g. with cron:

    15 2 * * *  cd /srv/registro && .venv/bin/python manage.py open_data_snapshot

(or a systemd timer with OnCalendar=*-*-* 02:15:00 running the same command), or let `manage.py
run_scheduler` enqueue it daily at OPEN_DATA_SNAPSHOT_AT (not both). `--enqueue` leaves it to the
task worker instead of running it in this process."""

from django.core.management.base import BaseCommand

from registro.publico import snapshots
from registro.publico.tasks import open_data_snapshot


class Command(BaseCommand):
    help = "Escribe la instantánea diaria de los datos abiertos (CSV y JSON comprimidos con gzip)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Encolarla para el worker en vez de ejecutarla aquí."
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = open_data_snapshot.enqueue()
            self.stdout.write(f"Encolada: {result.id}")
            return
        for i in snapshots.snapshot_write():
            self.stdout.write(f"{i.nombre}\t{i.filas} filas\t{i.tamano} bytes\tsha256 {i.sha256}")
