"""Login ("Entrar"), logout, recovery and the failed-login policy (issue item 7)."""

import re

import pytest
from django.core import mail
from django.test import Client

from registro.accounts.models import AccessEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/cuentas/login/"


def login(client, login, password=PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def test_login_page_uses_the_guides_words(client):
    html = client.get(LOGIN).content.decode()
    assert "<h1>Entrar</h1>" in html and ">Entrar</button>" in html
    assert '<label for="id_login">Usuario o correo electrónico' in html
    assert '<label for="id_password">Contraseña' in html


@pytest.mark.parametrize(
    "identifier", ["MariaGomez", "mariagomez", "MARIAGOMEZ", "maria@entidad.gov.co", "MARIA@ENTIDAD.GOV.CO"]
)
def test_login_by_username_or_email_in_any_case(client, identifier):
    UserFactory(username="MariaGomez", email="maria@entidad.gov.co")
    response = login(client, identifier)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_wrong_password_is_refused_and_recorded(client):
    user = UserFactory()
    response = login(client, user.username, "Equivocada#1")
    assert response.status_code == 200
    assert "no son correctos" in response.content.decode()
    event = AccessEvent.objects.get(kind=AccessEvent.Kind.LOGIN_FAILED)
    assert event.user == user and event.ip == "127.0.0.1"


def test_failed_login_for_an_unknown_account_is_kept_apart(client):
    login(client, "nadie", "Equivocada#1")
    event = AccessEvent.objects.get(kind=AccessEvent.Kind.LOGIN_FAILED)
    assert event.user is None and event.identifier == "nadie"


def test_login_and_logout_are_recorded_with_ip_and_browser(client):
    user = UserFactory()
    login(client, user.username, HTTP_USER_AGENT="Mozilla/5.0 Prueba")
    client.post("/cuentas/logout/")
    kinds = list(AccessEvent.objects.filter(user=user).values_list("kind", "ip", "user_agent"))
    assert kinds == [
        ("logout", "127.0.0.1", ""),
        ("login", "127.0.0.1", "Mozilla/5.0 Prueba"),
    ]
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, user):
    client.force_login(user)
    assert client.get("/cuentas/logout/").status_code == 200  # a confirmation page, not a logout
    assert "_auth_user_id" in client.session


def test_too_many_failures_block_the_attacker_and_are_recorded(client):
    user = UserFactory()
    for _ in range(5):
        login(client, user.username, "Equivocada#1")
    blocked = login(client, user.username)  # even the right password, from the attacking browser
    assert blocked.status_code == 200
    assert "Demasiados intentos" in blocked.content.decode() or "demasiados" in blocked.content.decode().lower()
    assert "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.LOGIN_BLOCKED).exists()


def test_the_owner_on_a_known_browser_still_gets_in_while_an_attacker_hammers(client):
    user = UserFactory()
    owner = Client()
    assert login(owner, user.username).status_code == 302  # earns the trusted-device cookie
    assert "registro_dispositivo" in owner.cookies
    owner.post("/cuentas/logout/")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(8):
        login(attacker, user.username, "Equivocada#1")
    assert "_auth_user_id" not in attacker.session
    assert login(attacker, user.username).status_code == 200  # the attacker is locked out...
    assert login(owner, user.username).status_code == 302  # ...the owner is not


def test_a_forged_device_cookie_gives_no_budget(client):
    user = UserFactory()
    for _ in range(5):
        login(client, user.username, "Equivocada#1")
    client.cookies["registro_dispositivo"] = "forged:value"
    assert login(client, user.username).status_code == 200


def test_failures_per_ip_are_limited_across_accounts(client):
    users = UserFactory.create_batch(11)
    for u in users[:10]:
        login(client, u.username, "Equivocada#1")
    assert login(client, users[10].username).status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, sent):
    user = UserFactory(email="reset@entidad.gov.co")
    response = sent(client.post, "/cuentas/password/reset/", {"email": "RESET@entidad.gov.co"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["reset@entidad.gov.co"]
    assert user.username in message.body
    link = re.search(r"http://testserver(/cuentas/password/reset/key/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    action = form_page.redirect_chain[-1][0]
    new = "Nueva#Clave-2027"
    done = client.post(action, {"password1": new, "password2": new})
    assert done.status_code == 302
    assert login(Client(), user.username, new).status_code == 302
    assert login(Client(), user.username, PASSWORD).status_code == 200
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.PASSWORD_RESET).exists()
    # The link is single use.
    reused = client.get(link, follow=True)
    assert "ya no sirve" in reused.content.decode()


def test_password_reset_enforces_the_policy(client, sent):
    user = UserFactory()
    sent(client.post, "/cuentas/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/cuentas/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    action = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(action, {"password1": "sinnumeros#", "password2": "sinnumeros#"})
    assert response.status_code == 200
    assert "al menos un número" in response.content.decode()
