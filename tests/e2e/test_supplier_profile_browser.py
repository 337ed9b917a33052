"""A supplier's administrator in a real browser: edits the commercial profile (a wrong phone is
shown in the error summary, which takes the focus, and nothing typed is lost), picks two areas of
interest with the picker (one by searching, one by browsing segment → family), uploads a library
document and sees it; every page passes axe-core (WCAG 2.1 AA)."""

import re

import pytest
from playwright.sync_api import expect

from registro.core.models import TipoEmpresa
from registro.core.services import reference_data_load
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, PerfilComercial, TipoCuenta
from registro.entities.registration.models import Documento
from registro.entities.registration.rules import nit_check_digit
from tests.e2e.conftest import assert_accessible, field, log_in
from tests.entities.conftest import pdf_bytes
from tests.factories import EntidadFactory, MembresiaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    page.screenshot(path=f"/tmp/supplier_{name}.png", full_page=True)


def test_edit_the_profile_pick_two_areas_and_upload_a_library_document(live_server, page, tmp_path):
    reference_data_load()
    proveedor = EntidadFactory(
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        estado=Entidad.Estado.ACTIVA,
        nombre="FERRETERIA EL PROGRESO SAS",
        nombre_abreviado="FERREPROGRESO",
        nit="901456789",
        dv=nit_check_digit("901456789"),
        area_negocio="privado",
        tipo_organizacion="",
        departamento_id="76",
        municipio_id="76001",
        telefono="6028889900",
        correo_notificaciones="ventas@ferreprogreso.com.co",
    )
    PerfilComercial.objects.create(
        entidad=proveedor,
        persona="juridica",
        tipo_empresa=TipoEmpresa.objects.get(codigo="sas"),
        direccion="Calle 15 # 23-40, Cali",
        representante_nombre="Gloria Inés Castaño",
        representante_tipo_documento="CC",
        representante_numero_documento="31987654",
        tamano="pequena",
        es_mipyme=True,
    )
    admin = MembresiaFactory(entidad=proveedor).usuario
    log_in(page, live_server, admin)

    # The profile, from the console's tabs.
    page.goto(f"{live_server.url}/entidad/")
    page.get_by_role("link", name="Perfil comercial").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Perfil comercial")
    assert_accessible(page)
    shot(page, "perfil")

    # "Editar datos": a wrong phone is listed in the summary, which takes the focus; what was typed stays.
    page.get_by_role("link", name="Editar datos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Editar datos del perfil comercial")
    assert_accessible(page)
    field(page, "Dirección").fill("Carrera 1 # 20-30, Bodega 4, Cali")
    field(page, "Teléfono de contacto").fill("602 888 99 ext 2")
    field(page, "Tamaño de la empresa").select_option(label="Mediana empresa")
    field(page, "Año fiscal de la información financiera").fill("2025")
    field(page, "Activos").fill("2.500.000.000")
    page.get_by_role("button", name="Guardar los cambios").click()
    summary = page.locator("#resumen-errores")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Teléfono de contacto: Escriba el teléfono sin extensión.")
    expect(field(page, "Dirección")).to_have_value("Carrera 1 # 20-30, Bodega 4, Cali")
    expect(field(page, "Activos")).to_have_value("2.500.000.000")
    assert_accessible(page)
    shot(page, "perfil_error")
    field(page, "Teléfono de contacto").fill("3157778899")
    page.get_by_role("button", name="Guardar los cambios").click()
    expect(page.get_by_role("status")).to_contain_text("Guardamos los cambios del perfil comercial.")
    expect(page.get_by_text("Carrera 1 # 20-30, Bodega 4, Cali")).to_be_visible()
    expect(page.get_by_text("Mediana empresa")).to_be_visible()
    expect(page.get_by_text("$ 2.500.000.000,00")).to_be_visible()

    # Áreas de interés: one code found by searching, one by browsing, the second one the main category.
    page.get_by_role("link", name="Editar áreas de interés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Áreas de interés")
    assert_accessible(page)
    page.get_by_label("Buscar por código o nombre").fill("tornillos")
    page.get_by_role("button", name="Buscar en el clasificador").click()
    expect(page.get_by_role("heading", name=re.compile(r"resultados? para «tornillos»"))).to_be_visible()
    page.get_by_label(re.compile(r"^31161500 — Tornillos")).check()
    page.locator(".unspsc-results").get_by_role("button", name="Agregar los marcados").click()
    expect(page.locator("#area-31161500")).to_be_checked()
    assert_accessible(page)
    shot(page, "areas_busqueda")
    page.get_by_text("Explorar el clasificador: segmento → familia → clase → producto").click()
    page.get_by_role("button", name="Ver contenido de 27000000").click()
    expect(page.get_by_role("navigation", name="Ubicación en el clasificador")).to_contain_text("27000000")
    page.get_by_label(re.compile(r"^27110000 — Herramientas de mano")).check()
    page.locator(".unspsc-browse").get_by_role("button", name="Agregar los marcados").click()
    expect(page.locator("#area-27110000")).to_be_checked()
    expect(page.locator("#area-31161500")).to_be_checked()  # the first one is kept
    # The browsing stays where it was, and so do the search's results.
    expect(page.get_by_role("navigation", name="Ubicación en el clasificador")).to_contain_text("27000000")
    expect(page.get_by_role("heading", name=re.compile(r"resultados? para «tornillos»"))).to_be_visible()
    page.get_by_label("Categoría principal: 27110000").check()
    assert_accessible(page)
    shot(page, "areas_explorar")
    page.get_by_role("button", name="Guardar las áreas de interés").click()
    expect(page.get_by_role("status")).to_contain_text("Guardamos las áreas de interés.")
    expect(page.get_by_role("cell", name=re.compile(r"Herramientas de mano.*Categoría principal"))).to_be_visible()
    expect(page.get_by_role("cell", name="31161500")).to_be_visible()
    assert sorted(AreaInteres.objects.filter(entidad=proveedor).values_list("codigo_id", "prefijo", "principal")) == [
        ("27110000", "2711", True),
        ("31161500", "311615", False),
    ]

    # The library: a private experience certificate, then seen in the list.
    page.get_by_role("link", name="Biblioteca de documentos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biblioteca de documentos")
    assert_accessible(page)
    certificado = tmp_path / "certificado-experiencia.pdf"
    certificado.write_bytes(pdf_bytes())
    field(page, "Tipo de documento").select_option(label="Experiencia")
    field(page, "Título").fill("Suministro de herramientas a la Gobernación del Valle 2024")
    page.get_by_label("Privado: solo los usuarios de la cuenta").check()
    field(page, "Archivo").set_input_files(str(certificado))
    page.get_by_role("button", name="Agregar a la biblioteca").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Agregamos «Suministro de herramientas a la Gobernación del Valle 2024» a la biblioteca."
    )
    row = page.get_by_role("row", name=re.compile("Suministro de herramientas a la Gobernación del Valle 2024"))
    expect(row).to_contain_text("certificado-experiencia.pdf")
    expect(row).to_contain_text("Privado")
    assert_accessible(page)
    shot(page, "biblioteca")
    documento = Documento.objects.get(entidad=proveedor)
    assert (documento.tipo, documento.visibilidad, documento.version) == ("experiencia", "privado", 1)

    # The account's history shows each change of the profile, before and after.
    page.get_by_role("link", name="Historial").click()
    expect(page.get_by_text("Datos de la cuenta modificados")).to_be_visible()
    expect(page.locator(".changes", has_text="Teléfono de contacto")).to_contain_text("3157778899")
    assert_accessible(page)
    shot(page, "historial")
    assert EventoEntidad.objects.filter(entidad=proveedor).count() == 3
