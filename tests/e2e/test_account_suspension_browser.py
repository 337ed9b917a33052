"""The Mesa de Servicio suspends a supplier account in a real browser: it finds the account in
"Cuentas", tries without a reason (the error summary takes the focus and links to the field), then
suspends it with one; the account's Administrador is told over SMTP, the switcher no longer offers
the account and its desktop says why; the desk reactivates it. Every page passes axe-core (WCAG 2.1
AA) under the site's CSP."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from tests.e2e.conftest import assert_accessible, new_page, text_of
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory, ProveedorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MOTIVO = "Documentos adulterados en un proceso de contratación."


def sign_in_directly(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_the_desk_suspends_and_reactivates_a_supplier_account(live_server, browser, smtp_sink):
    proveedor = ProveedorFactory(nombre="PAPELERIA LOS ANDES SAS", correo_notificaciones="avisos@papeleria.co")
    admin = MembresiaFactory(entidad=proveedor, usuario__email="gerente@papeleria.co").usuario
    MembresiaFactory(entidad=proveedor, rol=Membresia.Rol.COMPRADOR)
    # The administrator also belongs to a State entity, so the header's switcher is shown.
    MembresiaFactory(
        usuario=admin,
        entidad=EntidadFactory(nombre="ALCALDIA DE CHIA", estado=Entidad.Estado.ACTIVA),
        rol=Membresia.Rol.COMPRADOR,
    )
    desk = new_page(browser)
    sign_in_directly(desk, live_server, DeskUserFactory(username="mesa.e2e"))

    # "Cuentas", from the desk's navigation; search by name and kind.
    desk.goto(f"{live_server.url}/mesa/")
    desk.get_by_role("navigation", name="Secciones de la Mesa de Servicio").get_by_role("link", name="Cuentas").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Cuentas")
    desk.get_by_label("Nombre o NIT de la cuenta").fill("papeleria andes")
    desk.get_by_label("Tipo de cuenta").select_option("proveedor")
    desk.get_by_role("button", name="Buscar").click()
    assert_accessible(desk)
    desk.get_by_role("link", name="PAPELERIA LOS ANDES SAS").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("PAPELERIA LOS ANDES SAS")
    expect(desk.get_by_role("cell", name="Usuario del Proveedor")).to_be_visible()
    assert_accessible(desk)

    # Without a reason: the summary takes the focus, links to the field, nothing changes.
    desk.get_by_role("button", name="Suspender cuenta").click()
    summary = desk.locator("#resumen-errores")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Escriba el motivo de la suspensión.")
    assert_accessible(desk)
    summary.get_by_role("link").click()
    expect(desk.get_by_label("Motivo de la suspensión")).to_be_focused()
    proveedor.refresh_from_db()
    assert proveedor.estado == Entidad.Estado.ACTIVA

    desk.get_by_label("Motivo de la suspensión").fill(MOTIVO)
    desk.get_by_role("button", name="Suspender cuenta").click()
    expect(desk.get_by_role("status")).to_contain_text("La cuenta quedó «Suspendida»")
    expect(desk.get_by_role("heading", name="Cuenta suspendida")).to_be_visible()
    assert_accessible(desk)
    message = smtp_sink.wait_for(to="gerente@papeleria.co", subject="fue suspendida")
    assert MOTIVO in text_of(message) and "avisos@papeleria.co" in str(message["To"])

    # The account's administrator: the switcher offers it disabled; its desktop says why.
    member = new_page(browser)
    sign_in_directly(member, live_server, admin)
    member.goto(f"{live_server.url}/entidad/")
    switcher = member.get_by_label("Actúa a nombre de")
    expect(switcher.locator("option", has_text="PAPELERIA LOS ANDES SAS (cuenta suspendida)")).to_be_disabled()
    member.goto(f"{live_server.url}/entidades/{proveedor.pk}/")
    expect(member.get_by_role("heading", name="La cuenta está suspendida")).to_be_visible()
    expect(member.get_by_text(f"Motivo: {MOTIVO}")).to_be_visible()
    assert_accessible(member)

    # Reactivated, the account can be chosen and acted for again.
    desk.get_by_label("Motivo de la reactivación").fill("Aclaró la situación con la Mesa de Servicio.")
    desk.get_by_role("button", name="Reactivar cuenta").click()
    expect(desk.get_by_role("status")).to_contain_text("La cuenta quedó «Activa» de nuevo")
    smtp_sink.wait_for(to="gerente@papeleria.co", subject="está activa de nuevo")
    member.goto(f"{live_server.url}/entidad/")
    member.get_by_label("Actúa a nombre de").select_option(label="PAPELERIA LOS ANDES SAS")
    member.get_by_role("button", name="Cambiar").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Escritorio: PAPELERIA LOS ANDES SAS")
    expect(member.get_by_text("Usted es Usuario Administrador de esta cuenta.")).to_be_visible()
    assert_accessible(member)
    member.goto(f"{live_server.url}/entidad/usuarios/")
    expect(member.get_by_role("heading", level=1)).to_have_text("Usuarios de la Entidad")
    assert_accessible(member)
