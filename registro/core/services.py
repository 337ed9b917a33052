"""Loading of the reference data shipped in registro/core/data/."""

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from .forms import reference_lists_forget
from .models import ClasificacionEntidad, CodigoUNSPSC, Departamento, Municipio, TipoEmpresa
from .text import search_key

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LoadResult:
    departamentos: int
    municipios: int
    clasificaciones_nuevas: int
    tipos_empresa_nuevos: int = 0
    codigos_unspsc: int = 0


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
    tipos = tipos_empresa_load()
    # Bulk writes send no signals: the lists the forms keep are read again once this commits.
    transaction.on_commit(reference_lists_forget)
    return LoadResult(
        departamentos=len(dptos),
        municipios=len(mpios),
        clasificaciones_nuevas=len(new),
        tipos_empresa_nuevos=tipos,
        codigos_unspsc=unspsc_load(),
    )


def tipos_empresa_load() -> int:
    """The supplier types of organisation: only added, so the desk's edits in admin survive."""
    existing = set(TipoEmpresa.objects.values_list("codigo", flat=True))
    new = [
        TipoEmpresa(
            codigo=row["codigo"].strip(),
            nombre=row["nombre"].strip(),
            persona=row["persona"].strip(),
            extranjera=row["extranjera"].strip() == "si",
            posicion=position,
        )
        for position, row in enumerate(_rows("tipos-empresa.csv"), start=1)
        if row["codigo"].strip() not in existing
    ]
    TipoEmpresa.objects.bulk_create(new)
    return len(new)


def unspsc_load(*, force: bool = False) -> int:
    """The UNSPSC classifier (53,316 codes), upserted in file order (parents first). Skipped when
    the table already holds as many codes as the file, unless forced: loading takes seconds and
    the classifier changes only with a new version of the file."""
    rows = _rows("unspsc-es.csv")
    if not force and CodigoUNSPSC.objects.count() == len(rows):
        return len(rows)
    codigos = [
        CodigoUNSPSC(
            codigo=row["codigo"],
            nivel=row["nivel"],
            nombre=row["nombre"],
            nombre_busqueda=search_key(row["nombre"]),
            prefijo=CodigoUNSPSC.prefix_of(row["codigo"], row["nivel"]),
            padre_id=row["padre"] or None,
        )
        for row in rows
    ]
    CodigoUNSPSC.objects.bulk_create(
        codigos,
        update_conflicts=True,
        unique_fields=["codigo"],
        update_fields=["nivel", "nombre", "nombre_busqueda", "prefijo", "padre"],
        batch_size=2000,
    )
    return len(codigos)
