"""The guide's §7 end to end through the HTTP layer: a new user registers, finds their entity with
"Validar" in section 3, asks for access ("Solicitud de acceso" → "Finalizar"), its administrator
accepts from the entity console, and the user acts for the entity; then (§7.A) the same user asks
for a second entity from "Configuración del usuario" → "Mis registros" → "Nuevo registro", and
after approval switches between both with the header's "Actúa a nombre de". Also a rejection with
its reason, and R5.4: without any entity, /entidad/ says so and offers the request."""

import html as html_lib
import re

import pytest
from django.core import mail
from django.test import Client

from registro.accounts.models import User
from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia, SolicitudAcceso
from tests.accounts.test_signup import form_data
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
USERNAME, PASSWORD = "anaperez", "Cl4ve#Segura-2026"  # form_data's
REASON = "No encontramos su vinculación con la Secretaría de Hacienda."


def href(page: str, text: str) -> str:
    """The address of the link (or button-link) whose visible text is `text`."""
    for match in re.finditer(r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', page, re.S):
        if re.sub(r"<[^>]+>|\s+", " ", match.group(2)).strip() == text:
            return html_lib.unescape(match.group(1))
    raise AssertionError(f"No link «{text}» in the page")


def h1(page: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1\b[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


def main(page: str) -> str:
    """The page without its header (which names the entity acted for) and footer."""
    return re.search(r"<main\b.*?</main>", page, re.S).group(0)


def decision_form(page: str, decision: str) -> str:
    [action] = re.findall(rf'action="(/entidad/solicitudes/\d+/{decision}/)"', page)
    return action


def the_mail(to: str, subject: str):
    [message] = [m for m in mail.outbox if m.to == [to] and subject in m.subject]
    return message


def entity_with_admin(nombre: str, nit: str, username: str) -> tuple[Entidad, User]:
    admin = UserFactory(username=username, email=f"{username}@entidad.gov.co")
    entidad = EntidadFactory(nombre=nombre, nit=nit, estado=Entidad.Estado.ACTIVA)
    MembresiaFactory(usuario=admin, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
    return entidad, admin


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def register_and_enter(sent) -> tuple[Client, User]:
    """Sections 1–2: "Registrar usuario", the confirmation link with the terms, "Entrar"."""
    browser = Client()
    response = sent(browser.post, "/cuentas/signup/", form_data(), follow=True)
    assert "Confirmar registro" in response.content.decode()
    [message] = mail.outbox
    link = re.search(r"http://testserver(/cuentas/confirm-email/\w+/)", message.body).group(1)
    browser.post(link, {"accept_terms": "on"})
    response = browser.post("/cuentas/login/", {"login": USERNAME, "password": PASSWORD}, follow=True)
    assert "Crear o solicitar acceso a una Entidad" in response.content.decode()
    mail.outbox.clear()
    return browser, User.objects.get(username=USERNAME)


def approve_from_console(admin: User, sent, *, entidad: Entidad, requester: User) -> None:
    """The administrator follows the e-mail's link to the console and "Aceptar" as Comprador."""
    message = the_mail(admin.email, f"Solicitud de acceso a {entidad.nombre}")
    assert f"{requester.full_name} ({requester.email}) pidió acceso a la Entidad {entidad.nombre}" in message.body
    link = re.search(rf"{SITE}(/entidades/{entidad.pk}/)", message.body).group(1)
    console = logged_in(admin)
    escritorio = console.get(link, follow=True).content.decode()
    assert h1(escritorio) == f"Escritorio: {entidad.nombre}"
    solicitudes = console.get(href(escritorio, "Hay 1 solicitud de acceso esperando aprobación.")).content.decode()
    assert h1(solicitudes) == "Solicitudes de acceso"
    assert f"{requester.full_name} ({requester.username})" in solicitudes and ">Aceptar<" in solicitudes
    response = sent(console.post, decision_form(solicitudes, "aprobar"), {"rol": Membresia.Rol.COMPRADOR}, follow=True)
    assert "Solicitud aprobada." in response.content.decode()
    assert [m.to for m in mail.outbox[-1:]] == [[requester.email]]


def test_register_request_access_act_then_a_second_entity_and_switch(sent, settings):
    settings.SITE_URL = SITE
    tunja, admin_tunja = entity_with_admin("ALCALDÍA MAYOR DE TUNJA", "891800846", "admin.tunja")
    duitama, admin_duitama = entity_with_admin("ALCALDÍA DE DUITAMA", "891855138", "admin.duitama")
    browser, ana = register_and_enter(sent)

    # §3 "Validar" with the NIT: the entity is registered, and it takes requests.
    landing = browser.get("/entidades/", {"q": tunja.nit_con_dv}).content.decode()
    assert ">Validar<" in landing
    assert f"ya está registrado a nombre de {tunja.nombre}" in landing
    assert duitama.nombre not in landing
    request_page = browser.get(href(landing, "Solicitud de acceso")).content.decode()
    assert h1(request_page) == "Solicitud de acceso"
    assert f"Va a pedir acceso a <strong>{tunja.nombre}</strong>" in request_page
    response = sent(
        browser.post, f"/entidades/{tunja.pk}/solicitar/", {"mensaje": "Soy de la oficina de contratos."}, follow=True
    )
    listing = response.content.decode()
    assert response.redirect_chain[-1][0] == "/entidades/mis-registros/"
    assert "Su solicitud quedó «Esperando aprobación»." in listing
    assert re.search(rf"{tunja.nombre}</td><td>{tunja.nit_con_dv}</td>\s*<td>Esperando aprobación<", listing)
    # Nothing to act for yet.
    assert "entidad-activa" not in listing
    assert browser.get("/entidad/").url == "/entidades/"

    # The administrator is told, and accepts from the console.
    assert [m.to for m in mail.outbox] == [[admin_tunja.email]]
    assert "Soy de la oficina de contratos." in mail.outbox[0].body
    approve_from_console(admin_tunja, sent, entidad=tunja, requester=ana)

    # The user is told they can now act for the entity, and does.
    approved = the_mail(ana.email, f"Su acceso a {tunja.nombre} fue aprobado")
    assert f"aprobó su solicitud de acceso a la Entidad {tunja.nombre}. Ya puede actuar por ella." in approved.body
    link = re.search(rf"{SITE}(/entidades/{tunja.pk}/)", approved.body).group(1)
    response = browser.get(link, follow=True)
    assert response.redirect_chain == [("/entidad/", 302)]
    escritorio = browser.get("/entidad/").content.decode()
    assert h1(escritorio) == f"Escritorio: {tunja.nombre}"
    assert "Usted es Usuario Comprador de esta Entidad." in escritorio
    assert "entidad-activa" not in escritorio  # one entity: no switcher, just its name in the header
    assert browser.get("/entidad/solicitudes/").status_code == 403
    assert "Con acceso (Comprador)" in browser.get("/entidades/mis-registros/").content.decode()

    # §7.A: "Configuración del usuario" → "Mis registros" → "Nuevo registro" → "Buscar" → "Solicitar".
    mail.outbox.clear()
    settings_page = browser.get(href(escritorio, "Configuración del usuario")).content.decode()
    mis_registros = browser.get(href(settings_page, "Mis registros")).content.decode()
    nuevo = href(mis_registros, "Nuevo registro")
    assert h1(browser.get(nuevo).content.decode()) == "Nuevo registro"
    found = browser.get(nuevo, {"q": "duitama"}).content.decode()  # "Buscar"
    assert duitama.nombre in main(found) and tunja.nombre not in main(found)
    assert href(found, "Solicitar") == f"/entidades/{duitama.pk}/solicitar/"
    assert ">Finalizar<" in browser.get(href(found, "Solicitar")).content.decode()
    sent(browser.post, href(found, "Solicitar"), {"mensaje": ""})
    assert SolicitudAcceso.objects.get(usuario=ana, entidad=duitama).estado == SolicitudAcceso.Estado.PENDIENTE
    approve_from_console(admin_duitama, sent, entidad=duitama, requester=ana)
    approved = the_mail(ana.email, f"Su acceso a {duitama.nombre} fue aprobado")
    # Being accepted does not change the entity acted for; the e-mail's link does.
    assert h1(browser.get("/entidad/").content.decode()) == f"Escritorio: {tunja.nombre}"
    link = re.search(rf"{SITE}(/entidades/{duitama.pk}/)", approved.body).group(1)
    assert h1(browser.get(link, follow=True).content.decode()) == f"Escritorio: {duitama.nombre}"

    # Both entities in the header's switcher; each page acts for exactly one.
    page = browser.get("/entidad/").content.decode()
    switcher = re.search(r'<select name="entidad" id="entidad-activa">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d+)"', switcher) == [str(duitama.pk), str(tunja.pk)]  # by name
    assert 'for="entidad-activa">Actúa a nombre de</label>' in page
    for entidad, other in [(duitama, tunja), (tunja, duitama), (duitama, tunja)]:
        response = browser.post("/entidad/cambiar/", {"entidad": entidad.pk, "next": "/entidad/"}, follow=True)
        assert response.redirect_chain == [("/entidad/", 302)]
        page = response.content.decode()
        assert f"Ahora actúa a nombre de {entidad.nombre}." in page
        assert h1(page) == f"Escritorio: {entidad.nombre}"
        assert f"{entidad.nombre} · NIT {entidad.nit_con_dv}" in page
        assert re.search(rf'<option value="{entidad.pk}" selected>', page)
        assert other.nombre not in main(page)
    # An entity the user does not belong to cannot be chosen.
    assert browser.post("/entidad/cambiar/", {"entidad": EntidadFactory().pk}).status_code == 404
    assert Membresia.objects.filter(usuario=ana, rol=Membresia.Rol.COMPRADOR, activa=True).count() == 2


def test_rejection_reaches_the_user_with_its_reason(sent, settings):
    settings.SITE_URL = SITE
    hacienda, admin = entity_with_admin("SECRETARÍA DE HACIENDA DE BOYACÁ", "891800498", "admin.hacienda")
    buyer = UserFactory(username="pedro.comprador", email="pedro@correo.gov.co")
    client = logged_in(buyer)
    found = client.get("/entidades/mis-registros/nuevo/", {"q": "hacienda boyaca"}).content.decode()
    sent(client.post, href(found, "Solicitar"), {"mensaje": "Trabajo en la Secretaría."})

    console = logged_in(admin)
    solicitudes = console.get("/entidad/solicitudes/").content.decode()
    mail.outbox.clear()
    # The reason is required.
    response = console.post(decision_form(solicitudes, "rechazar"), {"motivo": "  "}, follow=True)
    assert "Escriba el motivo del rechazo." in response.content.decode()
    assert SolicitudAcceso.objects.get(usuario=buyer).estado == SolicitudAcceso.Estado.PENDIENTE
    response = sent(console.post, decision_form(solicitudes, "rechazar"), {"motivo": REASON}, follow=True)
    assert "Solicitud rechazada." in response.content.decode()

    message = the_mail(buyer.email, f"Su solicitud de acceso a {hacienda.nombre} fue rechazada")
    assert f"rechazó su solicitud de acceso a la Entidad {hacienda.nombre}" in message.body
    assert REASON in message.body
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    listing = client.get("/entidades/mis-registros/").content.decode()
    assert f"Rechazada: {REASON}" in listing
    assert not Membresia.objects.filter(usuario=buyer, entidad=hacienda).exists()
    # Still without an entity: the console is not for them.
    assert client.get("/entidad/").url == "/entidades/"


def test_without_any_entity_the_console_says_so_and_offers_the_request():
    """R5.4."""
    EntidadFactory(nombre="ALCALDÍA DE PAIPA", estado=Entidad.Estado.ACTIVA)
    client = logged_in(UserFactory())
    response = client.get("/entidad/", follow=True)
    assert response.redirect_chain == [("/entidades/", 302)]
    page = response.content.decode()
    assert "Usted aún no tiene acceso a ninguna Entidad Estatal: valide su Entidad" in page
    assert "Su usuario aún no tiene acceso a ninguna cuenta: ni de una Entidad Estatal ni de un Proveedor." in page
    assert "Solicitar acceso a una cuenta registrada" in page and ">Validar<" in page
    # The same for the console's other pages, and no switcher in the header.
    for path in ["/entidad/solicitudes/", "/entidad/usuarios/", "/entidad/unidades/"]:
        assert client.get(path).url == "/entidades/", path
    assert "entidad-activa" not in page
    # "Validar" on that page leads to the request.
    found = client.get("/entidades/", {"q": "paipa"}).content.decode()
    assert href(found, "Solicitud de acceso").endswith("/solicitar/")
