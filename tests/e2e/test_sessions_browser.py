"""Active sessions and reauthentication in a real browser (ADR 0018). The same user is logged in in
two browsers; from "Accesos del usuario" the first ends the second, which is sent to log in at its
next click. Then the desk, whose proof of identity is older than the window, suspends an account:
it is asked to confirm its password and, once it does, the suspension it had sent is done. Every
page passes axe-core (WCAG 2.1 AA) under the site's CSP."""

import re

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from registro.accounts.models import AccessEvent
from registro.entities.account.models import Entidad
from tests.e2e.conftest import assert_accessible, log_in, new_page
from tests.factories import PASSWORD, DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SESSIONS_SCREENSHOT = "/tmp/e2e-sesiones-activas.png"
REAUTH_SCREENSHOT = "/tmp/e2e-confirmar-identidad.png"


def _expire_proofs(page) -> None:
    """Moves the browser's sign-in back past the reauthentication window, as time would."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    past = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - past} for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()


def test_one_browser_ends_the_other_from_accesos_del_usuario(live_server, browser):
    user = UserFactory(username="ana.sesiones")
    laptop, phone = new_page(browser), new_page(browser)
    log_in(laptop, live_server, user)
    log_in(phone, live_server, user)

    laptop.goto(f"{live_server.url}/usuario/accesos/")
    sessions = laptop.get_by_role("table", name="Sesiones activas")
    expect(sessions.get_by_role("row")).to_have_count(3)  # the header and two sessions
    expect(sessions.get_by_text("Esta sesión")).to_be_visible()
    assert_accessible(laptop)
    laptop.locator("#sesiones").scroll_into_view_if_needed()
    laptop.screenshot(path=SESSIONS_SCREENSHOT, full_page=True)

    close = sessions.get_by_role("button", name=re.compile(r"^Cerrar la sesión de "))
    expect(close).to_have_count(1)
    close.click()
    expect(laptop.get_by_role("status")).to_contain_text("Cerramos esa sesión")
    expect(laptop.get_by_role("table", name="Sesiones activas").get_by_role("row")).to_have_count(2)
    assert_accessible(laptop)

    # The other browser is logged out at its next request.
    phone.goto(f"{live_server.url}/usuario/accesos/")
    expect(phone).to_have_url(re.compile(r"/cuentas/login/\?next=/usuario/accesos/"))
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.SESSION_ENDED).count() == 1


def test_a_sensitive_action_asks_for_the_password_and_then_completes(live_server, browser):
    cuenta = EntidadFactory(nombre="ALCALDIA DE SOPO", estado=Entidad.Estado.ACTIVA)
    MembresiaFactory(entidad=cuenta)
    desk_user = DeskUserFactory(username="mesa.confirma")
    desk = new_page(browser)
    log_in(desk, live_server, desk_user)
    _expire_proofs(desk)

    desk.goto(f"{live_server.url}/mesa/cuentas/{cuenta.pk}/")
    desk.get_by_label("Motivo de la suspensión").fill("Suplantación del representante legal.")
    desk.get_by_role("button", name="Suspender cuenta").click()

    expect(desk.get_by_role("heading", level=1)).to_have_text("Confirme su identidad")
    expect(desk.get_by_role("status")).to_contain_text("«Suspender una cuenta» es una acción sensible")
    assert_accessible(desk)
    desk.screenshot(path=REAUTH_SCREENSHOT, full_page=True)
    cuenta.refresh_from_db()
    assert cuenta.estado == Entidad.Estado.ACTIVA

    desk.get_by_label("Contraseña").fill(PASSWORD)
    desk.get_by_role("button", name="Confirmar y continuar").click()
    expect(desk).to_have_url(f"{live_server.url}/mesa/cuentas/{cuenta.pk}/")
    expect(desk.get_by_role("status")).to_contain_text("La cuenta quedó «Suspendida»")
    assert_accessible(desk)
    cuenta.refresh_from_db()
    assert cuenta.estado == Entidad.Estado.SUSPENDIDA
    assert cuenta.eventos.filter(motivo="Suplantación del representante legal.").exists()
    assert AccessEvent.objects.filter(user=desk_user, kind=AccessEvent.Kind.REAUTHENTICATED).exists()


DESK_SCREENSHOT = "/tmp/e2e-mesa-cerrar-sesiones.png"


def test_the_desk_ends_a_users_sessions_with_a_reason(live_server, browser, smtp_sink):
    user = UserFactory(username="luis.robado", email="luis@alcaldia.gov.co")
    victim = new_page(browser)
    log_in(victim, live_server, user)
    desk = new_page(browser)
    log_in(desk, live_server, DeskUserFactory(username="mesa.incidente"))

    desk.goto(f"{live_server.url}/mesa/usuarios/{user.pk}/")
    expect(desk.get_by_role("table", name="Sesiones activas del usuario").get_by_role("row")).to_have_count(2)
    desk.get_by_role("button", name="Cerrar todas las sesiones").click()
    summary = desk.locator("#resumen-errores")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Escriba el motivo por el que cierra las sesiones del usuario.")
    assert_accessible(desk)

    desk.get_by_label("Motivo").fill("Reportó el robo de su portátil.")
    desk.get_by_role("button", name="Cerrar todas las sesiones").click()
    expect(desk.get_by_role("status")).to_contain_text("Cerramos las sesiones de luis.robado (1)")
    expect(desk.get_by_text("El usuario no tiene sesiones abiertas.")).to_be_visible()
    assert_accessible(desk)
    desk.locator("#sesiones").scroll_into_view_if_needed()
    desk.screenshot(path=DESK_SCREENSHOT, full_page=True)
    message = smtp_sink.wait_for(to="luis@alcaldia.gov.co", subject="cerró sus sesiones")
    assert "Reportó el robo de su portátil." in message.get_body(("plain",)).get_content()

    victim.goto(f"{live_server.url}/usuario/accesos/")
    expect(victim).to_have_url(re.compile(r"/cuentas/login/"))
