"""The guide's sections 1–3 and 8 end to end through the HTTP layer, as one person would do them."""

import re

import pytest
from django.core import mail
from django.test import Client

from registro.accounts.models import AccessEvent, TermsAcceptance, User
from tests.accounts.test_signup import form_data

pytestmark = pytest.mark.django_db


def test_register_confirm_enter_configure_and_review_accesses(sent):
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chromium")

    # 1. Registrar usuario → Continuar
    assert "Registro" in browser.get("/").content.decode()
    response = sent(browser.post, "/cuentas/signup/", form_data(), follow=True)
    assert "Confirmar registro" in response.content.decode()

    # 2. Confirmar registro: the e-mail carries the username and the link.
    [message] = mail.outbox
    assert "anaperez" in message.body
    link = re.search(r"http://testserver(/cuentas/confirm-email/\w+/)", message.body).group(1)
    response = browser.post(link, {"accept_terms": "on"}, follow=True)
    assert "Entrar" in response.content.decode()

    # ... then "Entrar" with username and password completes the registration.
    response = browser.post("/cuentas/login/", {"login": "anaperez", "password": "Cl4ve#Segura-2026"}, follow=True)
    html = response.content.decode()
    # 3. Crear o solicitar acceso a una Entidad
    assert "Crear o solicitar acceso a una Entidad" in html
    user = User.objects.get(username="anaperez")
    assert TermsAcceptance.objects.filter(user=user).exists()

    # 8. Configuración del usuario → Editar
    response = browser.post(
        "/usuario/configuracion/editar/",
        {
            "first_name": "Ana María",
            "last_name": "Pérez Gómez",
            "document_type": "CC",
            "document_number": "1020304050",
            "phone": "6014567890",
            "time_zone": "America/Bogota",
        },
        follow=True,
    )
    assert "Sus datos personales fueron actualizados" in response.content.decode()

    # Accesos del usuario: username, then password.
    response = browser.post(
        "/usuario/accesos/", {"new_username": "ana.perez", "current_password": "Cl4ve#Segura-2026"}, follow=True
    )
    assert "ana.perez" in response.content.decode()
    response = browser.post(
        "/cuentas/password/change/",
        {"oldpassword": "Cl4ve#Segura-2026", "password1": "Nueva#Clave-2027", "password2": "Nueva#Clave-2027"},
        follow=True,
    )
    assert response.status_code == 200
    # Salir; a typo, then back in with the new credentials.
    browser.post("/cuentas/logout/")
    assert browser.get("/usuario/accesos/").status_code == 302
    assert browser.post("/cuentas/login/", {"login": "ana.perez", "password": "Cl4ve#Segura-2026"}).status_code == 200
    response = browser.post("/cuentas/login/", {"login": "ana.perez", "password": "Nueva#Clave-2027"})
    assert response.status_code == 302

    history = browser.get("/usuario/accesos/").content.decode()
    for label in [
        "Inicio de sesión",
        "Cierre de sesión",
        "Intento fallido de inicio de sesión",
        "Cambio de contraseña",
        "Cambio de nombre de usuario",
        "Edición de datos personales",
        "Aceptación de términos y condiciones",
        "Confirmación del correo electrónico",
    ]:
        assert label in history, label
    assert "Chromium" in history and "127.0.0.1" in history
    kinds = list(AccessEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert kinds[:4] == ["login", "login_failed", "logout", "password_changed"]
