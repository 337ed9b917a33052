"""Guide §7 in a real browser, two people at once: a buyer asks for access to an entity from
"Mis registros" → "Nuevo registro" → "Buscar" → "Solicitar" → "Finalizar"; the entity's
administrator, told by e-mail, accepts from the console's "Solicitudes de acceso"; the buyer is
told by e-mail. Once the buyer also belongs to a second entity, the header's "Actúa a nombre de"
switches which one the console works for. Every e-mail goes out over SMTP to a local sink."""

import re

import pytest
from playwright.sync_api import Page, expect

from registro.entities.account.models import Entidad
from registro.entities.membership import access
from registro.entities.membership.models import Membresia, SolicitudAcceso
from tests.e2e.conftest import log_in, new_page, text_of
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

pytestmark = [pytest.mark.e2e]

SCREENSHOT = "/tmp/e2e-buyer-switcher.png"
MESSAGE = "Soy profesional de la oficina de contratación."


def entity_with_admin(nombre: str, nit: str, username: str):
    admin = UserFactory(username=username, email=f"{username}@entidad.gov.co", first_name="Laura")
    entidad = EntidadFactory(nombre=nombre, nit=nit, estado=Entidad.Estado.ACTIVA)
    MembresiaFactory(usuario=admin, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
    return entidad, admin


def switch_to(page: Page, entidad: Entidad) -> None:
    header = page.locator("header.site-header")
    header.get_by_label("Actúa a nombre de").select_option(label=entidad.nombre)
    header.get_by_role("button", name="Cambiar", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Ahora actúa a nombre de {entidad.nombre}.")
    expect(header.get_by_label("Actúa a nombre de")).to_have_value(str(entidad.pk))


def expect_escritorio_of(page: Page, entidad: Entidad, other: Entidad) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Escritorio: {entidad.nombre}")
    main = page.locator("main")
    expect(main).to_contain_text(f"{entidad.nombre} · NIT {entidad.nit_con_dv}")
    expect(main).to_contain_text("Usted es Usuario Comprador de esta Entidad.")
    expect(main).not_to_contain_text(other.nombre)
    expect(main).not_to_contain_text(other.nit_con_dv)


def test_buyer_requests_access_is_accepted_and_switches_between_entities(live_server, smtp_sink, browser, settings):
    settings.SITE_URL = live_server.url  # the e-mails' links lead back to this server
    sogamoso, admin_a = entity_with_admin("ALCALDÍA MUNICIPAL DE SOGAMOSO", "891855130", "admin.sogamoso")
    boyaca, admin_b = entity_with_admin("GOBERNACIÓN DE BOYACÁ", "891800498", "admin.boyaca")
    buyer = UserFactory(username="carlos.comprador", email="carlos.comprador@correo.gov.co", first_name="Carlos")

    # 1. The buyer: "Configuración del usuario" → "Mis registros" → "Nuevo registro" → "Buscar".
    buyer_page = new_page(browser)
    log_in(buyer_page, live_server, buyer)
    expect(buyer_page.locator("#entidad-activa")).to_have_count(0)
    buyer_page.get_by_role("link", name="Configuración del usuario").click()
    buyer_page.get_by_role("navigation", name="Secciones de la configuración").get_by_role(
        "link", name="Mis registros"
    ).click()
    expect(buyer_page.get_by_role("heading", level=2, name="Mis registros")).to_be_visible()
    buyer_page.get_by_role("link", name="Nuevo registro").click()
    expect(buyer_page.get_by_role("heading", level=1)).to_have_text("Nuevo registro")
    buyer_page.get_by_label("Nombre completo o NIT de la Entidad").fill("alcaldia sogamoso")
    buyer_page.get_by_role("button", name="Buscar").click()
    row = buyer_page.locator("tbody tr").filter(has_text=sogamoso.nombre)
    expect(row).to_contain_text(sogamoso.nit_con_dv)
    expect(buyer_page.locator("tbody")).not_to_contain_text(boyaca.nombre)
    row.get_by_role("link", name="Solicitar").click()

    # "Solicitud de acceso" → "Finalizar": "Esperando aprobación" in "Mis registros".
    expect(buyer_page.get_by_role("heading", level=1)).to_have_text("Solicitud de acceso")
    buyer_page.get_by_label("Mensaje para los administradores (opcional)").fill(MESSAGE)
    buyer_page.get_by_role("button", name="Finalizar").click()
    expect(buyer_page.get_by_role("status")).to_contain_text("Su solicitud quedó «Esperando aprobación».")
    request_row = buyer_page.locator("tbody tr").filter(has_text=sogamoso.nombre)
    expect(request_row).to_contain_text("Esperando aprobación")
    expect(request_row.get_by_role("button", name="Cancelar")).to_be_visible()

    # 2. The administrator of A is told over SMTP, with a link to the entity.
    requested = text_of(smtp_sink.wait_for(to=admin_a.email, subject=f"Solicitud de acceso a {sogamoso.nombre}"))
    assert f"{buyer.full_name} ({buyer.email}) pidió acceso a la Entidad {sogamoso.nombre}" in requested
    assert MESSAGE in requested
    link = re.search(rf"{re.escape(live_server.url)}/entidades/{sogamoso.pk}/", requested)
    assert link, requested
    assert not [m for m in smtp_sink.messages if admin_b.email in str(m["To"])]

    # ... logs in (their own browser context), follows it and accepts from "Solicitudes de acceso".
    admin_page = new_page(browser)
    log_in(admin_page, live_server, admin_a)
    admin_page.goto(link.group(0))
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(f"Escritorio: {sogamoso.nombre}")
    admin_page.get_by_role("navigation", name="Configuración de la Entidad").get_by_role(
        "link", name="Solicitudes de acceso"
    ).click()
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Solicitudes de acceso")
    card = admin_page.locator("article").filter(
        has=admin_page.get_by_role("heading", name=f"{buyer.full_name} ({buyer.username})")
    )
    expect(card).to_contain_text(MESSAGE)
    card.get_by_label("Rol", exact=True).select_option(label="Comprador")
    card.get_by_role("button", name="Aceptar").click()
    expect(admin_page.get_by_role("status")).to_contain_text("Solicitud aprobada.")
    expect(admin_page.get_by_text("No hay solicitudes esperando aprobación.")).to_be_visible()
    decided = admin_page.locator("tbody tr").filter(has_text=buyer.username)
    expect(decided).to_contain_text("Aprobada")
    expect(decided).to_contain_text(admin_a.username)

    # 3. The buyer is told over SMTP that they can act for the entity; the link opens its desktop.
    approved = text_of(smtp_sink.wait_for(to=buyer.email, subject=f"Su acceso a {sogamoso.nombre} fue aprobado"))
    assert f"aprobó su solicitud de acceso a la Entidad {sogamoso.nombre}. Ya puede actuar por ella." in approved
    link = re.search(rf"{re.escape(live_server.url)}/entidades/{sogamoso.pk}/", approved)
    assert link, approved
    buyer_page.goto(link.group(0))
    expect(buyer_page).to_have_url(f"{live_server.url}/entidad/")
    expect_escritorio_of(buyer_page, sogamoso, boyaca)
    header = buyer_page.locator("header.site-header")
    expect(header.get_by_role("link", name=f"Escritorio de {sogamoso.nombre}")).to_have_text(sogamoso.nombre)
    expect(header.get_by_label("Actúa a nombre de")).to_have_count(0)  # one entity: nothing to choose

    # 4. The buyer also joins B (through the services: the UI path was just covered).
    solicitud = access.solicitud_create(user=buyer, entidad=boyaca)
    access.solicitud_approve(solicitud=solicitud, admin=admin_b)
    assert SolicitudAcceso.objects.get(pk=solicitud.pk).estado == SolicitudAcceso.Estado.APROBADA

    # 5. After a reload the header offers both, still acting for A; each choice shows that entity only.
    buyer_page.reload()
    switcher = header.get_by_label("Actúa a nombre de")
    expect(switcher).to_be_visible()
    expect(switcher.locator("option")).to_have_text([sogamoso.nombre, boyaca.nombre])  # by name
    expect(switcher).to_have_value(str(sogamoso.pk))
    expect_escritorio_of(buyer_page, sogamoso, boyaca)
    # From a console page, switching lands on the desktop of the entity chosen.
    switch_to(buyer_page, boyaca)
    expect(buyer_page).to_have_url(f"{live_server.url}/entidad/")
    expect_escritorio_of(buyer_page, boyaca, sogamoso)
    switch_to(buyer_page, sogamoso)
    expect_escritorio_of(buyer_page, sogamoso, boyaca)
    # Elsewhere ("Mis registros"), switching keeps the page; the header leads to the desktop.
    header.get_by_role("link", name="Configuración del usuario").click()
    buyer_page.get_by_role("navigation", name="Secciones de la configuración").get_by_role(
        "link", name="Mis registros"
    ).click()
    for entidad in (sogamoso, boyaca):
        expect(buyer_page.locator("tbody tr").filter(has_text=entidad.nombre)).to_contain_text("Con acceso (Comprador)")
    switch_to(buyer_page, boyaca)
    expect(buyer_page).to_have_url(f"{live_server.url}/entidades/mis-registros/")
    header.get_by_role("link", name=f"Escritorio de {boyaca.nombre}").click()
    expect_escritorio_of(buyer_page, boyaca, sogamoso)
    buyer_page.screenshot(path=SCREENSHOT, full_page=True)
    # The console's menu has no "Solicitudes de acceso" for a Comprador ...
    tabs = buyer_page.get_by_role("navigation", name="Configuración de la Entidad")
    expect(tabs.get_by_role("link", name="Escritorio")).to_be_visible()
    expect(tabs.get_by_role("link", name="Solicitudes de acceso")).to_have_count(0)
    # ... and the page itself is refused.
    response = buyer_page.goto(f"{live_server.url}/entidad/solicitudes/")
    assert response.status == 403
    expect(buyer_page.get_by_role("heading", level=1)).to_have_text("Acceso no permitido")
    expect(buyer_page.locator("main")).to_contain_text("Aprobar o rechazar solicitudes de acceso")

    assert set(Membresia.objects.filter(usuario=buyer, activa=True).values_list("entidad_id", "rol")) == {
        (sogamoso.pk, Membresia.Rol.COMPRADOR),
        (boyaca.pk, Membresia.Rol.COMPRADOR),
    }
