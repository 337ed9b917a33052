"""The whole path of a new user in a real browser: "Registrar usuario", the confirmation e-mail
sent over SMTP, "Confirmar registro", "Entrar", "Cambiar contraseña" and "Accesos del usuario"."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import field, submit_login

pytestmark = [pytest.mark.e2e]

USERNAME = "ana.perez.e2e"
EMAIL = "ana.perez.e2e@entidad.gov.co"
PASSWORD = "Clave#Segura2026"
NEW_PASSWORD = "Otra$Clave2027x"
SCREENSHOT = "/tmp/e2e-accesses.png"
CONFIRM_LINK = re.compile(r"https?://\S+/cuentas/confirm-email/[^/\s]+/")


def log_in(page: Page, live_server, password: str) -> None:
    submit_login(page, live_server, USERNAME, password)


def test_register_confirm_login_change_password(live_server, smtp_sink, page: Page):
    # 1. "Registrar usuario" from the home page.
    page.goto(live_server.url)
    page.get_by_role("link", name="Registro", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrar usuario")
    field(page, "Nombres").fill("Ana María")
    field(page, "Apellidos").fill("Pérez Gómez")
    field(page, "Tipo de documento").select_option(label="Cédula de ciudadanía")
    field(page, "Número de documento").fill("1020304050")
    field(page, "Correo electrónico").fill(EMAIL)
    field(page, "Teléfono").fill("3001234567")
    field(page, "Nombre de usuario").fill(USERNAME)
    field(page, "Contraseña").fill(PASSWORD)
    field(page, "Confirmación de la contraseña").fill(PASSWORD)
    field(page, "Zona horaria").select_option(label="(UTC-05:00) Bogotá, Lima, Quito")
    field(page, "Nombre de la Entidad").fill("Alcaldía Municipal de Pruebas E2E")
    page.get_by_role("button", name="Continuar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmar registro")

    # 2. The e-mail really went out over SMTP, names the user and carries the link.
    message = smtp_sink.wait_for(to=EMAIL)
    assert message["Subject"].startswith("[Registro SECOP]")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert USERNAME in body
    link = CONFIRM_LINK.search(body)
    assert link, body
    # Built from the request the browser made, so it points back at this server.
    assert link.group(0).startswith(f"{live_server.url}/cuentas/confirm-email/")

    # 3. "Confirmar registro": opening the link confirms nothing until the terms are accepted.
    page.goto(link.group(0))
    expect(page.get_by_text(EMAIL)).to_be_visible()
    page.get_by_label(re.compile(r"^He leído y acepto")).check()
    page.get_by_role("button", name="Confirmar registro").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")

    # 4. "Entrar" lands on step 3 of the registration.
    log_in(page, live_server, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Crear o solicitar acceso a una Entidad")

    # 5. "Configuración del usuario" → "Accesos del usuario" → "Cambiar contraseña".
    page.get_by_role("link", name="Configuración del usuario").click()
    page.get_by_role("link", name="Accesos del usuario").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accesos del usuario")
    page.get_by_role("link", name="Cambiar contraseña").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cambiar contraseña")
    field(page, "Contraseña actual").fill(PASSWORD)
    field(page, "Nueva contraseña").fill(NEW_PASSWORD)
    field(page, "Nueva contraseña (de nuevo)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Cambiar contraseña").click()
    expect(page.get_by_role("status")).to_contain_text("Contraseña cambiada con éxito.")

    # 6. The history shows both events, newest first.
    page.get_by_role("link", name="Accesos del usuario").first.click()
    history = page.get_by_role("table", name="Historial de accesos")
    expect(history.get_by_role("cell", name="Inicio de sesión", exact=True)).to_have_count(1)
    expect(history.get_by_role("cell", name="Cambio de contraseña", exact=True)).to_have_count(1)
    expect(history.locator("tbody tr").first).to_contain_text("Cambio de contraseña")
    # Registering is not an e-mail change (allauth signals one on the first confirmation).
    expect(history.get_by_role("cell", name="Cambio de correo electrónico", exact=True)).to_have_count(0)
    page.screenshot(path=SCREENSHOT, full_page=True)

    # 7. "Salir", then the old password is refused and the new one works.
    page.get_by_role("button", name=re.compile(r"^Salir")).click()
    expect(page.get_by_role("button", name=re.compile(r"^Salir"))).to_have_count(0)
    log_in(page, live_server, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("El usuario y/o la contraseña que ha indicado no son correctos.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Entrar")
    log_in(page, live_server, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Crear o solicitar acceso a una Entidad")
    expect(page.get_by_role("button", name=f"Salir ({USERNAME})")).to_be_visible()
