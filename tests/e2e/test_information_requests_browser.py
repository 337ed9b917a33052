"""Solicitudes de información in a real browser, each page checked with axe-core: an entity user
creates a request (codes chosen with the UNSPSC picker, a wrong deadline shown in the error
summary), invites automatically, watches the counts; the supplier opens the link of the e-mail,
received over SMTP, and answers; the entity sees the answer."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from registro.core.services import unspsc_load
from registro.entities.account.models import AreaInteres, Entidad, TipoCuenta
from registro.entities.information_requests.models import InvitacionSolicitud, SolicitudInformacion
from registro.entities.information_requests.services import BOGOTA
from tests.e2e.conftest import assert_accessible
from tests.factories import EntidadFactory, MembresiaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in_directly(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_request_invite_answer(live_server, page, smtp_sink):
    unspsc_load()
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA, nombre="GOBERNACION DE BOYACA")
    admin = MembresiaFactory(entidad=entidad).usuario
    proveedor = EntidadFactory(
        estado=Entidad.Estado.ACTIVA,
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        nombre="COMPUTO ANDINO SAS",
        correo_notificaciones="ventas@computoandino.com.co",
    )
    AreaInteres.objects.create(entidad=proveedor, codigo_id="43211503", prefijo="43211503", principal=True)
    vendedor = MembresiaFactory(entidad=proveedor).usuario

    sign_in_directly(page, live_server, admin)
    page.goto(f"{live_server.url}/entidad/solicitudes-informacion/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Solicitudes de información")
    assert_accessible(page)
    page.get_by_role("link", name="Nueva solicitud de información").click()
    page.get_by_label("Título").fill("Cotización de computadores portátiles")
    page.get_by_label("Descripción").fill("40 equipos para las sedes rurales.")
    page.get_by_label("Buscar por código o nombre").fill("computadores")
    page.get_by_role("button", name="Buscar en el clasificador").click()
    expect(page.get_by_label("Título")).to_have_value("Cotización de computadores portátiles")
    page.locator("#buscar-43211500").check()
    page.get_by_role("button", name="Agregar los marcados").first.click()
    expect(page.locator("#area-43211500")).to_be_checked()
    assert_accessible(page)
    page.get_by_label("Fecha límite").fill("2020-01-01")
    page.get_by_label("Hora límite (hora de Bogotá)").fill("17:00")
    page.get_by_role("button", name="Crear solicitud").click()
    summary = page.locator("#resumen-errores")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("posterior al momento actual")
    assert_accessible(page)
    assert not SolicitudInformacion.objects.exists()
    fecha = timezone.localtime(timezone.now() + timedelta(days=4), BOGOTA).strftime("%Y-%m-%d")
    page.get_by_label("Fecha límite").fill(fecha)
    page.get_by_label("Hora límite (hora de Bogotá)").fill("17:00")
    page.get_by_role("button", name="Crear solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cotización de computadores portátiles")
    expect(page.locator("[data-plazo]")).to_have_text(re.compile(r"^Faltan \d+ días"))
    assert_accessible(page)

    page.get_by_role("button", name="Invitar automáticamente por áreas de interés").click()
    expect(page.get_by_role("status")).to_contain_text("Invitación automática en curso")
    expect(page.locator("#n-invitados")).to_have_text("1")
    assert_accessible(page)
    message = smtp_sink.wait_for(to="ventas@computoandino.com.co")
    path = re.search(
        r"https?://[^/\s]+(/proveedor/invitaciones-recibidas/\d+/)", message.get_body(("plain",)).get_content()
    ).group(1)

    sign_in_directly(page, live_server, vendedor)
    page.goto(f"{live_server.url}/proveedor/invitaciones-recibidas/")
    expect(page.get_by_role("link", name="Cotización de computadores portátiles")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cotización de computadores portátiles")
    assert_accessible(page)
    page.get_by_role("button", name="Enviar respuesta").click()
    expect(page.locator("#resumen-errores")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Su respuesta").fill("Ofrecemos 40 equipos a $2.400.000 cada uno.")
    page.get_by_role("button", name="Enviar respuesta").click()
    expect(page.get_by_role("status")).to_contain_text("Respuesta enviada a GOBERNACION DE BOYACA")
    expect(page.locator("#estado-invitacion")).to_have_text("Respondida")
    assert InvitacionSolicitud.objects.get().estado == "respondida"

    sign_in_directly(page, live_server, admin)
    page.goto(f"{live_server.url}/entidad/solicitudes-informacion/{SolicitudInformacion.objects.get().pk}/")
    expect(page.locator("#n-respondidas")).to_have_text("1")
    expect(page.get_by_text("Ofrecemos 40 equipos")).to_be_visible()
