"""A supplier's whole path in a real browser, with the e-mails over a real SMTP server: "Registrar
usuario", the confirmation link, "Entrar", section 3's "Validar" → "Registrar Proveedor", the
pre-form with "Tipo de cuenta: Proveedor", the supplier's form with two areas of interest chosen
with the picker (one by searching, one by browsing segment → family), documents, a "Finalizar" that
lists every problem at once and loses nothing, and the final "Finalizar" that lands on the
account's desktop, active at once. axe-core checks each new page."""

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfWriter

from registro.core.services import reference_data_load
from registro.entities.account.models import AreaInteres, Entidad
from registro.entities.membership.models import Membresia
from tests.e2e.conftest import assert_accessible, field, submit_login, text_of

pytestmark = [pytest.mark.e2e]

USERNAME = "laura.proveedora.e2e"
EMAIL = "laura@cafetec.com.co"
PASSWORD = "Clave#Segura2026"
NOTIFICATIONS = "licitaciones@cafetec.com.co"
TYPED_NAME = "Cafetec Soluciones Digitales S.A.S."
NORMALISED_NAME = "CAFETEC SOLUCIONES DIGITALES SAS"
NIT = "900.373.215"
CONFIRM_LINK = re.compile(r"https?://\S+/cuentas/confirm-email/[^/\s]+/")
SCREENSHOTS = "/tmp/e2e-supplier-{}.png"


def pdf_file(tmp_path, name: str) -> str:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def radio(page: Page, group: str, option: str):
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(group)}")).get_by_label(option, exact=True)


def attach(page: Page, tmp_path, label: str, filename: str) -> None:
    row = page.locator("table.documents tbody tr").filter(
        has=page.get_by_role("rowheader", name=re.compile(re.escape(label)))
    )
    row.get_by_text("Anexar documento", exact=True).click()
    chooser = row.get_by_label("Buscar Documentos")
    expect(chooser).to_be_visible()
    chooser.set_input_files(pdf_file(tmp_path, filename))


def register_user(page: Page, live_server, smtp_sink) -> None:
    page.goto(live_server.url)
    page.get_by_role("link", name="Registro", exact=True).first.click()
    field(page, "Nombres").fill("Laura")
    field(page, "Apellidos").fill("Restrepo Vélez")
    field(page, "Tipo de documento").select_option(label="Cédula de ciudadanía")
    field(page, "Número de documento").fill("1088345678")
    field(page, "Correo electrónico").fill(EMAIL)
    field(page, "Teléfono").fill("3157778899")
    field(page, "Nombre de usuario").fill(USERNAME)
    field(page, "Contraseña").fill(PASSWORD)
    field(page, "Confirmación de la contraseña").fill(PASSWORD)
    field(page, "Nombre de la Entidad").fill("Cafetec Soluciones Digitales")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmar registro")
    link = CONFIRM_LINK.search(text_of(smtp_sink.wait_for(to=EMAIL)))
    assert link
    page.goto(link.group(0))
    page.get_by_label(re.compile(r"^He leído y acepto")).check()
    page.get_by_role("button", name="Confirmar registro").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")
    submit_login(page, live_server, USERNAME, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Crear o solicitar acceso a una Entidad")


def test_a_supplier_registers_its_account_and_lands_on_its_desktop(live_server, smtp_sink, page: Page, tmp_path):
    reference_data_load()  # DIVIPOLA, the types of organisation and the classifier
    register_user(page, live_server, smtp_sink)

    # Section 3: three paths; "Validar" finds nothing → "Registrar Proveedor".
    expect(page.get_by_role("heading", name="Registrar un Proveedor")).to_be_visible()
    field(page, "Nombre o NIT de la Entidad").fill("Cafetec Soluciones Digitales")
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text("No hay Entidades registradas que coincidan")).to_be_visible()
    page.get_by_role("link", name="Registrar Proveedor").click()

    # The pre-form: the supplier's questions only (the State entity's are hidden by the script).
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar Entidad")
    expect(radio(page, "Tipo de cuenta", "Proveedor")).to_be_checked()
    expect(page.get_by_role("group", name=re.compile("^¿La Entidad está registrada en el SIIF"))).to_have_count(0)
    expect(page.get_by_role("button", name="Mostrar las preguntas de este tipo")).to_have_count(0)
    expect(field(page, "País del Proveedor")).to_have_value("CO")
    expect(radio(page, "Área de negocio del Proveedor", "Privado")).to_be_checked()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS.format("pre-form"), full_page=True)
    # Switching the kind shows the other questions at once, and back.
    radio(page, "Tipo de cuenta", "Entidad Estatal").check()
    expect(page.get_by_role("group", name=re.compile("^¿La Entidad está registrada en el SIIF"))).to_be_visible()
    expect(field(page, "País del Proveedor")).to_be_hidden()
    radio(page, "Tipo de cuenta", "Proveedor").check()
    radio(page, "Tipo de organización del Proveedor", "Sociedad por Acciones Simplificada").check()
    page.get_by_role("button", name="Generar formulario").click()

    # The supplier's form, with the name typed in "Validar".
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar Proveedor")
    expect(field(page, "Razón social")).to_have_value("Cafetec Soluciones Digitales")
    field(page, "Razón social").fill(TYPED_NAME)
    expect(page.locator("#nombre-normalizado")).to_have_text(NORMALISED_NAME)
    field(page, "Nombre Abreviado").fill("cafetec")
    field(page, "NIT").fill(NIT)
    expect(page.locator("#nit-dv")).to_have_text("1")
    field(page, "Departamento").select_option(label="RISARALDA")
    field(page, "Municipio o ciudad").select_option(label="PEREIRA (RISARALDA)")
    field(page, "Dirección").fill("Avenida Circunvalar # 5-20")
    field(page, "Teléfono de contacto").fill("606 335 6677")
    field(page, "Sitio web").fill("cafetec.com.co")
    field(page, "Correo electrónico para notificaciones SECOP II").fill("licitaciones(arroba)cafetec")  # wrong
    field(page, "Nombres y apellidos del representante legal").fill("Laura Restrepo Vélez")
    field(page, "Tipo de documento del representante legal").select_option(label="Cédula de ciudadanía")
    field(page, "Número de documento del representante legal").fill("1088345678")
    field(page, "Correo electrónico del representante legal").fill(EMAIL)
    field(page, "Teléfono del representante legal").fill("3157778899")
    field(page, "Tamaño de la empresa").select_option(label="Pequeña empresa")
    radio(page, "¿Es MiPyme?", "Sí").check()

    # Áreas de interés, by searching: "software" → the family 4323.
    field(page, "Buscar por código o nombre").fill("software")
    page.get_by_role("button", name="Buscar en el clasificador").click()
    results = page.get_by_role("region", name=re.compile("resultados? para «software»"))
    expect(results).to_be_visible()
    # What was typed survived the search.
    expect(field(page, "Razón social")).to_have_value(TYPED_NAME)
    expect(field(page, "Correo electrónico para notificaciones SECOP II")).to_have_value("licitaciones(arroba)cafetec")
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS.format("picker-results"), full_page=True)
    results.get_by_label("43230000 — Software").check()
    results.get_by_role("button", name="Agregar los marcados").click()
    chosen = page.get_by_role("table", name="Códigos elegidos")
    expect(chosen.get_by_role("cell", name="43230000", exact=True)).to_be_visible()

    # ...and by browsing: segment 81 → its family "Servicios informáticos".
    page.get_by_text("Explorar el clasificador: segmento → familia → clase → producto").click()
    page.get_by_role("button", name="Ver contenido de 81000000").click()
    browse = page.locator("details.unspsc-browse")
    expect(browse.get_by_role("navigation", name="Ubicación en el clasificador")).to_contain_text("81000000")
    browse.get_by_label("81110000 — Servicios informáticos").check()
    browse.get_by_role("button", name="Agregar los marcados").click()
    expect(chosen.get_by_role("cell", name="81110000", exact=True)).to_be_visible()
    page.get_by_label("Categoría principal: 81110000").check()

    # Only the RUT, a wrong e-mail, no certificate date: "Finalizar" lists it all.
    attach(page, tmp_path, "Registro Único Tributario (RUT)", "RUT Cafetec.pdf")
    page.get_by_role("button", name="Finalizar").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Falta información o hay datos por corregir")
    expect(summary).to_contain_text("Correo electrónico para notificaciones SECOP II")
    expect(summary).to_contain_text("Fecha de expedición del certificado de existencia")
    expect(summary).to_contain_text("Anexe el documento: Certificado de existencia y representación legal")
    expect(summary.get_by_role("listitem")).to_have_count(3)
    expect(summary).to_be_focused()
    expect(field(page, "Razón social")).to_have_value(TYPED_NAME)
    expect(field(page, "NIT")).to_have_value(NIT)
    expect(chosen.get_by_role("row")).to_have_count(3)  # header + the two codes
    expect(page.get_by_label("Categoría principal: 81110000")).to_be_checked()
    expect(page.get_by_role("link", name="RUT Cafetec.pdf")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS.format("errors"), full_page=True)
    for i, part in enumerate(page.locator("#form-proveedor > fieldset").all()):
        part.screenshot(path=SCREENSHOTS.format(f"errors-part-{i}"))  # readable pieces of the long page
    assert not Entidad.objects.exists()

    summary.get_by_role("link", name=re.compile("^Correo electrónico para notificaciones")).click()
    notifications = field(page, "Correo electrónico para notificaciones SECOP II")
    expect(notifications).to_be_focused()
    notifications.fill(NOTIFICATIONS)
    from django.utils import timezone

    field(page, "Fecha de expedición del certificado de existencia y representación legal").fill(
        timezone.localdate().isoformat()
    )
    attach(page, tmp_path, "Certificado de existencia y representación legal", "Cámara de Comercio.pdf")
    page.get_by_role("button", name="Finalizar").click()

    # The desktop of the new, active account.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Escritorio: {NORMALISED_NAME}")
    expect(page.get_by_role("status")).to_contain_text("quedó registrada y activa")
    assert page.url.endswith("/entidad/")
    assert_accessible(page)
    page.screenshot(path=SCREENSHOTS.format("desktop"), full_page=True)

    entidad = Entidad.objects.get()
    assert (entidad.tipo_cuenta, entidad.estado, entidad.nit, entidad.dv) == ("proveedor", "activa", "900373215", "1")
    assert Membresia.objects.get(entidad=entidad).usuario.username == USERNAME
    assert sorted(AreaInteres.objects.values_list("codigo_id", "prefijo", "principal")) == [
        ("43230000", "4323", False),
        ("81110000", "8111", True),
    ]
    assert set(entidad.documentos.values_list("tipo", flat=True)) == {"rut", "certificado_existencia"}

    to_user = smtp_sink.wait_for(to=EMAIL, subject="está lista")
    to_notifications = smtp_sink.wait_for(to=NOTIFICATIONS)
    assert " ".join(str(to_user["Subject"]).split()) == (
        f"[Registro SECOP] La cuenta de Proveedor {NORMALISED_NAME} está lista"
    )
    assert "ya está activa y lista para usar" in text_of(to_user)
    assert "ya está activa y lista para usar" in text_of(to_notifications)
