import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from registro.core.models import ClasificacionEntidad
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


# --- Suppliers (R9) ---------------------------------------------------------------------------

SUPPLIER_NIT = "900373215"  # DV 1


@pytest.fixture
def proveedor_pre(reference_data):
    """The supplier pre-form's answers as the API takes them (the page prefixes them)."""
    return {"pais": "CO", "area_negocio": "privado", "tipo_empresa": "sas"}


@pytest.fixture
def juridica_data(reference_data):
    """A Colombian legal person's form, every field valid: two areas of interest at different
    levels (a segment and a class), the second one the main category."""
    from django.utils import timezone

    return {
        "nombre": "Soluciones Tecnológicas del Café S.A.S.",
        "nombre_abreviado": "soltec",
        "nit": SUPPLIER_NIT,
        "departamento": "66",
        "municipio": "66001",
        "direccion": "Carrera 7 # 20-30, oficina 501",
        "telefono": "606 333 4455",
        "sitio_web": "www.soltec.com.co",
        "correo_notificaciones": "licitaciones@soltec.com.co",
        "representante_nombre": "Carlos Andrés Gómez Ríos",
        "representante_tipo_documento": "CC",
        "representante_numero_documento": "1088234567",
        "representante_correo": "gerencia@soltec.com.co",
        "representante_telefono": "310 456 7890",
        "tamano": "pequena",
        "es_mipyme": "si",
        "anio_fiscal": str(timezone.localdate().year - 1),
        "activos": "1.500.000.000",
        "pasivos": "600.000.000",
        "patrimonio": "",
        "ingresos_operacionales": "2.300.000.000,50",
        "certificado_fecha_expedicion": timezone.localdate().isoformat(),
        "areas": "43000000,81111500",
        "categoria_principal": "81111500",
    }


@pytest.fixture
def natural_data(reference_data):
    """A Colombian natural person (cédula de ciudadanía): the NIT comes from the cédula."""
    return {
        "nombres": "María Fernanda",
        "apellidos": "Peñuela Ortiz",
        "tipo_documento": "CC",
        "numero_documento": "52.345.678",
        "nit": "",
        "departamento": "11",
        "municipio": "11001",
        "direccion": "Calle 85 # 11-20",
        "telefono": "3001112233",
        "sitio_web": "",
        "correo_notificaciones": "mafe.penuela@correo.com.co",
        "tamano": "micro",
        "es_mipyme": "si",
        "areas": "80111600",
        "categoria_principal": "",
    }


SUPPLIER_DOCS_JURIDICA = ["rut", "certificado_existencia"]
SUPPLIER_DOCS_NATURAL = ["rut", "documento_identidad"]
