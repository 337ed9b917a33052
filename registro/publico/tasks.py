from django_tasks import task

from . import snapshots


@task()
def open_data_snapshot() -> list[dict]:
    """The daily snapshot (registro/publico/snapshots.py), run by the worker; `manage.py
    open_data_snapshot` runs or enqueues it from cron or a systemd timer."""
    return [
        {"archivo": i.archivo, "fecha": i.fecha.isoformat(), "tamano": i.tamano, "sha256": i.sha256, "filas": i.filas}
        for i in snapshots.snapshot_write()
    ]
