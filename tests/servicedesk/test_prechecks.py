import hashlib
import io
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from registro.core.text import search_key
from registro.entities.account.models import AreaNegocio, Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import Documento
from registro.servicedesk import prechecks
from registro.servicedesk.prechecks import (
    FAIL,
    NOT_APPLICABLE,
    OK,
    WARNING,
    Precheck,
    name_in_text,
    name_similarity,
    number_in_text,
    pdf_text,
    prechecks_for,
    search_fragments,
)
from tests.entities.conftest import text_pdf
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

BOGOTA = ZoneInfo("America/Bogota")
TODAY = date(2026, 3, 2)
UPLOADED = datetime(2026, 2, 20, 10, 0, tzinfo=BOGOTA)


def blank_pdf() -> bytes:
    """What a scanned document looks like to a text extractor: pages without text."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_document(entidad, tipo, content: bytes, *, name="documento.pdf", subido_en=UPLOADED, **extra) -> Documento:
    return Documento.objects.create(
        entidad=entidad,
        tipo=tipo,
        archivo=ContentFile(content, name=name),
        nombre_original=name,
        tamano=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="application/pdf" if content.startswith(b"%PDF") else "application/octet-stream",
        subido_en=subido_en,
        vigente=True,
        **extra,
    )


def by_code(entidad, **kwargs) -> dict[str, Precheck]:
    return {p.code: p for p in prechecks_for(entidad, today=TODAY, **kwargs)}


@pytest.fixture
def entidad(db):
    return EntidadFactory(nombre="ALCALDIA MUNICIPAL DE MEDELLIN", nit="890905211", dv="1")


@pytest.fixture
def admin(entidad):
    usuario = UserFactory(first_name="José Ignacio", last_name="Núñez Peña", document_number="1020304050")
    MembresiaFactory(usuario=usuario, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
    return usuario


# --- the whole list ---------------------------------------------------------------------------


def test_prechecks_come_in_order_with_spanish_labels(entidad):
    result = prechecks_for(entidad, today=TODAY)

    assert [p.code for p in result] == [
        "nit_dv",
        "certificado_vigencia",
        "autorizacion_administrador",
        "rut_nit",
        "nombres_similares",
    ]
    assert result[0].label == "Dígito de verificación del NIT"
    assert all(p.status in {OK, WARNING, FAIL, NOT_APPLICABLE} for p in result)
    assert all(p.message and isinstance(p.detail, dict) for p in result)


# --- 1. nit_dv --------------------------------------------------------------------------------


def test_nit_dv_ok(entidad):
    check = by_code(entidad)["nit_dv"]

    assert check.status == OK
    assert check.detail == {"nit": "890905211", "dv_registrado": "1", "dv_calculado": "1"}


def test_nit_dv_fail_names_both_digits(entidad):
    Entidad.objects.filter(pk=entidad.pk).update(dv="7")
    entidad.refresh_from_db()

    check = by_code(entidad)["nit_dv"]

    assert check.status == FAIL
    assert "7" in check.message and "calculado es 1" in check.message
    assert check.detail["dv_registrado"] == "7"


def test_nit_dv_fail_when_missing(entidad):
    Entidad.objects.filter(pk=entidad.pk).update(dv="")
    entidad.refresh_from_db()

    check = by_code(entidad)["nit_dv"]

    assert check.status == FAIL
    assert "no tiene dígito" in check.message


# --- 2. certificado_vigencia ------------------------------------------------------------------


def test_certificado_not_applicable_for_publico(entidad):
    check = by_code(entidad)["certificado_vigencia"]

    assert check.status == NOT_APPLICABLE


@pytest.fixture
def entidad_mixta(entidad):
    entidad.area_negocio = AreaNegocio.PUBLICO_PRIVADO
    entidad.save()
    return entidad


def test_certificado_fail_when_missing(entidad_mixta):
    check = by_code(entidad_mixta)["certificado_vigencia"]

    assert check.status == FAIL
    assert "no adjuntó" in check.message


def test_certificado_fail_without_fecha_expedicion(entidad_mixta):
    add_document(entidad_mixta, Documento.Tipo.CERTIFICADO_EXISTENCIA, blank_pdf())

    check = by_code(entidad_mixta)["certificado_vigencia"]

    assert check.status == FAIL
    assert "fecha de expedición" in check.message


def test_certificado_ok_on_the_90th_day_in_local_time(entidad_mixta):
    # 23:30 in Bogotá is already the next day in UTC: the local date counts.
    subido = datetime(2026, 1, 10, 23, 30, tzinfo=BOGOTA)
    add_document(
        entidad_mixta,
        Documento.Tipo.CERTIFICADO_EXISTENCIA,
        blank_pdf(),
        subido_en=subido,
        fecha_expedicion=date(2025, 10, 12),
    )

    check = by_code(entidad_mixta)["certificado_vigencia"]

    assert check.status == OK, check.message
    assert check.detail["dias_al_cargar"] == 90
    assert check.detail["fecha_carga"] == "2026-01-10"
    assert check.detail["dias_hoy"] == (TODAY - date(2025, 10, 12)).days
    assert "90 días" in check.message and "hoy tiene 141 días" in check.message


def test_certificado_fail_when_older_than_90_days_at_upload(entidad_mixta):
    add_document(
        entidad_mixta,
        Documento.Tipo.CERTIFICADO_EXISTENCIA,
        blank_pdf(),
        fecha_expedicion=date(2025, 11, 1),
    )

    check = by_code(entidad_mixta)["certificado_vigencia"]

    assert check.status == FAIL
    assert check.detail["dias_al_cargar"] == 111
    assert "111 días" in check.message and "más de los 90" in check.message


def test_certificado_only_the_current_version_counts(entidad_mixta):
    old = add_document(
        entidad_mixta, Documento.Tipo.CERTIFICADO_EXISTENCIA, blank_pdf(), fecha_expedicion=date(2025, 1, 1)
    )
    Documento.objects.filter(pk=old.pk).update(vigente=False)
    add_document(
        entidad_mixta,
        Documento.Tipo.CERTIFICADO_EXISTENCIA,
        blank_pdf(),
        fecha_expedicion=date(2026, 2, 1),
        version=2,
    )

    assert by_code(entidad_mixta)["certificado_vigencia"].status == OK


def test_certificado_fail_when_issued_after_upload(entidad_mixta):
    add_document(entidad_mixta, Documento.Tipo.CERTIFICADO_EXISTENCIA, blank_pdf(), fecha_expedicion=date(2026, 2, 25))

    check = by_code(entidad_mixta)["certificado_vigencia"]

    assert check.status == FAIL
    assert "posterior" in check.message


# --- 3. autorizacion_administrador ------------------------------------------------------------


def test_autorizacion_fail_when_missing(entidad, admin):
    check = by_code(entidad)["autorizacion_administrador"]

    assert check.status == FAIL
    assert "no adjuntó" in check.message


def test_autorizacion_warning_for_a_scanned_pdf(entidad, admin):
    add_document(entidad, Documento.Tipo.AUTORIZACION_ADMINISTRADOR, blank_pdf())

    check = by_code(entidad)["autorizacion_administrador"]

    assert check.status == WARNING
    assert "a simple vista" in check.message


def test_autorizacion_ok_with_case_accents_line_breaks_and_dotted_number(entidad, admin):
    # A second administrator, written surname first; a Comprador and a former administrator
    # are not looked for.
    otra = UserFactory(first_name="María", last_name="Ángel", document_number="52345678")
    MembresiaFactory(usuario=otra, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
    MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    MembresiaFactory(entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR, activa=False)
    add_document(
        entidad,
        Documento.Tipo.AUTORIZACION_ADMINISTRADOR,
        text_pdf(
            "El Alcalde autoriza como Usuarios Administradores a JOSE IGNACIO",
            "nunez   PEÑA, identificado con C.C. 1.020.304.050, y a",
            "ANGEL MARIA, cédula de ciudadanía No. 52'345.678 de Bogotá.",
        ),
    )

    check = by_code(entidad)["autorizacion_administrador"]

    assert check.status == OK, check.message
    assert "José Ignacio Núñez Peña" in check.message and "María Ángel" in check.message
    assert [a["usuario_id"] for a in check.detail["administradores"]] == [admin.pk, otra.pk]


def test_autorizacion_fail_lists_the_name_not_found(entidad, admin):
    add_document(
        entidad,
        Documento.Tipo.AUTORIZACION_ADMINISTRADOR,
        text_pdf("Se autoriza a PEDRO PEREZ, identificado con cedula 1020304050, como administrador."),
    )

    check = by_code(entidad)["autorizacion_administrador"]

    assert check.status == FAIL
    assert "«José Ignacio Núñez Peña»" in check.message
    assert "1020304050" not in check.message  # the number was found
    assert check.detail["administradores"][0] == {
        "usuario_id": admin.pk,
        "nombre": "José Ignacio Núñez Peña",
        "numero_documento": "1020304050",
        "nombre_encontrado": False,
        "documento_encontrado": True,
    }


def test_autorizacion_fail_when_the_number_differs(entidad, admin):
    add_document(
        entidad,
        Documento.Tipo.AUTORIZACION_ADMINISTRADOR,
        text_pdf("Se autoriza a Jose Ignacio Nunez Pena, identificado con cedula 10.203.040.501."),
    )

    check = by_code(entidad)["autorizacion_administrador"]

    assert check.status == FAIL
    assert "número de documento 1020304050 de José Ignacio Núñez Peña" in check.message
    assert check.detail["faltantes"] == ["el número de documento 1020304050 de José Ignacio Núñez Peña"]


def test_autorizacion_warning_without_active_administrators(entidad):
    add_document(
        entidad, Documento.Tipo.AUTORIZACION_ADMINISTRADOR, text_pdf("Autorizacion del usuario administrador.")
    )

    assert by_code(entidad)["autorizacion_administrador"].status == WARNING


# --- 4. rut_nit -------------------------------------------------------------------------------


def test_rut_ok_with_the_nit_in_boxes(entidad):
    add_document(
        entidad,
        Documento.Tipo.RUT,
        text_pdf(
            "Formulario del Registro Unico Tributario",
            "5. Numero de Identificacion Tributaria (NIT) 6. DV",
            "8 9 0 9 0 5 2 1 1 1",
            "MUNICIPIO DE MEDELLIN",
        ),
    )

    check = by_code(entidad)["rut_nit"]

    assert check.status == OK, check.message
    assert check.detail["texto_encontrado"] == "8 9 0 9 0 5 2 1 1 1"


def test_rut_ok_with_dots_and_dash(entidad):
    add_document(
        entidad, Documento.Tipo.RUT, text_pdf("Registro Unico Tributario - NIT 890.905.211-1 MUNICIPIO DE MEDELLIN")
    )

    assert by_code(entidad)["rut_nit"].status == OK


def test_rut_fail_when_the_nit_is_another(entidad):
    add_document(
        entidad, Documento.Tipo.RUT, text_pdf("Registro Unico Tributario NIT 8909052119 MUNICIPIO DE MEDELLIN")
    )

    check = by_code(entidad)["rut_nit"]

    assert check.status == FAIL
    assert "No se encontró el NIT 890905211" in check.message


def test_rut_fail_when_missing(entidad):
    check = by_code(entidad)["rut_nit"]

    assert check.status == FAIL
    assert "RUT" in check.message


def test_rut_warning_when_the_file_is_an_image(entidad):
    add_document(entidad, Documento.Tipo.RUT, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="rut.png")

    check = by_code(entidad)["rut_nit"]

    assert check.status == WARNING
    assert "890905211" in check.message


# --- 5. nombres_similares ---------------------------------------------------------------------


def test_nombres_similares_finds_a_possible_duplicate_and_not_unrelated_names(db):
    entidad = EntidadFactory(nombre="ALCALDÍA MUNICIPAL DE SANTA ROSA DE OSOS")
    duplicada = EntidadFactory(nombre="Alcaldía de Santa Rosa de Osos", estado=Entidad.Estado.ACTIVA)
    EntidadFactory(nombre="ALCALDIA MUNICIPAL DE SANTA BARBARA")
    EntidadFactory(nombre="ALCALDIA MUNICIPAL DE SANTA ROSA DE CABAL")
    EntidadFactory(nombre="CONCEJO MUNICIPAL DE SANTA ROSA DE OSOS")
    EntidadFactory(nombre="GOBERNACION DE ANTIOQUIA")

    check = by_code(entidad)["nombres_similares"]

    assert check.status == WARNING
    assert [s["id"] for s in check.detail["similares"]] == [duplicada.pk]
    similar = check.detail["similares"][0]
    assert similar["nombre"] == "Alcaldía de Santa Rosa de Osos"
    assert similar["nit"] == duplicada.nit
    assert similar["ratio"] == 1.0
    assert "Alcaldía de Santa Rosa de Osos" in check.message and duplicada.nit in check.message


def test_nombres_similares_ok_when_none(entidad):
    EntidadFactory(nombre="ALCALDIA MUNICIPAL DE BELLO")
    EntidadFactory(nombre="EMPRESAS PUBLICAS DE MEDELLIN")

    check = by_code(entidad)["nombres_similares"]

    assert check.status == OK
    assert check.detail == {"similares": []}


def test_nombres_similares_tolerates_a_typo_in_a_single_word_name(entidad):
    typo = EntidadFactory(nombre="MUNICIPIO DE MEDELIN")

    check = by_code(entidad)["nombres_similares"]

    assert [s["id"] for s in check.detail["similares"]] == [typo.pk]
    assert check.detail["similares"][0]["ratio"] >= 0.9


def test_nombres_similares_ranks_candidates_by_words_held_before_the_cap(db, monkeypatch):
    monkeypatch.setattr(prechecks.similar, "SIMILAR_CANDIDATES", 20)
    entidad = EntidadFactory(nombre="ALCALDIA MUNICIPAL DE SANTA ROSA DE OSOS")
    noise = [
        Entidad(
            nombre=f"INSTITUCION EDUCATIVA LA ROSA {n}",
            nombre_busqueda=f"INSTITUCION EDUCATIVA LA ROSA {n}",
            nit=str(700000000 + n),
        )
        for n in range(40)
    ]
    Entidad.objects.bulk_create(noise)
    duplicada = EntidadFactory(nombre="MUNICIPIO DE SANTA ROSA DE OSOS")

    similares = by_code(entidad)["nombres_similares"].detail["similares"]

    assert [s["id"] for s in similares] == [duplicada.pk]


def test_nombres_similares_reports_at_most_ten_best_first(db):
    entidad = EntidadFactory(nombre="HOSPITAL SAN JUAN DE DIOS")
    exacts = [EntidadFactory(nombre="E.S.E. HOSPITAL SAN JUAN DE DIOS") for _ in range(11)]
    cercana = EntidadFactory(nombre="HOSPITAL SAN JUAN DE DIOS Y SAN RAFAEL")

    similares = by_code(entidad)["nombres_similares"].detail["similares"]

    assert len(similares) == 10
    assert {s["id"] for s in similares} <= {e.pk for e in exacts}
    assert cercana.pk not in {s["id"] for s in similares}
    assert all(s["ratio"] == 1.0 for s in similares)


# --- helpers ----------------------------------------------------------------------------------


def test_name_in_text_ignores_case_accents_spaces_and_line_breaks():
    assert name_in_text("José Ignacio Núñez Peña", "a JOSE  ignacio\nNUÑEZ\n\npena, con")
    assert name_in_text("Ana María Pérez", "ANA MARIA PEREZ")
    assert not name_in_text("Ana María Pérez", "ANA MARIA PEREZA")  # whole words only
    assert not name_in_text("", "cualquier texto")


def test_number_in_text_variants():
    assert number_in_text("1020304050", "C.C. 1.020.304.050 de Bogota") == "1 020 304 050"
    assert number_in_text("1020304050", "CC1020304050") == "1020304050"
    assert number_in_text("890905211", "NIT 8 9 0 9 0 5 2 1 1") == "8 9 0 9 0 5 2 1 1"
    assert number_in_text("890905211", "NIT 890905211-1", suffix="1") == "890905211 1"
    assert number_in_text("890905211", "NIT 8909052111", suffix="1") == "8909052111"
    assert number_in_text("890905211", "NIT 8909052113", suffix="1") is None
    assert number_in_text("1020304050", "cuenta 91020304050") is None
    assert number_in_text("1020304050", "10203040 50") == "10203040 50"
    assert number_in_text("AB123456", "pasaporte ab-123.456") == "AB 123 456"


def test_similarity_rules():
    assert (
        name_similarity(search_key("Alcaldía Municipal de Santa Rosa de Osos"), "MUNICIPIO DE SANTA ROSA DE OSOS")
        == 1.0
    )
    assert name_similarity("ALCALDIA MUNICIPAL DE SAN PEDRO", "ALCALDIA MUNICIPAL DE SAN PABLO") < 0.75
    assert name_similarity("NOTARIA 1 DE MEDELLIN", "NOTARIA 2 DE MEDELLIN") == 0.0
    assert name_similarity("ALCALDIA DE MEDELLIN", "CONCEJO DE MEDELLIN") == 0.0
    assert search_fragments("ALCALDIA MUNICIPAL DE SANTA ROSA DE OSOS") == ["ROSA", "OSOS"]
    assert search_fragments("CONCEJO MUNICIPAL") == ["MUNICIPAL", "CONCEJO"]  # fallback: longest first


# --- pdf_text ---------------------------------------------------------------------------------


def test_pdf_text_reads_accented_text(entidad):
    documento = add_document(entidad, Documento.Tipo.RUT, text_pdf("Autorización de JOSÉ NÚÑEZ"))

    assert "Autorización de JOSÉ NÚÑEZ" in pdf_text(documento)


def test_pdf_text_never_raises(entidad):
    broken = add_document(entidad, Documento.Tipo.RUT, b"%PDF-1.7\n garbage without xref", name="roto.pdf")
    not_pdf = add_document(entidad, Documento.Tipo.ACTO_ESTRUCTURA, b"PK\x03\x04 a docx maybe", name="acto.docx")
    gone = add_document(entidad, Documento.Tipo.AUTORIZACION_ADMINISTRADOR, text_pdf("hola"))
    gone.archivo.storage.delete(gone.archivo.name)

    assert pdf_text(broken) == ""
    assert pdf_text(not_pdf) == ""
    assert pdf_text(gone) == ""


def test_pdf_text_stops_at_max_pages(entidad):
    writer = PdfWriter()
    for line in ("PAGINA UNO", "PAGINA DOS"):
        writer.append(io.BytesIO(text_pdf(line)))
    out = io.BytesIO()
    writer.write(out)
    documento = add_document(entidad, Documento.Tipo.RUT, out.getvalue())

    assert "PAGINA DOS" in pdf_text(documento)
    assert "PAGINA DOS" not in pdf_text(documento, max_pages=1)


def test_pdf_text_of_a_scan_with_megabytes_after_startxref_is_read_quickly(entidad):
    # Accepted at upload (as PDF readers accept it); pypdf alone would walk the tail byte by byte.
    content = text_pdf("NIT 890905211")
    padded = content[: content.rindex(b"%%EOF")] + b"\x00" * (8 * 1024 * 1024) + b"\n%%EOF\n"
    documento = add_document(entidad, Documento.Tipo.RUT, padded)

    started = time.monotonic()
    assert "NIT 890905211" in pdf_text(documento)
    assert time.monotonic() - started < 5
