"""Guide §6 in a real browser, two people at once: the entity's administrator asks for the
activation with "Crear caso"; the Mesa de Servicio takes the case, reads the automatic pre-checks
and the PDF previews, accepts three documents and rejects the RUT, is refused "Activar" and asks
for a correction; the administrator follows the e-mail's link, replaces the RUT and sends the
registration back; the desk accepts it and activates; the entity's link then opens its
"Escritorio" with the whole history. Every e-mail goes out over SMTP to a local sink."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration import services as entity_services
from registro.entities.registration.models import Documento
from registro.servicedesk.models import Caso
from tests.e2e.conftest import field, log_in, new_page, text_of
from tests.entities.conftest import entidad_data, pre_data, text_pdf, valores  # noqa: F401
from tests.factories import DeskUserFactory, UserFactory

pytestmark = [pytest.mark.e2e]

DESK_SCREENSHOT = "/tmp/e2e-desk-review.png"
ESCRITORIO_SCREENSHOT = "/tmp/e2e-escritorio.png"
NOTIFICATIONS = "contratacion@medellin.gov.co"  # entidad_data's notification address
RUT = "Registro Único Tributario (RUT)"
OTHER_DOCUMENTS = [
    "Último acto de estructura y organización",
    "Acta de posesión del ordenador del gasto",
    "Autorización del Usuario Administrador",
]
RUT_REASON = "El RUT anexado es de otra Entidad: su NIT no es 890905211."
CORRECTION = "Anexe el RUT de la Entidad, actualizado, en PDF."
CASE_NUMBER = re.compile(r"CASO-\d{4}-\d{6}")


def pending_entity(admin, pre_data, entidad_data) -> Entidad:  # noqa: F811
    """Registered through the services (the entity form has its own browser test): pending
    activation, with its four documents; the RUT is another entity's, so its pre-check fails."""
    documents = {
        "acto_estructura": ("Decreto de estructura.pdf", text_pdf("DECRETO 100 DE 2020", "Estructura de la Alcaldía")),
        "acta_posesion_ordenador": ("Acta de posesión.pdf", text_pdf("ACTA DE POSESIÓN DEL ALCALDE")),
        "autorizacion_administrador": (
            "Autorización administrador.pdf",
            text_pdf(
                "El Alcalde autoriza como Usuario Administrador a",
                f"{admin.first_name} {admin.last_name}, cédula {admin.document_number}.",
            ),
        ),
        "rut": ("RUT viejo.pdf", text_pdf("REGISTRO ÚNICO TRIBUTARIO", "NIT 800.123.456-1")),
    }
    registro = entity_services.registro_create(user=admin, data=pre_data)
    entity_services.registro_update(registro=registro, data=entidad_data)
    for tipo, (name, content) in documents.items():
        uploaded = SimpleUploadedFile(name, content, content_type="application/pdf")
        entity_services.documento_attach(registro=registro, tipo=tipo, uploaded=uploaded, user=admin)
    return entity_services.registro_finalize(registro=registro, user=admin)


def steady(locator):
    """Scrolls `locator` into view and lets the page render before it is clicked. The desk's page
    holds Chromium's PDF viewers, which run out of process: a click sent right after a scroll is
    routed with the previous frame's hit-test data and may land in the viewer that was there."""
    locator.scroll_into_view_if_needed()
    locator.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return locator


def document_card(page: Page, label: str):
    return page.locator("section[aria-labelledby=documentos] article").filter(
        has=page.get_by_role("heading", level=3, name=re.compile(rf"^{re.escape(label)}"))
    )


def review(page: Page, label: str, decision: str, reason: str = "") -> None:
    card = document_card(page, label)
    steady(card.get_by_label(decision, exact=True)).check()
    if reason:
        card.get_by_label("Motivo del rechazo", exact=True).fill(reason)
    steady(card.get_by_role("button", name="Guardar revisión")).click()
    expected = f"Revisión: {decision}" + (f" — {reason}" if reason else "")
    expect(document_card(page, label)).to_contain_text(expected)


def precheck(page: Page, label: str):
    return (
        page.locator("section[aria-labelledby=prechecks] tbody tr")
        .filter(has=page.get_by_role("cell", name=label, exact=True))
        .get_by_role("cell")
        .nth(1)
    )


def test_activation_with_a_correction_round(
    live_server,
    smtp_sink,
    browser,
    settings,
    tmp_path,
    pre_data,  # noqa: F811
    entidad_data,  # noqa: F811
):
    settings.SITE_URL = live_server.url  # the e-mails' links lead back to this server
    admin = UserFactory(username="admin.medellin.e2e", email="admin.e2e@medellin.gov.co", document_number="43123456")
    desk = DeskUserFactory(
        username="mesa.e2e", email="mesa.e2e@cce.gov.co", first_name="Carlos", last_name="Rincón Mesa"
    )
    entidad = pending_entity(admin, pre_data, entidad_data)
    entity_url = f"{live_server.url}/entidades/{entidad.pk}/registrada/"

    # 1. The administrator logs in, opens the entity's page and "Crear caso".
    admin_page = new_page(browser)
    log_in(admin_page, live_server, admin)
    admin_page.goto(entity_url)
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(entidad.nombre)
    expect(admin_page).to_have_title(f"{entidad.nombre} · Registro SECOP")
    admin_page.get_by_role("link", name="Crear caso", exact=True).click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Crear caso")

    # Pre-filled from the profile and the entity (R4.1).
    expect(field(admin_page, "Nombres")).to_have_value(admin.first_name)
    expect(field(admin_page, "Apellidos")).to_have_value(admin.last_name)
    expect(field(admin_page, "Número de documento")).to_have_value("43123456")
    expect(field(admin_page, "Correo electrónico")).to_have_value(admin.email)
    expect(field(admin_page, "Nombre de la Entidad")).to_have_value(entidad.nombre)
    expect(field(admin_page, "Departamento")).to_have_value("ANTIOQUIA")
    expect(field(admin_page, "Municipio")).to_have_value("MEDELLÍN")
    expect(admin_page.get_by_label("Solicitud", exact=True)).to_be_checked()
    assert (
        field(admin_page, "Asunto").evaluate("s => s.options[s.selectedIndex].text")
        == "Gestión de registro y configuración de Entidades Estatales"
    )
    expect(field(admin_page, "Descripción")).to_have_value(re.compile(r"^Solicito la activación de la cuenta"))
    admin_page.get_by_role("button", name="Crear caso").click()

    expect(admin_page.get_by_role("heading", level=1)).to_contain_text(CASE_NUMBER)
    caso = Caso.objects.get(entidad=entidad)
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} Abierto")
    expect(admin_page.get_by_role("status")).to_contain_text(f"Creamos el caso {caso.numero}.")
    confirmation = smtp_sink.wait_for(to=admin.email, subject=f"Caso {caso.numero} creado")
    assert caso.numero in text_of(confirmation)
    smtp_sink.wait_for(to=settings.SERVICE_DESK_EMAIL, subject=f"Nuevo caso {caso.numero}")

    # 2. The desk, in its own browser context: "Mesa de Servicio" → the queue, with the case's age.
    desk_page = new_page(browser)
    log_in(desk_page, live_server, desk)
    desk_page.get_by_role("navigation").get_by_role("link", name="Mesa de Servicio").click()
    expect(desk_page.get_by_role("heading", level=1)).to_have_text("Mesa de Servicio")
    row = desk_page.locator("tbody tr").filter(has=desk_page.get_by_role("link", name=caso.numero))
    expect(row).to_contain_text(entidad.nombre)
    expect(row).to_contain_text("Abierto")
    expect(row.locator("time")).to_have_text(re.compile(r"^\d+\xa0minutos?$"))  # "0 minutos"
    row.get_by_role("link", name=caso.numero).click()

    expect(desk_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} Abierto")
    desk_page.get_by_role("button", name="Tomar el caso e iniciar la revisión").click()
    expect(desk_page.get_by_role("status")).to_contain_text("Usted tomó el caso; está «En revisión».")
    expect(desk_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} En revisión")

    # The automatic pre-checks: the RUT is not the entity's.
    expect(desk_page.get_by_role("heading", name="Verificaciones automáticas")).to_be_visible()
    expect(precheck(desk_page, "Dígito de verificación del NIT")).to_have_text("Correcto")
    expect(precheck(desk_page, "Autorización del Usuario Administrador")).to_have_text("Correcto")
    expect(precheck(desk_page, "NIT en el RUT")).to_have_text("No cumple")
    expect(precheck(desk_page, "Entidades con nombres similares")).to_have_text("Correcto")

    # The first page of each PDF as an image rendered on the server (no PDF viewer in the page),
    # with a link to the other pages.
    expect(desk_page.locator("iframe")).to_have_count(0)
    previews = desk_page.locator("figure.pdf-preview img")
    expect(previews).to_have_count(4)
    for name in [
        "Decreto de estructura.pdf",
        "Acta de posesión.pdf",
        "Autorización administrador.pdf",
        "RUT viejo.pdf",
    ]:
        image = desk_page.get_by_role("img", name=f"Primera página de «{name}»")
        image.scroll_into_view_if_needed()
        expect(image).to_be_visible()
        desk_page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate("(img) => img.naturalWidth") == 1000
        box = image.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300, box
        response = desk_page.request.get(live_server.url + image.get_attribute("src"))
        assert response.ok and response.headers["content-type"] == "image/png"
    expect(desk_page.get_by_role("link", name="Ver más páginas")).to_have_count(4)

    # Three documents accepted, the RUT rejected with its reason.
    for label in OTHER_DOCUMENTS:
        review(desk_page, label, "Aceptado")
    review(desk_page, RUT, "Rechazado", RUT_REASON)

    # "Activar" is refused while a document is not accepted.
    steady(desk_page.get_by_role("button", name="Activar la Entidad")).click()
    expect(desk_page.get_by_role("status")).to_contain_text(
        "Antes de activar, acepte todos los documentos. Faltan: Registro Único Tributario (RUT)."
    )
    expect(desk_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} En revisión")
    # The whole page in the screenshot (lazy images paint once in the viewport).
    desk_page.set_viewport_size({"width": 1280, "height": desk_page.evaluate("document.documentElement.scrollHeight")})
    desk_page.wait_for_timeout(1500)
    desk_page.screenshot(path=DESK_SCREENSHOT)
    desk_page.set_viewport_size({"width": 1280, "height": 900})
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.PENDIENTE

    desk_page.get_by_label("Qué debe corregirse").fill(CORRECTION)
    steady(desk_page.get_by_role("button", name="Solicitar corrección")).click()
    expect(desk_page.get_by_role("status")).to_contain_text("La Entidad quedó «Requiere corrección»")
    expect(desk_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} Esperando respuesta del solicitante")

    # 3. The administrator's e-mail: the reason, the RUT's rejection and a link to the case.
    corrections = text_of(smtp_sink.wait_for(to=admin.email, subject="requiere corrección"))
    assert CORRECTION in corrections
    assert f"- {RUT}: {RUT_REASON}" in corrections
    link = re.search(rf"{re.escape(live_server.url)}/casos/{caso.numero}/", corrections)
    assert link, corrections

    admin_page.goto(link.group(0))
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(
        f"{caso.numero} Esperando respuesta del solicitante"
    )
    expect(admin_page.get_by_role("heading", name="Corregir y enviar de nuevo")).to_be_visible()
    expect(admin_page.locator("ol.thread")).to_contain_text(CORRECTION)
    field(admin_page, "Documento").select_option(label=RUT)
    new_rut = tmp_path / "RUT actualizado.pdf"
    new_rut.write_bytes(text_pdf("REGISTRO ÚNICO TRIBUTARIO", "NIT 890.905.211-7"))
    admin_page.get_by_label("Buscar Documentos").set_input_files(str(new_rut))
    admin_page.get_by_role("button", name="Anexar", exact=True).click()
    expect(admin_page.get_by_role("status")).to_contain_text("Anexamos la nueva versión del documento")
    field(admin_page, "Nota para la Mesa de Servicio").fill("Anexamos el RUT correcto.")
    admin_page.get_by_role("button", name="Enviar de nuevo a revisión").click()
    expect(admin_page.get_by_role("status")).to_contain_text("Enviamos de nuevo el registro a la Mesa de Servicio.")
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} En revisión")

    # 4. The desk (the case is assigned to it) is told, and reviews the new RUT.
    resent = text_of(smtp_sink.wait_for(to=desk.email, subject=f"Registro corregido: {entidad.nombre}"))
    assert f"/casos/{caso.numero}/" in resent
    desk_page.reload()
    expect(desk_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} En revisión")
    expect(document_card(desk_page, RUT)).to_contain_text("versión 2")
    expect(document_card(desk_page, RUT)).to_contain_text("Revisión: pendiente")
    expect(desk_page.get_by_role("img", name="Primera página de «RUT actualizado.pdf»")).to_be_visible()
    expect(precheck(desk_page, "NIT en el RUT")).to_have_text("Correcto")
    for label in OTHER_DOCUMENTS:  # the earlier decisions are kept
        expect(document_card(desk_page, label)).to_contain_text("Revisión: Aceptado")
    review(desk_page, RUT, "Aceptado")
    steady(desk_page.get_by_role("button", name="Activar la Entidad")).click()
    expect(desk_page.get_by_role("status")).to_contain_text("La Entidad quedó «Activa» y se avisó por correo.")
    expect(desk_page.get_by_role("heading", level=1)).to_have_text(f"{caso.numero} Resuelto")

    # 5. The notification address and the administrator are told.
    activated = f"La cuenta de {entidad.nombre} está activa"
    smtp_sink.wait_for(to=NOTIFICATIONS, subject=activated)
    assert entidad.nombre in text_of(smtp_sink.wait_for(to=admin.email, subject=activated))

    # 6. The entity's link now opens the "Escritorio", with the whole history.
    admin_page.goto(entity_url)
    expect(admin_page).to_have_url(f"{live_server.url}/entidad/")
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(f"Escritorio: {entidad.nombre}")
    expect(admin_page.get_by_text(f"NIT {entidad.nit_con_dv} · Activa")).to_be_visible()
    expect(admin_page.get_by_role("link", name=caso.numero)).to_be_visible()
    admin_page.get_by_role("navigation", name="Configuración de la Entidad").get_by_role(
        "link", name="Historial"
    ).click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Historial de la Entidad")
    history = admin_page.locator("table").last
    for event in [
        "Cuenta registrada",
        f"Caso abierto ({caso.numero})",
        f"Revisión iniciada ({caso.numero})",
        f"Documento revisado: {RUT} — rechazado ({caso.numero})",
        f"Documento revisado: {RUT} — aceptado ({caso.numero})",
        f"Corrección solicitada ({caso.numero})",
        f"Documento reemplazado: {RUT}",
        "Enviada de nuevo a revisión",
        f"Cuenta activada ({caso.numero})",
    ]:
        expect(history.get_by_role("cell", name=event, exact=True).first).to_be_visible()
    expect(history.locator("tbody tr").first).to_contain_text("Cuenta activada")
    expect(history.locator("tbody tr").first).to_contain_text(desk.full_name)
    expect(history.locator("tbody tr").filter(has_text="Corrección solicitada")).to_contain_text(CORRECTION)
    admin_page.screenshot(path=ESCRITORIO_SCREENSHOT, full_page=True)

    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.ACTIVA
    assert entidad.documentos.get(tipo=Documento.Tipo.RUT, vigente=True).version == 2
    assert EventoEntidad.objects.filter(entidad=entidad, tipo=EventoEntidad.Tipo.ACTIVADA).count() == 1
