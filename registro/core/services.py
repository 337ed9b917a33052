"""Loading of the reference data shipped in registro/core/data/."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .models import ClasificacionEntidad, Departamento, Municipio

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadResult:
    departamentos: int
    municipios: int
    clasificaciones_nuevas: int


def _decimal(value: str) -> Decimal | None:
    value = (value or "").strip().replace(",", ".")
    return Decimal(value) if value else None


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def reference_data_load() -> LoadResult:
    """Idempotent: DIVIPOLA rows are upserted; classification values are only added, so edits
    made by the service desk (deactivating or reordering a value) survive a reload."""
    dptos = [
        Departamento(
            codigo=row["codigo_departamento"].zfill(2),
            nombre=row["nombre_departamento"].strip(),
            longitud=_decimal(row["longitud"]),
            latitud=_decimal(row["latitud"]),
        )
        for row in _rows("divipola_departamentos.csv")
    ]
    Departamento.objects.bulk_create(
        dptos, update_conflicts=True, unique_fields=["codigo"], update_fields=["nombre", "longitud", "latitud"]
    )
    mpios = [
        Municipio(
            codigo=row["cod_mpio"].zfill(5),
            departamento_id=row["cod_dpto"].zfill(2),
            nombre=row["municipio"].strip(),
            tipo=row["tipo"].strip(),
            longitud=_decimal(row["lon"]),
            latitud=_decimal(row["lat"]),
        )
        for row in _rows("divipola.csv")
    ]
    Municipio.objects.bulk_create(
        mpios,
        update_conflicts=True,
        unique_fields=["codigo"],
        update_fields=["departamento", "nombre", "tipo", "longitud", "latitud"],
        batch_size=500,
    )
    existing = set(ClasificacionEntidad.objects.values_list("campo", "valor"))
    new = []
    positions: dict[str, int] = {}
    for row in _rows("clasificacion-entidades.csv"):
        campo, valor = row["campo"].strip(), row["valor"].strip()
        positions[campo] = positions.get(campo, 0) + 1
        if (campo, valor) not in existing:
            new.append(ClasificacionEntidad(campo=campo, valor=valor, posicion=positions[campo]))
    ClasificacionEntidad.objects.bulk_create(new)
    return LoadResult(departamentos=len(dptos), municipios=len(mpios), clasificaciones_nuevas=len(new))
