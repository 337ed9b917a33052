"""Section 3 → "Registrar Entidad" in a real browser: "Validar", "Registrar Entidad", the pre-form,
"Generar formulario", the entity form with its live helpers (normalised name, check digit,
municipalities of the chosen department), "Anexar documento", a "Finalizar" that lists every
problem at once and loses nothing, and the final "Finalizar" with its two e-mails over SMTP."""

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfWriter

from registro.core.services import reference_data_load
from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import RegistroEntidad
from tests.e2e.conftest import field
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e]

SCREENSHOT = "/tmp/e2e-entity-errors.png"
TYPED_NAME = "Alcaldía Municipal de San José del Peñol – E.S.E."
NORMALISED_NAME = "ALCALDIA MUNICIPAL DE SAN JOSE DEL PEÑOL - ESE"
NIT = "890.905.211"
NOTIFICATIONS = "contratacion@penol.gov.co"

FIRST_DOCS = {
    "Último acto de estructura y organización": "Acto de estructura 2026.pdf",
    "Acta de posesión del ordenador del gasto": "Acta posesión alcalde.pdf",
}
LATER_DOCS = {
    "Autorización del Usuario Administrador": "Autorización administrador.pdf",
    "Registro Único Tributario (RUT)": "RUT.pdf",
}


def radio(page: Page, group: str, option: str):
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(group)}")).get_by_label(option, exact=True)


def pdf_file(tmp_path, name: str) -> str:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def document_row(page: Page, label: str):
    return page.locator("table.documents tbody tr").filter(
        has=page.get_by_role("rowheader", name=re.compile(re.escape(label)))
    )


def attach(page: Page, tmp_path, label: str, filename: str) -> None:
    row = document_row(page, label)
    row.get_by_text("Anexar documento", exact=True).click()  # opens the row's <details>
    chooser = row.get_by_label("Buscar Documentos")
    expect(chooser).to_be_visible()
    chooser.set_input_files(pdf_file(tmp_path, filename))


def selected_label(page: Page, label: str) -> str:
    return field(page, label).evaluate("s => s.options[s.selectedIndex].text")


def test_register_an_entity_with_errors_first_then_complete(live_server, smtp_sink, page: Page, tmp_path):
    reference_data_load()
    user = UserFactory(username="ana.admin.e2e", email="ana.admin.e2e@penol.gov.co")

    # Log in through the login page.
    page.goto(live_server.url)
    page.get_by_role("link", name="Entrar", exact=True).first.click()
    field(page, "Usuario o correo electrónico").fill(user.username)
    field(page, "Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar", exact=True).click()
    expect(page.get_by_role("button", name=f"Salir ({user.username})")).to_be_visible()

    # "Entidades" → "Validar": nothing registered under that name → "Registrar Entidad".
    page.get_by_role("link", name="Entidades", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Crear o solicitar acceso a una Entidad")
    field(page, "Nombre o NIT de la Entidad").fill("San José del Peñol")
    page.get_by_role("button", name="Validar").click()
    expect(page.get_by_text("No hay Entidades registradas que coincidan con «San José del Peñol».")).to_be_visible()
    page.get_by_role("link", name="Registrar Entidad").click()

    # The pre-form, radio buttons by their labels.
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar Entidad")
    expect(field(page, "País")).to_have_value("CO")
    radio(page, "¿La Entidad está registrada en el SIIF?", "No").check()
    radio(page, "Área de negocio de la Entidad", "Público").check()
    radio(
        page, "Tipo de organización", "Entidad Estatal (de acuerdo con la definición del Decreto 1082 de 2015)"
    ).check()
    page.get_by_role("button", name="Generar formulario").click()

    # The entity form: the name typed in "Validar" is already there.
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar Entidad")
    registro = RegistroEntidad.objects.get(usuario=user)
    assert page.url.endswith(f"/entidades/registro/{registro.pk}/")
    expect(field(page, "Nombre de la Entidad Estatal")).to_have_value("San José del Peñol")
    # The pre-form's answers are shown again, and kept.
    expect(radio(page, "¿La Entidad está registrada en el SIIF?", "No")).to_be_checked()

    field(page, "Nombre de la Entidad Estatal").fill(TYPED_NAME)
    normalised = page.locator("#nombre-normalizado")
    expect(page.get_by_text("Así quedará registrado:")).to_be_visible()
    expect(normalised).to_have_text(NORMALISED_NAME)
    field(page, "Nombre Abreviado").fill("amsjp")
    dv = page.locator("#nit-dv")
    expect(dv).to_have_text("—")
    field(page, "NIT").fill("8909")
    expect(dv).to_have_text("—")  # not a NIT yet
    field(page, "NIT").fill(NIT)
    expect(dv).to_have_text("1")
    expect(field(page, "NIT")).to_have_accessible_description(re.compile(r"^Sin el dígito de verificación"))
    field(page, "Orden").select_option(label="Territorial")
    field(page, "Rama").select_option(label="Ejecutiva")
    field(page, "Sector").select_option(label="Interior")
    field(page, "Tipo de Entidad").select_option(label="Alcaldía")

    # Municipalities of other departments are hidden once the department is chosen.
    municipio = field(page, "Municipio o ciudad de la sede principal")
    cali = municipio.locator('option[value="76001"]')
    medellin = municipio.locator('option[value="05001"]')
    expect(cali).to_have_js_property("hidden", False)  # all of them before choosing
    field(page, "Departamento").select_option(label="ANTIOQUIA")
    expect(cali).to_have_js_property("hidden", True)
    expect(cali).to_have_js_property("disabled", True)
    expect(medellin).to_have_js_property("hidden", False)
    visible = municipio.evaluate(
        "s => Array.from(s.options).filter(o => o.value && !o.hidden).map(o => o.dataset.departamento)"
    )
    assert len(visible) == 125 and set(visible) == {"05"}
    municipio.select_option(label="PEÑOL (ANTIOQUIA)")
    field(page, "Teléfono de contacto").fill("604 851 5000")
    notifications = field(page, "Correo electrónico para notificaciones SECOP II")
    notifications.fill("contratacion(arroba)penol.gov.co")  # invalid, on purpose
    expect(radio(page, "¿La ordenación del gasto está delegada?", "No")).to_be_checked()

    # Only 2 of the 4 mandatory documents.
    for label, filename in FIRST_DOCS.items():
        attach(page, tmp_path, label, filename)
    page.get_by_role("button", name="Finalizar").click()

    # Everything wrong is listed at once...
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Falta información o hay datos por corregir")
    expect(summary).to_contain_text("Correo electrónico para notificaciones SECOP II")
    expect(summary).to_contain_text("Anexe el documento: Autorización del Usuario Administrador")
    expect(summary).to_contain_text("Anexe el documento: Registro Único Tributario (RUT)")
    expect(summary.get_by_role("listitem")).to_have_count(3)
    expect(summary).to_be_focused()
    # ...and nothing typed or attached was lost.
    expect(field(page, "Nombre de la Entidad Estatal")).to_have_value(TYPED_NAME)
    expect(normalised).to_have_text(NORMALISED_NAME)
    expect(field(page, "Nombre Abreviado")).to_have_value("amsjp")
    expect(field(page, "NIT")).to_have_value(NIT)
    expect(dv).to_have_text("1")
    assert selected_label(page, "Orden") == "Territorial"
    assert selected_label(page, "Rama") == "Ejecutiva"
    assert selected_label(page, "Sector") == "Interior"
    assert selected_label(page, "Tipo de Entidad") == "Alcaldía"
    assert selected_label(page, "Departamento") == "ANTIOQUIA"
    assert selected_label(page, "Municipio o ciudad de la sede principal") == "PEÑOL (ANTIOQUIA)"
    expect(cali).to_have_js_property("hidden", True)
    expect(field(page, "Teléfono de contacto")).to_have_value("604 851 5000")
    expect(notifications).to_have_value("contratacion(arroba)penol.gov.co")
    expect(notifications).to_have_attribute("aria-invalid", "true")
    expect(radio(page, "¿La Entidad está registrada en el SIIF?", "No")).to_be_checked()
    expect(radio(page, "Área de negocio de la Entidad", "Público")).to_be_checked()
    expect(radio(page, "¿La ordenación del gasto está delegada?", "No")).to_be_checked()
    for label, filename in FIRST_DOCS.items():
        row = document_row(page, label)
        expect(row.get_by_role("link", name=filename)).to_be_visible()
        expect(row.get_by_text("Reemplazar", exact=True)).to_be_visible()
    for label in LATER_DOCS:
        expect(document_row(page, label)).to_contain_text("Falta")
        expect(document_row(page, label)).to_have_class(re.compile(r"\brow-error\b"))
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert not Entidad.objects.exists()

    # The summary's links lead to the fields.
    summary.get_by_role("link", name=re.compile("^Correo electrónico")).click()
    expect(notifications).to_be_focused()

    # Fix the e-mail, attach the two missing documents, "Finalizar".
    notifications.fill(NOTIFICATIONS)
    for label, filename in LATER_DOCS.items():
        attach(page, tmp_path, label, filename)
    page.get_by_role("button", name="Finalizar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NORMALISED_NAME)
    expect(page.get_by_role("status")).to_contain_text("Pendiente de activación")
    expect(page.get_by_text("890905211-1", exact=True)).to_be_visible()
    for filename in [*FIRST_DOCS.values(), *LATER_DOCS.values()]:
        expect(page.get_by_role("link", name=filename)).to_be_visible()

    entidad = Entidad.objects.get()
    assert (entidad.nit, entidad.dv, entidad.estado) == ("890905211", "1", Entidad.Estado.PENDIENTE)
    assert entidad.municipio_id == "05541" and entidad.nombre_abreviado == "AMSJP"
    assert Membresia.objects.get(entidad=entidad).usuario == user

    # The two e-mails went out over SMTP: to the user and to the notification address.
    to_user = smtp_sink.wait_for(to=user.email)
    to_notifications = smtp_sink.wait_for(to=NOTIFICATIONS)
    for message in (to_user, to_notifications):
        # Long non-ASCII subjects are folded onto the next line, so the parsed value may start with a space.
        assert str(message["Subject"]).strip() == f"[Registro SECOP] Registro de la Entidad {NORMALISED_NAME}"
    assert NORMALISED_NAME in to_user.get_body(preferencelist=("plain",)).get_content()
    assert len(smtp_sink.messages) == 2
