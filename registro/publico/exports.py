"""The open-data files: "Proveedores Registrados" in datos.gov.co's 25 columns, the State entities,
and the OCDS parties, each as a stream of bytes read from a server-side cursor.

Each output is a `Plan`: the columns it writes, each naming a field of the visibility table. The
database writes each column's text (SQL expressions, with the fields a natural person may not show
emptied in SQL), so a row arrives as a tuple of text ready for csv or json: no model instances and
no Python per field, which is what makes a million rows a few seconds."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Expression,
    F,
    FilteredRelation,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from registro.entities.account.models import Entidad, TipoCuenta

from .visibility import CAMPOS, Nivel

ENTIDAD_ESTATAL = TipoCuenta.ENTIDAD_ESTATAL.value
ACTIVA = Entidad.Estado.ACTIVA.value
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


class IsoUtc(Func):
    """A timestamp as ISO 8601 text in UTC ("2026-01-31T13:05:00Z"), computed by the database."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        utc = Func(
            self.source_expressions[0], template="(%(expressions)s AT TIME ZONE 'UTC')", output_field=DateTimeField()
        )
        iso = Func(utc, Value('YYYY-MM-DD"T"HH24:MI:SS"Z"'), function="to_char", output_field=CharField())
        return compiler.compile(iso)

    def as_sqlite(self, compiler, connection, **extra_context):
        iso = Func(
            Value("%Y-%m-%dT%H:%M:%SZ"), self.source_expressions[0], function="strftime", output_field=CharField()
        )
        return compiler.compile(iso)


def _text(path: str):
    return Coalesce(F(path), Value(""), output_field=CharField())


def _as_text(path: str):
    return Coalesce(Cast(F(path), CharField()), Value(""), output_field=CharField())


def _si_no(condition: Q):
    return Case(When(condition, then=Value("Si")), default=Value("No"), output_field=CharField())


def _iso(path: str):
    return Coalesce(IsoUtc(F(path)), Value(""), output_field=CharField())


def _labels(path: str, choices) -> Case:
    return Case(
        *[When(**{path: c.value}, then=Value(str(c.label))) for c in choices],
        default=Value(""),
        output_field=CharField(),
    )


ES_ENTIDAD = Q(tipo_cuenta=ENTIDAD_ESTATAL)

# Field -> the SQL expression of its text. The database writes every value (the rows arrive as
# tuples of text, ready for csv and json), so a row costs no Python per field. Every field of the
# visibility table that a download writes is here.
VALORES: dict[str, Callable[[], Expression]] = {
    "codigo": lambda: Cast(F("id"), CharField()),
    "nombre": lambda: _text("nombre"),
    "nit": lambda: _text("nit"),
    "dv": lambda: _text("dv"),
    "tipo_cuenta": lambda: Case(
        When(ES_ENTIDAD & Q(es_proveedor=True), then=Value("entidad_estatal_proveedor")),
        When(ES_ENTIDAD, then=Value("entidad_estatal")),
        default=Value("proveedor"),
        output_field=CharField(),
    ),
    "es_entidad": lambda: _si_no(ES_ENTIDAD),
    "es_grupo": lambda: Value("No", output_field=CharField()),
    "esta_activa": lambda: _si_no(Q(estado=ACTIVA)),
    "estado": lambda: _labels("estado", Entidad.Estado),
    "fecha_creacion": lambda: _iso("created_at"),
    "fecha_activacion": lambda: _iso("activada_at"),
    "codigo_categoria_principal": lambda: _text("principal__codigo_id"),
    "descripcion_categoria_principal": lambda: _text("principal__codigo__nombre"),
    "telefono": lambda: _text("telefono"),
    "fax": lambda: Value("", output_field=CharField()),
    "correo": lambda: _text("correo_notificaciones"),
    "direccion": lambda: _text("perfil__direccion"),
    "pais": lambda: _text("pais"),
    "departamento": lambda: _text("departamento__nombre"),
    "codigo_departamento": lambda: _text("departamento_id"),
    "municipio": lambda: _text("municipio__nombre"),
    "codigo_municipio": lambda: _text("municipio_id"),
    "sitio_web": lambda: _text("perfil__sitio_web"),
    "tipo_empresa": lambda: Coalesce(
        NullIf(F("perfil__tipo_empresa__nombre"), Value("")),
        Case(When(ES_ENTIDAD, then=Value("Entidad Estatal")), default=Value(""), output_field=CharField()),
        output_field=CharField(),
    ),
    "nombre_representante_legal": lambda: _text("perfil__representante_nombre"),
    "tipo_doc_representante_legal": lambda: _text("perfil__representante_tipo_documento"),
    "n_mero_doc_representante_legal": lambda: _text("perfil__representante_numero_documento"),
    "telefono_representante_legal": lambda: _text("perfil__representante_telefono"),
    "correo_representante_legal": lambda: _text("perfil__representante_correo"),
    "espyme": lambda: _si_no(Q(perfil__es_mipyme=True)),
    "tamano": lambda: _text("perfil__tamano"),
    "ubicacion": lambda: Case(
        When(
            Q(municipio__longitud__isnull=False, municipio__latitud__isnull=False),
            then=Concat(
                Value("POINT ("),
                Cast(F("municipio__longitud"), CharField()),
                Value(" "),
                Cast(F("municipio__latitud"), CharField()),
                Value(")"),
                output_field=CharField(),
            ),
        ),
        default=Value(""),
        output_field=CharField(),
    ),
    "orden": lambda: _text("orden__valor"),
    "rama": lambda: _text("rama__valor"),
    "sector": lambda: _text("sector__valor"),
    "tipo_entidad": lambda: _text("tipo_entidad__valor"),
}

# A natural person (R9.1): the profile says so, or its type of organisation does.
PERSONA_NATURAL = Q(perfil__persona=NATURAL) | (Q(perfil__persona="") & Q(perfil__tipo_empresa__persona=NATURAL))
EMPTY = Value("", output_field=CharField())


class Plan:
    """An output's columns as (name, field) pairs: the query that writes each row's text at the
    viewer's level (the open data: PUBLICO). A field that only some accounts may show is emptied in
    SQL for the others (natural persons), as the visibility table says."""

    def __init__(self, columnas: Iterable[str | tuple[str, str]], nivel: Nivel = Nivel.PUBLICO):
        self.columnas = [(c, c) if isinstance(c, str) else c for c in columnas]
        self.header = [name for name, _campo in self.columnas]
        self.nivel = nivel
        self.count = 0  # rows written so far (the snapshot records it)

    def _expression(self, campo: str) -> Expression:
        c = CAMPOS[campo]
        organizacion, natural = c.visible(self.nivel, natural=False), c.visible(self.nivel, natural=True)
        if not (organizacion or natural):
            return EMPTY
        expression = VALORES[campo]()
        if organizacion and natural:
            return expression
        if organizacion:
            return Case(When(PERSONA_NATURAL, then=EMPTY), default=expression, output_field=CharField())
        return Case(When(PERSONA_NATURAL, then=expression), default=EMPTY, output_field=CharField())

    def queryset(self, qs: QuerySet[Entidad]) -> QuerySet:
        qs = qs.annotate(principal=FilteredRelation("areas_interes", condition=Q(areas_interes__principal=True)))
        names = {f"c{i}": self._expression(campo) for i, (_name, campo) in enumerate(self.columnas)}
        return qs.annotate(**names).values_list(*names)

    def rows(self, qs: QuerySet[Entidad]) -> Iterator[tuple[str, ...]]:
        for row in server_side(self.queryset(qs)):
            self.count += 1
            yield row

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
            # JIT compiles the whole plan before the first row (0.1-0.6 s measured on a million
            # rows) and buys nothing for a stream that is bound by the socket.
            cursor.execute("SET LOCAL jit = off")
        yield from qs.iterator(chunk_size=chunk_size)


BATCH_ROWS = 1000  # rows per chunk handed to the server: fewer, larger writes to the socket


def csv_stream(plan: Plan, qs: QuerySet[Entidad]) -> Iterator[bytes]:
    """The CSV (one header line, then a line per row, "\n" ends each): written by PostgreSQL's
    `COPY ... TO STDOUT` there, by `csv.writer` over the server-side cursor elsewhere. Both quote
    only the values that need it and write an empty value unquoted, so the bytes are the same."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(plan.header)
    yield buffer.getvalue().encode()  # the header before the query runs: the first byte is at once
    if connections[qs.db].vendor == "postgresql":
        yield from _copy_csv(plan, qs)
        return
    rows = plan.rows(qs)
    while batch := list(islice(rows, BATCH_ROWS)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue().encode()


def copy_sql(plan: Plan, qs: QuerySet[Entidad]) -> tuple[str, tuple]:
    """The plan's query as `COPY (...) TO STDOUT` in CSV. Empty text becomes NULL, which COPY
    writes unquoted (it would write an empty string as \"\"), as csv.writer writes ''."""
    sql, params = plan.queryset(qs).query.sql_with_params()
    columns = ", ".join(f"NULLIF(q.\"c{i}\", '')" for i in range(len(plan.columnas)))
    return f"COPY (SELECT {columns} FROM ({sql}) q) TO STDOUT WITH (FORMAT csv)", params  # noqa: S608 - the ORM's SQL; every value is a parameter


def _copy_csv(plan: Plan, qs: QuerySet[Entidad]) -> Iterator[bytes]:
    """COPY's rows straight to the response, BATCH_ROWS a chunk: no Python per field, nor per
    row beyond counting it (PostgreSQL sends each row as one message). In a read-only
    transaction, for one consistent snapshot; a client that goes away closes the generator, which
    rolls it back and ends the COPY."""
    sql, params = copy_sql(plan, qs)
    connection = connections[qs.db]
    with transaction.atomic(using=qs.db):
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("SET LOCAL jit = off")  # see server_side()
        raw = connection.connection  # psycopg 3
        with raw.cursor() as cursor, cursor.copy(sql, params) as copy:
            batch: list[bytes] = []
            for row in copy:
                batch.append(row)
                if len(batch) == BATCH_ROWS:
                    plan.count += BATCH_ROWS
                    yield b"".join(batch)
                    batch = []
            if batch:
                plan.count += len(batch)
                yield b"".join(batch)


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
