"""The daily open-data snapshot: every download in full, gzip-compressed, written to the
`open_data` storage (disk or S3-compatible) and recorded with its size and SHA-256."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import tempfile
from collections.abc import Callable, Iterator

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.utils import timezone

from . import selectors
from .exports import Plan, csv_stream, entidades_plan, json_stream, partes_plan, proveedores_plan
from .models import Instantanea
from .ocds import parties_stream

A = Instantanea.Archivo
# Snapshots kept; older files and their records are removed by the next run.
KEEP_DAYS = 7

Maker = Callable[[Plan], Iterator[bytes]]
FILES: dict[str, tuple[Callable[[], Plan], Maker]] = {
    A.PROVEEDORES_CSV: (proveedores_plan, lambda plan: csv_stream(plan, selectors.proveedores())),
    A.PROVEEDORES_JSON: (proveedores_plan, lambda plan: json_stream(plan, selectors.proveedores())),
    A.ENTIDADES_CSV: (entidades_plan, lambda plan: csv_stream(plan, selectors.entidades())),
    A.ENTIDADES_JSON: (entidades_plan, lambda plan: json_stream(plan, selectors.entidades())),
    A.PARTIES_JSON: (partes_plan, lambda plan: parties_stream(selectors.partes(), plan)),
}


def open_data_storage() -> Storage:
    return storages["open_data"]


def _sha256(handle) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    for block in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(block)
    return digest.hexdigest()


def snapshot_write(*, fecha: datetime.date | None = None, storage: Storage | None = None) -> list[Instantanea]:
    """Writes today's snapshot of every file (replacing one written earlier the same day) and
    removes those older than KEEP_DAYS. A file is recorded only once it is stored; a failure leaves
    the previous snapshot as the one offered."""
    storage = storage or open_data_storage()
    fecha = fecha or timezone.localdate()
    written = []
    for archivo, (make_plan, make_stream) in FILES.items():
        plan = make_plan()
        name = f"{fecha:%Y-%m-%d}/{archivo}.gz"
        with tempfile.TemporaryFile() as tmp:
            # mtime=0 and no file name in the header: the same data gives the same bytes and SHA-256.
            with gzip.GzipFile(filename="", mode="wb", fileobj=tmp, mtime=0) as gz:
                for chunk in make_stream(plan):
                    gz.write(chunk)
            size = tmp.tell()
            sha256 = _sha256(tmp)
            tmp.seek(0)
            if storage.exists(name):
                storage.delete(name)
            stored = storage.save(name, File(tmp, name=name))
        with transaction.atomic():
            instantanea, _created = Instantanea.objects.update_or_create(
                archivo=archivo,
                fecha=fecha,
                defaults={"nombre": stored, "tamano": size, "sha256": sha256, "filas": plan.count},
            )
        written.append(instantanea)
    _prune(storage, before=fecha - datetime.timedelta(days=KEEP_DAYS - 1))
    return written


def _prune(storage: Storage, *, before: datetime.date) -> None:
    for old in Instantanea.objects.filter(fecha__lt=before):
        if storage.exists(old.nombre):
            storage.delete(old.nombre)
        old.delete()


def latest() -> list[Instantanea]:
    """The newest snapshot of each file, in the order of FILES."""
    found = {}
    for instantanea in Instantanea.objects.order_by("archivo", "-fecha"):
        found.setdefault(instantanea.archivo, instantanea)
    return [found[a] for a in FILES if a in found]


def latest_of(archivo: str) -> Instantanea | None:
    return Instantanea.objects.filter(archivo=archivo).order_by("-fecha").first()
