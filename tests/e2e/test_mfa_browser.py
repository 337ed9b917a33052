"""Two-step verification in a real browser (ADR 0017), with real codes: an Administrador past the
grace is held at the setup after logging in; she sets up an authenticator app from the secret the
page shows (the TOTP code computed here with pyotp), keeps her recovery codes, logs out, logs in
with the app's code, then with a recovery code; she registers a security key (Chromium's virtual
authenticator, through allauth's self-hosted scripts under the site's CSP). She loses everything:
the desk finds her in "Usuarios" and removes her factors with a reason; she is told by e-mail and
logs in with her password alone, with a new grace. Every page passes axe-core (WCAG 2.1 AA)."""

import datetime
import re
import time

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from registro.accounts.models import AccessEvent, User
from registro.entities.account.models import Entidad
from tests.e2e.conftest import assert_accessible, field, log_in, new_page, submit_login, text_of
from tests.factories import PASSWORD, DeskUserFactory, EntidadFactory, MembresiaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = "/tmp"
MOTIVO = "Perdió el teléfono y sus códigos; identidad comprobada por videollamada con su cédula."


def _fresh_code(secret: str, used: set[str]) -> str:
    """The app's current code, once it is one not used yet (a code logs in only once)."""
    totp = pyotp.TOTP(secret)
    while (code := totp.now()) in used:
        time.sleep(1)
    used.add(code)
    return code


def _log_out(page: Page, username: str) -> None:
    page.get_by_role("button", name=f"Salir ({username})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")


def test_an_administrator_sets_up_uses_loses_and_recovers_a_second_factor(live_server, browser, smtp_sink, settings):
    entidad = EntidadFactory(nombre="ALCALDIA DE ZIPAQUIRA", estado=Entidad.Estado.ACTIVA)
    ana = MembresiaFactory(
        entidad=entidad, usuario__username="ana.admin", usuario__email="ana@zipaquira.gov.co"
    ).usuario
    User.objects.filter(pk=ana.pk).update(mfa_grace_started_at=timezone.now() - datetime.timedelta(days=8))
    page = new_page(browser)

    # Past her grace: after the password, the setup page; nothing else is reachable.
    submit_login(page, live_server, ana.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/cuentas/2fa/$"))
    expect(page.get_by_role("alert")).to_contain_text("Debe configurar un segundo factor antes de continuar.")
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-setup.png", full_page=True)
    page.goto(f"{live_server.url}/entidad/")
    expect(page).to_have_url(re.compile(r"/cuentas/2fa/\?next=%2Fentidad%2F$"))

    # The authenticator app (she has just signed in: a recent proof, ADR 0018): scan (here: read)
    # the secret, type the code.
    page.get_by_role("link", name="Activar una aplicación de autenticación").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activar una aplicación de autenticación")
    expect(
        page.get_by_role("img", name="Código QR para agregar su usuario a la aplicación de autenticación")
    ).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-totp.png", full_page=True)
    secret = page.locator("#totp-secret").inner_text().strip()
    used: set[str] = set()
    field(page, "Código que muestra la aplicación").fill("000000")
    page.get_by_role("button", name="Activar").click()
    expect(page.locator("#resumen-errores")).to_contain_text("Código incorrecto")
    assert_accessible(page)
    field(page, "Código que muestra la aplicación").fill(_fresh_code(secret, used))
    page.get_by_role("button", name="Activar").click()

    # Her recovery codes, shown once set up.
    expect(page.get_by_role("heading", level=1)).to_have_text("Códigos de recuperación")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-codes.png", full_page=True)
    assert "ana.admin" in text_of(smtp_sink.wait_for(to=ana.email, subject="Aplicación de autenticación activada"))
    page.get_by_role("link", name="Ya los guardé: continuar").click()
    page.goto(f"{live_server.url}/usuario/accesos/")
    card = page.locator("section.card", has=page.get_by_role("heading", name="Verificación en dos pasos"))
    expect(card).to_contain_text("Aplicación de autenticación")
    expect(page.get_by_role("cell", name="Aplicación de autenticación activada")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-accesos.png", full_page=True)

    # Log out; log in with the app's code (a new one: each code logs in once).
    _log_out(page, ana.username)
    submit_login(page, live_server, ana.username, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verificación en dos pasos")
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-authenticate.png", full_page=True)
    field(page, "Código de verificación").fill(_fresh_code(secret, used))
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("button", name=f"Salir ({ana.username})")).to_be_visible()
    page.goto(f"{live_server.url}/entidad/")
    expect(page).to_have_url(re.compile(r"/entidad/$"))

    # Without the phone: a recovery code, once.
    _log_out(page, ana.username)
    submit_login(page, live_server, ana.username, PASSWORD)
    field(page, "Código de verificación").fill(codes[0])
    page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("button", name=f"Salir ({ana.username})")).to_be_visible()
    smtp_sink.wait_for(to=ana.email, subject="Código de recuperación usado")
    assert AccessEvent.objects.filter(user=ana, kind=AccessEvent.Kind.MFA_RECOVERY_CODE_USED).count() == 1

    # A security key: Chromium's virtual authenticator answers allauth's own script.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    # Her sign-in is no longer recent: registering a key asks to confirm the password first.
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 8
    time.sleep(8.5)
    page.goto(f"{live_server.url}/cuentas/2fa/")
    page.get_by_role("link", name="Registrar una llave").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirme su identidad")
    assert_accessible(page)
    field(page, "Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Confirmar y continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar una llave de seguridad o llave de acceso")
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-webauthn.png", full_page=True)
    field(page, "Nombre de la llave").fill("Llave USB de la oficina")
    page.get_by_role("button", name="Registrar la llave").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verificación en dos pasos")
    page.get_by_role("link", name="Ver y administrar las llaves").click()
    expect(page.get_by_role("cell", name="Llave USB de la oficina", exact=True)).to_be_visible()
    assert_accessible(page)
    smtp_sink.wait_for(to=ana.email, subject="Llave de seguridad o llave de acceso registrada")

    # She loses the phone, the key and the codes. The desk finds her and removes them.
    desk_user = DeskUserFactory(username="mesa.seguridad")
    desk = new_page(browser)
    log_in(desk, live_server, desk_user)  # with the code of the app the factories give
    desk.goto(f"{live_server.url}/mesa/usuarios/")
    desk.get_by_label("Usuario, correo electrónico, número de documento o nombres").fill("ana.admin")
    desk.get_by_role("button", name="Buscar").click()
    desk.get_by_role("link", name=re.compile("ana.admin|Ana")).first.click()
    section = desk.locator("section", has=desk.get_by_role("heading", name="Verificación en dos pasos"))
    expect(section.get_by_role("cell", name="Aplicación de autenticación")).to_be_visible()
    expect(section.get_by_role("cell", name="Llave «Llave USB de la oficina»")).to_be_visible()
    assert_accessible(desk)
    desk.once("dialog", lambda dialog: dialog.accept())
    desk.get_by_role("button", name="Retirar segundo factor").click()
    summary = desk.locator("#resumen-errores")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Escriba el motivo por el que retira el segundo factor.")
    assert_accessible(desk)
    desk.screenshot(path=f"{SCREENSHOTS}/mfa-desk.png", full_page=True)
    section = desk.locator("section", has=desk.get_by_role("heading", name="Verificación en dos pasos"))
    section.get_by_label("Motivo del retiro").fill(MOTIVO)
    desk.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Retirar segundo factor").click()
    expect(desk.get_by_role("status")).to_contain_text("Se retiró el segundo factor de ana.admin")
    expect(desk.get_by_text("No tiene segundo factor configurado.")).to_be_visible()
    expect(desk.get_by_role("cell", name="Segundo factor retirado por la Mesa de Servicio")).to_be_visible()
    assert_accessible(desk)
    told = text_of(smtp_sink.wait_for(to=ana.email, subject="La Mesa de Servicio retiró su segundo factor"))
    assert MOTIVO in told

    # Her password alone logs her in again, to the setup page, with a new grace of a week.
    _log_out(page, ana.username)
    submit_login(page, live_server, ana.username, PASSWORD)
    expect(page).to_have_url(re.compile(r"/cuentas/2fa/$"))
    expect(page.locator(".mfa-grace")).to_contain_text("le quedan 7 días para configurar un segundo factor")
    page.goto(f"{live_server.url}/entidad/")
    expect(page).to_have_url(re.compile(r"/entidad/$"))
    expect(page.locator(".mfa-grace")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=f"{SCREENSHOTS}/mfa-grace.png", full_page=True)
