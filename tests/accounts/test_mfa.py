"""Second factors (allauth.mfa, ADR 0017): setting them up, logging in with them, the access
history and the e-mails of every change."""

import re

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from registro.accounts.models import AccessEvent
from registro.notifications.models import OutboundEmail
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, give_second_factor, totp_code
from tests.proofs import expire_proofs
from tests.webauthn import SoftKey

pytestmark = pytest.mark.django_db

K = AccessEvent.Kind


def _kinds(user) -> list[str]:
    return list(AccessEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def _mails(user) -> list[str]:
    return [e.subject for e in OutboundEmail.objects.filter(to=[user.email]).order_by("id")]


def password_login(client: Client, user, **extra):
    return client.post("/cuentas/login/", {"login": user.username, "password": PASSWORD}, **extra)


def confirm_password(client: Client):
    """Changing one's factors asks to confirm the password first (allauth's reauthentication)."""
    response = client.post("/cuentas/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content[:300]


def login_with_code(client: Client, user):
    password_login(client, user)
    assert client.post("/cuentas/2fa/authenticate/", {"code": totp_code()}).status_code == 302
    confirm_password(client)


def activate_app(client: Client, sent) -> str:
    """Sets up an authenticator app from the page, as a person would: reads the secret the page
    shows and types the code it gives now. Returns the secret."""
    page = client.get("/cuentas/2fa/totp/activate/")
    assert page.status_code == 200
    html = page.content.decode()
    secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', html).group(1)
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code, drawn on the server
    response = sent(client.post, "/cuentas/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response["Location"] == "/cuentas/2fa/recovery-codes/"
    return secret


def test_setting_up_an_authenticator_app_is_recorded_and_mailed(sent):
    user = UserFactory()
    client = Client()
    password_login(client, user)
    # The sign-in is a recent proof (ADR 0018); once the window has passed, a change asks again.
    expire_proofs(client)
    assert client.get("/cuentas/2fa/totp/activate/")["Location"].startswith("/cuentas/reauthenticate/")
    confirm_password(client)
    secret = activate_app(client, sent)
    assert Authenticator.objects.get(user=user, type="totp").wrap().validate_code(pyotp.TOTP(secret).now()) is not None
    assert Authenticator.objects.filter(user=user, type="recovery_codes").exists()
    assert _kinds(user)[-2:] == [K.MFA_TOTP_ADDED, K.MFA_RECOVERY_CODES_GENERATED]
    assert _mails(user) == [
        "[Registro SECOP] Verificación en dos pasos: Aplicación de autenticación activada",
        "[Registro SECOP] Verificación en dos pasos: Códigos de recuperación generados",
    ]
    codes = client.get("/cuentas/2fa/recovery-codes/")
    assert codes.status_code == 200 and "Le quedan 10 de 10 códigos" in codes.content.decode()
    # "Accesos del usuario" lists it, with the way to manage it.
    page = client.get("/usuario/accesos/").content.decode()
    assert "Verificación en dos pasos" in page and "Aplicación de autenticación" in page
    assert 'href="/cuentas/2fa/"' in page


def test_a_wrong_code_does_not_set_up_the_app(sent):
    user = UserFactory()
    client = Client()
    password_login(client, user)
    confirm_password(client)
    client.get("/cuentas/2fa/totp/activate/")
    response = sent(client.post, "/cuentas/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200 and "Código incorrecto" in response.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()


def test_logging_in_asks_for_the_code_and_records_it(sent):
    user = UserFactory()
    give_second_factor(user)
    client = Client()
    response = password_login(client, user)
    assert response.status_code == 302 and response["Location"] == "/cuentas/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    page = client.get("/cuentas/2fa/authenticate/")
    assert "Código de verificación" in page.content.decode()
    assert "Usar mi llave de seguridad" not in page.content.decode()  # she has none
    wrong = sent(client.post, "/cuentas/2fa/authenticate/", {"code": "123456"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert _kinds(user)[-1] == K.MFA_FAILED
    right = sent(client.post, "/cuentas/2fa/authenticate/", {"code": totp_code()})
    assert right.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert _kinds(user)[-2:] == [K.MFA_LOGIN, K.LOGIN]
    assert AccessEvent.objects.filter(user=user, kind=K.MFA_LOGIN).get().detail == {"tipo": "totp"}


def test_a_recovery_code_logs_in_once_and_is_told(sent):
    user = UserFactory()
    give_second_factor(user)
    code = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()[0]
    client = Client()
    password_login(client, user)
    assert sent(client.post, "/cuentas/2fa/authenticate/", {"code": code}).status_code == 302
    event = AccessEvent.objects.get(user=user, kind=K.MFA_RECOVERY_CODE_USED)
    assert event.detail == {"tipo": "recovery_codes", "quedan": 9}
    assert _mails(user) == ["[Registro SECOP] Verificación en dos pasos: Código de recuperación usado"]
    # Used once, it is spent.
    again = Client()
    password_login(again, user)
    assert sent(again.post, "/cuentas/2fa/authenticate/", {"code": code}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_deactivating_the_app_is_recorded_and_mailed(sent):
    user = UserFactory()
    give_second_factor(user)
    client = Client()
    login_with_code(client, user)
    assert client.get("/cuentas/2fa/totp/deactivate/").status_code == 200
    response = sent(client.post, "/cuentas/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()  # the recovery codes go with it
    assert _kinds(user)[-1] == K.MFA_TOTP_REMOVED
    assert _mails(user)[-1] == "[Registro SECOP] Verificación en dos pasos: Aplicación de autenticación desactivada"


def test_regenerating_recovery_codes_is_recorded(sent):
    user = UserFactory()
    give_second_factor(user)
    client = Client()
    login_with_code(client, user)
    old = Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()
    assert sent(client.post, "/cuentas/2fa/recovery-codes/generate/").status_code == 302
    assert Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes() != old
    assert _kinds(user)[-1] == K.MFA_RECOVERY_CODES_GENERATED
    download = client.get("/cuentas/2fa/recovery-codes/download/")
    assert "códigos de recuperación" in download.content.decode()


def _js_data(response) -> dict:
    import json

    return json.loads(
        re.search(r'<script id="js_data" type="application/json">(.*?)</script>', response.content.decode()).group(1)
    )


def test_a_security_key_is_added_used_to_log_in_and_removed(sent):
    """A real WebAuthn registration and assertion, from a software key."""
    user = UserFactory()
    give_second_factor(user)
    client = Client()
    login_with_code(client, user)
    key = SoftKey()
    page = client.get("/cuentas/2fa/webauthn/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Llave de seguridad 1"' in html
    # allauth's scripts, self-hosted; no inline script runs (the JSON blocks are data).
    assert '<script src="/static/mfa/js/webauthn.js">' in html
    assert '<script src="/static/accounts/webauthn-errors.js">' in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))", html)
    challenge = _js_data(page)["creation_options"]["publicKey"]["challenge"]
    added = sent(
        client.post,
        "/cuentas/2fa/webauthn/add/",
        {"name": "Llave USB", "credential": __import__("json").dumps(key.register(challenge))},
    )
    assert added.status_code == 302, added.content[:500]
    llave = Authenticator.objects.get(user=user, type="webauthn")
    assert _kinds(user)[-1] == K.MFA_WEBAUTHN_ADDED
    assert AccessEvent.objects.filter(user=user, kind=K.MFA_WEBAUTHN_ADDED).get().detail == {
        "tipo": "webauthn",
        "nombre": "Llave USB",
    }
    assert _mails(user)[-1].endswith("Llave de seguridad o llave de acceso registrada")
    listing = client.get("/cuentas/2fa/webauthn/").content.decode()
    assert "Llave USB" in listing

    # Logging in with the key instead of the app.
    other = Client()
    password_login(other, user)
    stage = other.get("/cuentas/2fa/authenticate/")
    assert "Usar mi llave de seguridad" in stage.content.decode()
    challenge = _js_data(stage)["request_options"]["publicKey"]["challenge"]
    import json

    done = sent(other.post, "/cuentas/2fa/authenticate/", {"credential": json.dumps(key.assertion(challenge))})
    assert done.status_code == 302 and other.session["_auth_user_id"] == str(user.pk)
    assert AccessEvent.objects.filter(user=user, kind=K.MFA_LOGIN).latest("id").detail == {"tipo": "webauthn"}

    # Removing it.
    assert sent(client.post, f"/cuentas/2fa/webauthn/keys/{llave.pk}/remove/").status_code == 302
    assert not Authenticator.objects.filter(pk=llave.pk).exists()
    assert _kinds(user)[-1] == K.MFA_WEBAUTHN_REMOVED


def test_another_persons_key_is_not_found():
    owner = UserFactory()
    llave = Authenticator.objects.create(
        user=owner, type="webauthn", data={"name": "Llave", "credential": SoftKey().register()}
    )
    intruder = UserFactory()
    client = Client()
    password_login(client, intruder)
    confirm_password(client)
    assert client.get(f"/cuentas/2fa/webauthn/keys/{llave.pk}/edit/").status_code == 404
    assert client.post(f"/cuentas/2fa/webauthn/keys/{llave.pk}/remove/").status_code == 404
    assert Authenticator.objects.filter(pk=llave.pk).exists()


def test_the_app_is_listed_under_the_username_and_the_site(sent):
    user = UserFactory(username="ana.perez")
    client = Client()
    password_login(client, user)
    confirm_password(client)
    page = client.get("/cuentas/2fa/totp/activate/")
    assert page.context["totp_url"].startswith("otpauth://totp/ana.perez?secret=")
    assert "issuer=Registro%20SECOP" in page.context["totp_url"]


def test_the_mfa_pages_are_the_sites_in_spanish():
    user = UserFactory()
    give_second_factor(user, TOTP_SECRET)
    client = Client()
    login_with_code(client, user)
    for url, title in [
        ("/cuentas/2fa/", "Verificación en dos pasos"),
        ("/cuentas/2fa/recovery-codes/", "Códigos de recuperación"),
        ("/cuentas/2fa/recovery-codes/generate/", "Generar códigos de recuperación"),
        ("/cuentas/2fa/totp/deactivate/", "Desactivar la aplicación de autenticación"),
        ("/cuentas/2fa/webauthn/", "Llaves de seguridad y llaves de acceso"),
        ("/cuentas/2fa/webauthn/add/", "Registrar una llave"),
        ("/cuentas/2fa/reauthenticate/", "Confirme que es usted"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f"<title>{title}" in html, url
        assert 'class="site-header"' in html, url
