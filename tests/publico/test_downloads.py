"""The open-data downloads: datos.gov.co's 25 columns, CSV and JSON agreeing, the filters, and real
streaming from a server-side cursor."""

import csv
import datetime
import io
import json

import pytest
from django.conf import settings
from django.db import connection
from django.db.models.query import QuerySet
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from registro.entities.account.models import EventoEntidad, PerfilComercial
from registro.entities.account.workflow import event_record
from registro.publico import exports, selectors
from tests.publico.conftest import area, hace

pytestmark = pytest.mark.django_db

QMZU_GJ57 = [
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
]


def body(response) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def csv_rows(path, **params):
    response = Client().get(path, params)
    assert response.status_code == 200, response.content if not response.streaming else ""
    return list(csv.DictReader(io.StringIO(body(response).decode())))


def json_rows(path, **params):
    response = Client().get(path, params)
    assert response.status_code == 200
    return json.loads(body(response))


def test_the_csv_header_is_the_25_published_names_in_order(mundo):
    response = Client().get("/datos/proveedores.csv")
    first_line = body(response).decode().splitlines()[0]
    assert first_line.split(",") == QMZU_GJ57
    assert list(exports.PROVEEDORES_COLUMNAS) == QMZU_GJ57
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="proveedores.csv"' == response["Content-Disposition"]
    assert "public" in response["Cache-Control"]


def test_json_and_csv_rows_agree_and_hold_every_public_supplier(mundo):
    as_csv = csv_rows("/datos/proveedores.csv")
    as_json = json_rows("/datos/proveedores.json")
    assert as_csv == as_json
    assert all(list(row) == QMZU_GJ57 for row in as_json)
    assert [int(r["codigo"]) for r in as_json] == sorted(e.pk for e in mundo.proveedores)


def test_the_rows_say_what_the_accounts_are(mundo):
    rows = {int(r["codigo"]): r for r in json_rows("/datos/proveedores.json")}
    empresa = rows[mundo.empresa.pk]
    assert empresa["nit"] == mundo.empresa.nit
    assert empresa["es_entidad"] == "No" and empresa["es_grupo"] == "No" and empresa["esta_activa"] == "Si"
    assert empresa["codigo_categoria_principal"] == "43210000"
    assert empresa["descripcion_categoria_principal"].startswith("Equipo informático")
    assert empresa["departamento"] == "BOGOTÁ, D.C." or empresa["departamento"].upper().startswith("BOGOT")
    assert empresa["tipo_empresa"] == "Sociedad por Acciones Simplificada"
    assert empresa["nombre_representante_legal"] == "Carlos Andrés Rojas"
    assert empresa["espyme"] == "Si" and empresa["sitio_web"] == "https://andinas.com.co"
    assert empresa["ubicacion"].startswith("POINT (-74.")
    assert empresa["fecha_creacion"].endswith("Z")
    # Never published: the representative's document number, personal phone and e-mail.
    assert empresa["n_mero_doc_representante_legal"] == ""
    assert empresa["telefono_representante_legal"] == "" and empresa["correo_representante_legal"] == ""
    assert empresa["fax"] == ""
    hospital = rows[mundo.hospital.pk]
    assert hospital["es_entidad"] == "Si" and hospital["tipo_empresa"] == "Entidad Estatal"
    assert rows[mundo.suspendida.pk]["esta_activa"] == "No"
    persona = rows[mundo.persona.pk]
    assert persona["nombre"] == "JUANA MARIA OSORIO PELAEZ"
    assert persona["nit"] == persona["telefono"] == persona["correo"] == persona["direccion"] == ""
    assert persona["municipio"] and persona["espyme"] == "Si"


def test_pending_rejected_and_corrected_registrations_are_never_downloaded(mundo):
    everything = b"".join(
        body(Client().get(path))
        for path in ("/datos/proveedores.csv", "/datos/entidades.json", "/datos/ocds/parties.json")
    ).decode()
    for entidad in mundo.no_publicas:
        assert entidad.nombre not in everything


def test_entities_download(mundo):
    rows = json_rows("/datos/entidades.json")
    assert [int(r["codigo"]) for r in rows] == sorted([mundo.alcaldia.pk, mundo.hospital.pk])
    alcaldia = rows[0] if int(rows[0]["codigo"]) == mundo.alcaldia.pk else rows[1]
    assert list(alcaldia) == [name for name, _ in exports.ENTIDADES_COLUMNAS]
    assert alcaldia["orden"] == mundo.alcaldia.orden.valor and alcaldia["rama"] == mundo.alcaldia.rama.valor
    assert alcaldia["codigo_departamento"] == "05" and alcaldia["codigo_municipio"] == "05001"
    assert alcaldia["estado"] == "Activa" and alcaldia["fecha_activacion"] and alcaldia["fecha_registro"]
    assert csv_rows("/datos/entidades.csv") == rows


def codes(path, **params):
    rows = csv_rows(path, **params) if path.endswith(".csv") else json_rows(path, **params)
    return sorted(int(r["codigo"]) for r in rows)


def test_filters_by_department_unspsc_prefix_and_kind(mundo):
    assert codes("/datos/proveedores.json", departamento="76") == [mundo.persona.pk]
    assert codes("/datos/proveedores.json", unspsc="43") == [mundo.empresa.pk]
    assert codes("/datos/proveedores.json", unspsc="8111") == [mundo.empresa.pk]
    assert codes("/datos/proveedores.json", unspsc="85") == [mundo.hospital.pk]
    assert codes("/datos/entidades.json", unspsc="43") == [mundo.alcaldia.pk]
    assert codes("/datos/proveedores.json", tipo="entidad_estatal") == [mundo.hospital.pk]
    combined = codes("/datos/proveedores.json", departamento="11", unspsc="43", tipo="proveedor")
    assert combined == [mundo.empresa.pk]


def test_parties_filter_by_kind(mundo):
    parties = json_rows("/datos/ocds/parties.json", tipo="entidad_estatal")["parties"]
    assert sorted(p["name"] for p in parties) == sorted([mundo.alcaldia.nombre, mundo.hospital.nombre])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"departamento": "Antioquia"}, "departamento"),
        ({"unspsc": "4"}, "unspsc"),
        ({"unspsc": "43x"}, "unspsc"),
        ({"tipo": "persona"}, "tipo"),
        ({"modificado_desde": "ayer"}, "modificado_desde"),
        ({"modificado_desde": "2026-02-30"}, "modificado_desde"),
    ],
)
def test_a_bad_filter_is_a_clear_400(mundo, params, message):
    for path in ("/datos/proveedores.csv", "/datos/entidades.json", "/datos/ocds/parties.json"):
        response = Client().get(path, params)
        assert response.status_code == 400
        assert f"«{message}»" in response.content.decode()


def test_modificado_desde_returns_exactly_the_changed_rows(mundo):
    old = hace(days=30)
    for entidad in mundo.publicas:
        type(entidad).objects.filter(pk=entidad.pk).update(created_at=old, activada_at=old)
        EventoEntidad.objects.filter(entidad=entidad).update(created_at=old)
        entidad.areas_interes.update(created_at=old)
    PerfilComercial.objects.update(updated_at=old)
    since = hace(days=1)
    assert codes("/datos/proveedores.json", modificado_desde=since.isoformat()) == []

    # The profile saved, a suspension, a new area of interest: each makes its account changed.
    PerfilComercial.objects.get(entidad=mundo.empresa).save()
    event_record(entidad=mundo.suspendida, tipo=EventoEntidad.Tipo.REACTIVADA)
    area(mundo.hospital, "42000000")
    # Events that change no public field do not count.
    event_record(entidad=mundo.persona, tipo=EventoEntidad.Tipo.ACCESO_SOLICITADO)
    changed = sorted([mundo.empresa.pk, mundo.suspendida.pk, mundo.hospital.pk])
    assert codes("/datos/proveedores.json", modificado_desde=since.isoformat()) == changed
    assert codes("/datos/proveedores.csv", modificado_desde=timezone.localdate().isoformat()) == changed
    assert codes("/datos/entidades.json", modificado_desde=since.isoformat()) == [mundo.hospital.pk]
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    assert codes("/datos/proveedores.json", modificado_desde=future) == []


def test_downloads_stream_from_the_cursor(mundo, monkeypatch):
    """The response is a stream, the rows come from QuerySet.iterator (a server-side cursor on
    PostgreSQL) and nothing is read before the body is."""
    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    for path in (
        "/datos/proveedores.csv",
        "/datos/proveedores.json",
        "/datos/entidades.csv",
        "/datos/ocds/parties.json",
    ):
        calls.clear()
        response = Client().get(path)
        assert isinstance(response, StreamingHttpResponse)
        assert calls == []  # the query has not run: the view only built the stream
        chunks = iter(response.streaming_content)
        next(chunks)  # the header goes out before the query runs
        rest = list(chunks)
        copied = path.endswith(".csv") and connection.vendor == "postgresql"  # COPY instead
        assert calls == ([] if copied else [settings.OPEN_DATA_CHUNK_SIZE]) and rest


@pytest.mark.postgres_only
def test_on_postgresql_the_csv_is_written_by_copy_in_a_read_only_transaction(mundo):
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    plan = exports.proveedores_plan()
    sql, _params = exports.copy_sql(plan, selectors.proveedores())
    assert sql.startswith("COPY (SELECT") and sql.endswith("TO STDOUT WITH (FORMAT csv)")
    with connection.execute_wrapper(record):
        chunks = list(exports.csv_stream(plan, selectors.proveedores()))
    assert "SET TRANSACTION READ ONLY" in statements and plan.count == 4
    assert b"".join(chunks).count(b"\n") == 1 + 4


def test_the_csv_quotes_only_what_needs_it_and_leaves_empty_values_bare(mundo):
    PerfilComercial.objects.filter(entidad=mundo.empresa).update(direccion='Calle 1, "Torre" B')
    text = b"".join(exports.csv_stream(exports.proveedores_plan(), selectors.proveedores())).decode()
    assert "\r" not in text
    line = next(line for line in text.splitlines() if line.startswith(f"{mundo.empresa.pk},"))
    assert ',"Calle 1, ""Torre"" B",' in line
    assert ",," in line and '""' not in line.replace('""Torre""', "")  # fax: empty, not ""


def test_the_stream_yields_in_batches(mundo, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_ROWS", 2)
    chunks = list(exports.csv_stream(exports.proveedores_plan(), selectors.proveedores()))
    assert len(chunks) == 1 + 2  # header, then 4 rows in batches of 2
    assert chunks[1].count(b"\n") == 2


@pytest.mark.postgres_only
def test_on_postgresql_the_cursor_is_a_named_server_side_cursor_without_hold(mundo, django_db_blocker):
    """In autocommit Django would declare the cursor WITH HOLD, which makes PostgreSQL compute the
    whole result first: the download opens it in a read-only transaction instead."""
    from django.db import connection

    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        rows = list(exports.proveedores_plan().rows(selectors.proveedores()))
    assert len(rows) == 4
    assert "SET TRANSACTION READ ONLY" in statements
    cursor_class = type(connection.create_cursor(name="probe")).__name__
    assert "Server" in cursor_class or "Named" in cursor_class
