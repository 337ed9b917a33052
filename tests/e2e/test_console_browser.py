"""The entity console in a real browser: an administrator invites someone (a wrong address is
shown in the error summary, which takes the focus, and nothing is lost), defines a role, and
deleting it asks first; the invitee accepts from the e-mail's link, received over SMTP."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_directly(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_invite_define_a_role_and_confirm_deletion(live_server, page, smtp_sink):
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA, nombre="ALCALDIA DE IBAGUE")
    admin = MembresiaFactory(entidad=entidad).usuario
    invitee = UserFactory(email="nueva.compradora@ibague.gov.co")
    sign_in_directly(page, live_server, admin)

    # A role from the catalogue.
    page.goto(f"{live_server.url}/entidad/roles/")
    page.get_by_label("Nombre del rol").fill("Contratación directa")
    page.get_by_label("Ver el historial de la Entidad").check()
    page.get_by_role("button", name="Crear rol").click()
    expect(page.get_by_role("status")).to_contain_text("Rol creado.")
    expect(page.get_by_role("cell", name="Contratación directa")).to_be_visible()

    # An invitation with a wrong address keeps what was typed and focuses the summary.
    page.goto(f"{live_server.url}/entidad/invitaciones/")
    page.get_by_label("Correo electrónico de la persona invitada").fill("no-es-un-correo")
    page.get_by_label("Mensaje (opcional)").fill("Bienvenida al equipo de contratación.")
    page.get_by_label("Contratación directa").check()
    page.get_by_role("button", name="Enviar invitación").click()
    summary = page.locator("#resumen-errores")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Correo electrónico de la persona invitada")
    expect(page.get_by_label("Mensaje (opcional)")).to_have_value("Bienvenida al equipo de contratación.")
    expect(page.get_by_label("Contratación directa")).to_be_checked()
    page.get_by_label("Correo electrónico de la persona invitada").fill(invitee.email)
    page.get_by_role("button", name="Enviar invitación").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitación enviada a {invitee.email}.")
    message = smtp_sink.wait_for(to=invitee.email)
    path = re.search(r"https?://[^/\s]+(/invitaciones/\S+/)", message.get_body(("plain",)).get_content()).group(1)

    # Deleting the role asks first: dismissed, nothing happens; accepted, it is gone.
    page.goto(f"{live_server.url}/entidad/roles/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Eliminar").click()
    expect(page.get_by_role("cell", name="Contratación directa")).to_be_visible()
    assert RolEntidad.objects.filter(entidad=entidad).exists()

    # The invitee accepts from the link and acts for the entity with the role invited.
    sign_in_directly(page, live_server, invitee)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitación a ALCALDIA DE IBAGUE")
    page.get_by_role("button", name="Aceptar invitación").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Escritorio: ALCALDIA DE IBAGUE")
    expect(page.get_by_text("Roles adicionales: Contratación directa")).to_be_visible()
    membresia = Membresia.objects.get(usuario=invitee, entidad=entidad)
    assert [r.nombre for r in membresia.roles.all()] == ["Contratación directa"]
    assert Invitacion.objects.get().estado == Invitacion.Estado.ACEPTADA

    sign_in_directly(page, live_server, admin)
    page.goto(f"{live_server.url}/entidad/roles/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Eliminar").click()
    expect(page.get_by_role("status")).to_contain_text("Rol eliminado.")
    assert not RolEntidad.objects.filter(entidad=entidad).exists()
