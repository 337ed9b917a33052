import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from registro.core.models import ClasificacionEntidad
from registro.core.services import reference_data_load
from tests.entities.supplier_world import world  # noqa: F401  (the supplier side's accounts and members)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF whose content stream writes `lines` in Helvetica (WinAnsiEncoding, so
    accented letters survive), built with pypdf only."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=612, height=792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = DecodedStreamObject()
    stream.set_data("\n".join(ops).encode("cp1252"))
    page.replace_contents(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_upload(name: str = "documento.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def reference_data(db):
    reference_data_load()


@pytest.fixture
def valores(reference_data):
    def pk(campo, valor):
        return str(ClasificacionEntidad.objects.get(campo=campo, valor=valor).pk)

    return {
        "orden": pk("orden", "Nacional"),
        "territorial": pk("orden", "Territorial"),
        "rama": pk("rama", "Ejecutiva"),
        "sector": ClasificacionEntidad.objects.filter(campo="sector").first().pk,
        "tipo_entidad": ClasificacionEntidad.objects.filter(campo="tipo_entidad").first().pk,
    }


@pytest.fixture
def pre_data():
    return {
        "pais": "CO",
        "tipo_cuenta": "entidad_estatal",
        "registrada_siif": "no",
        "codigo_pci": "",
        "area_negocio": "publico",
        "tipo_organizacion": "decreto_1082",
    }


@pytest.fixture
def entidad_data(valores):
    return {
        "nombre": "Alcaldía Municipal de Medellín",
        "nombre_abreviado": "alcmed",
        "nit": "890905211",
        "orden": valores["territorial"],
        "rama": valores["rama"],
        "sector": str(valores["sector"]),
        "tipo_entidad": str(valores["tipo_entidad"]),
        "entidad_superior_nombre": "",
        "entidad_superior_nit": "",
        "departamento": "05",
        "municipio": "05001",
        "telefono": "604 385 5555",
        "correo_notificaciones": "contratacion@medellin.gov.co",
        "ordenador_delegado": "no",
        "certificado_fecha_expedicion": "",
    }


MANDATORY = ["acto_estructura", "acta_posesion_ordenador", "autorizacion_administrador", "rut"]
