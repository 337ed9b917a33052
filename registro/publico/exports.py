"""The open-data files: "Proveedores Registrados" in datos.gov.co's 25 columns, the State entities,
and the OCDS parties, each as a stream of bytes read from a server-side cursor.

Each output is a `Plan`: the columns it writes, each naming a field of the visibility table. The plan
reads only the database columns it needs (`values_list`, no model instances) and decides once per
kind of person which columns stay empty, so a row costs a tuple and a list."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

from django.conf import settings
from django.db import connections, transaction
from django.db.models import FilteredRelation, Q, QuerySet

from registro.entities.account.models import Entidad, TamanoEmpresa, TipoCuenta

from .visibility import CAMPOS, Nivel

ENTIDAD_ESTATAL = TipoCuenta.ENTIDAD_ESTATAL.value
ACTIVA = Entidad.Estado.ACTIVA.value
ESTADO_LABELS = {e.value: str(e.label) for e in Entidad.Estado}
TAMANO_LABELS = {t.value: str(t.label) for t in TamanoEmpresa}
NATURAL = "natural"

# "Proveedores Registrados" (datos.gov.co qmzu-gj57, R10.1): the published API names, in order.
PROVEEDORES_COLUMNAS = (
    "codigo",
    "nombre",
    "nit",
    "es_entidad",
    "es_grupo",
    "esta_activa",
    "fecha_creacion",
    "codigo_categoria_principal",
    "descripcion_categoria_principal",
    "telefono",
    "fax",
    "correo",
    "direccion",
    "pais",
    "departamento",
    "municipio",
    "sitio_web",
    "tipo_empresa",
    "nombre_representante_legal",
    "tipo_doc_representante_legal",
    "n_mero_doc_representante_legal",
    "telefono_representante_legal",
    "correo_representante_legal",
    "espyme",
    "ubicacion",
)

# State entities: (column, field of the visibility table).
ENTIDADES_COLUMNAS = (
    ("codigo", "codigo"),
    ("nombre", "nombre"),
    ("nit", "nit"),
    ("digito_verificacion", "dv"),
    ("orden", "orden"),
    ("rama", "rama"),
    ("sector", "sector"),
    ("tipo_entidad", "tipo_entidad"),
    ("codigo_departamento", "codigo_departamento"),
    ("departamento", "departamento"),
    ("codigo_municipio", "codigo_municipio"),
    ("municipio", "municipio"),
    ("estado", "estado"),
    ("fecha_registro", "fecha_creacion"),
    ("fecha_activacion", "fecha_activacion"),
)

# What an OCDS party is built from (registro.publico.ocds).
PARTES_CAMPOS = (
    "codigo",
    "nombre",
    "nit",
    "tipo_cuenta",
    "direccion",
    "municipio",
    "departamento",
    "pais",
    "correo",
    "telefono",
    "sitio_web",
    "tamano",
    "espyme",
)


def _text(value) -> str:
    return "" if value is None else str(value)


def _si_no(value) -> str:
    return "Si" if value else "No"


def _iso(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def _point(longitud, latitud) -> str:
    if longitud is None or latitud is None:
        return ""
    return f"POINT ({longitud.normalize():f} {latitud.normalize():f})"


def _tipo_cuenta(tipo: str, es_proveedor: bool) -> str:
    if tipo == ENTIDAD_ESTATAL:
        return "entidad_estatal_proveedor" if es_proveedor else "entidad_estatal"
    return "proveedor"


# Field -> (database columns it reads, how they become its text). Every field of the visibility
# table that a download writes is here; the test of the table checks it.
VALORES: dict[str, tuple[tuple[str, ...], Callable[..., str]]] = {
    "codigo": (("id",), str),
    "nombre": (("nombre",), _text),
    "nit": (("nit",), _text),
    "dv": (("dv",), _text),
    "tipo_cuenta": (("tipo_cuenta", "es_proveedor"), _tipo_cuenta),
    "es_entidad": (("tipo_cuenta",), lambda t: _si_no(t == ENTIDAD_ESTATAL)),
    "es_grupo": ((), lambda: "No"),
    "esta_activa": (("estado",), lambda e: _si_no(e == ACTIVA)),
    "estado": (("estado",), lambda e: ESTADO_LABELS.get(e, "")),
    "fecha_creacion": (("created_at",), _iso),
    "fecha_activacion": (("activada_at",), _iso),
    "codigo_categoria_principal": (("principal__codigo_id",), _text),
    "descripcion_categoria_principal": (("principal__codigo__nombre",), _text),
    "telefono": (("telefono",), _text),
    "fax": ((), lambda: ""),
    "correo": (("correo_notificaciones",), _text),
    "direccion": (("perfil__direccion",), _text),
    "pais": (("pais",), _text),
    "departamento": (("departamento__nombre",), _text),
    "codigo_departamento": (("departamento_id",), _text),
    "municipio": (("municipio__nombre",), _text),
    "codigo_municipio": (("municipio_id",), _text),
    "sitio_web": (("perfil__sitio_web",), _text),
    "tipo_empresa": (
        ("perfil__tipo_empresa__nombre", "tipo_cuenta"),
        lambda nombre, tipo: nombre or ("Entidad Estatal" if tipo == ENTIDAD_ESTATAL else ""),
    ),
    "nombre_representante_legal": (("perfil__representante_nombre",), _text),
    "tipo_doc_representante_legal": (("perfil__representante_tipo_documento",), _text),
    "n_mero_doc_representante_legal": (("perfil__representante_numero_documento",), _text),
    "telefono_representante_legal": (("perfil__representante_telefono",), _text),
    "correo_representante_legal": (("perfil__representante_correo",), _text),
    "espyme": (("perfil__es_mipyme",), _si_no),
    "tamano": (("perfil__tamano",), _text),
    "ubicacion": (("municipio__longitud", "municipio__latitud"), _point),
    "orden": (("orden__valor",), _text),
    "rama": (("rama__valor",), _text),
    "sector": (("sector__valor",), _text),
    "tipo_entidad": (("tipo_entidad__valor",), _text),
}

# Read for every row: whether the account is a natural person decides which fields stay empty.
PERSONA = ("perfil__persona", "perfil__tipo_empresa__persona")


def _empty(row) -> str:
    return ""


class Plan:
    """An output's columns as (name, field) pairs, and what each row of it reads and writes at the
    viewer's level (the open data: PUBLICO)."""

    def __init__(self, columnas: Iterable[str | tuple[str, str]], nivel: Nivel = Nivel.PUBLICO):
        self.columnas = [(c, c) if isinstance(c, str) else c for c in columnas]
        self.header = [name for name, _campo in self.columnas]
        sources = list(PERSONA)
        for _name, campo in self.columnas:
            for source in VALORES[campo][0]:
                if source not in sources:
                    sources.append(source)
        self.sources = sources
        self.count = 0  # rows written so far (the snapshot records it)
        index = {s: i for i, s in enumerate(sources)}
        self.getters = {
            natural: [
                self._getter(campo, index) if CAMPOS[campo].visible(nivel, natural=natural) else _empty
                for _name, campo in self.columnas
            ]
            for natural in (False, True)
        }

    @staticmethod
    def _getter(campo: str, index: dict[str, int]) -> Callable:
        fuentes, fn = VALORES[campo]
        positions = [index[s] for s in fuentes]
        if not positions:
            return lambda row: fn()
        if len(positions) == 1:
            (i,) = positions
            return lambda row: fn(row[i])
        return lambda row: fn(*[row[i] for i in positions])

    def queryset(self, qs: QuerySet[Entidad]) -> QuerySet:
        if any(s.startswith("principal__") for s in self.sources):
            qs = qs.annotate(principal=FilteredRelation("areas_interes", condition=Q(areas_interes__principal=True)))
        return qs.values_list(*self.sources)

    def row(self, raw: tuple) -> list[str]:
        persona, persona_tipo = raw[0], raw[1]
        natural = persona == NATURAL or (not persona and persona_tipo == NATURAL)
        return [get(raw) for get in self.getters[natural]]

    def rows(self, qs: QuerySet[Entidad]) -> Iterator[list[str]]:
        row = self.row
        for raw in server_side(self.queryset(qs)):
            self.count += 1
            yield row(raw)

    def dicts(self, qs: QuerySet[Entidad]) -> Iterator[dict[str, str]]:
        header = self.header
        for values in self.rows(qs):
            yield dict(zip(header, values, strict=True))


def server_side(qs: QuerySet, chunk_size: int | None = None) -> Iterator[tuple]:
    """The queryset's rows from a server-side cursor, `chunk_size` per round trip. On PostgreSQL
    the cursor is opened inside a read-only transaction: in autocommit Django declares it WITH
    HOLD, and PostgreSQL then computes the whole result before the first row (ADR 0015). SQLite's
    cursor steps through the statement as it is read; no transaction there, so no lock."""
    chunk_size = chunk_size or settings.OPEN_DATA_CHUNK_SIZE
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        yield from qs.iterator(chunk_size=chunk_size)
        return
    with transaction.atomic(using=qs.db):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
        yield from qs.iterator(chunk_size=chunk_size)


BATCH_ROWS = 500  # rows per chunk handed to the server: fewer, larger writes to the socket


def csv_stream(plan: Plan, qs: QuerySet[Entidad]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(plan.header)
    yield buffer.getvalue().encode()  # the header before the query runs: the first byte is at once
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for values in plan.rows(qs):
        writer.writerow(values)
        count += 1
        if count == BATCH_ROWS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            count = 0
    if count:
        yield buffer.getvalue().encode()


def json_array_stream(objects: Iterable[dict], *, head: bytes = b"[", tail: bytes = b"]\n") -> Iterator[bytes]:
    """A JSON array, one object a line, without holding more than a batch."""
    yield head + b"\n"
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    parts: list[str] = []
    first = True
    for obj in objects:
        parts.append(dumps(obj) if first else "," + dumps(obj))
        first = False
        if len(parts) == BATCH_ROWS:
            parts.append("")
            yield "\n".join(parts).encode()
            parts = []
    if parts:
        parts.append("")
        yield "\n".join(parts).encode()
    yield tail


def json_stream(plan: Plan, qs: QuerySet[Entidad]) -> Iterator[bytes]:
    return json_array_stream(plan.dicts(qs))


def proveedores_plan() -> Plan:
    return Plan(PROVEEDORES_COLUMNAS)


def entidades_plan() -> Plan:
    return Plan(ENTIDADES_COLUMNAS)


def partes_plan() -> Plan:
    return Plan(PARTES_CAMPOS)
