"""Every check of the current password is limited like failed logins (hardening issue, item 8); the
password reset request does not reveal who is registered (item 9); changing the password through
the API keeps the caller's token and ends the other sessions (item 10)."""

import time
from types import SimpleNamespace

import pytest
from allauth.core.internal import ratelimit
from django.test import Client

from registro.accounts.models import AccessEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

AUTH = "/api/v1/auth/app/v1"
NEW_PASSWORD = "Nueva#Clave-2027"


@pytest.fixture(autouse=True)
def _database_cache(settings):
    # The product's default cache: a refusal inside a rolled-back transaction would undo the spent
    # attempt there, which the in-memory cache of the other tests would not show.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "registro_cache"}
    }


@pytest.fixture
def later(monkeypatch):
    """Moves the rate limits' clock forward."""

    def forward(seconds):
        now = time.time() + seconds
        monkeypatch.setattr(
            ratelimit, "time", SimpleNamespace(time=lambda: now, monotonic=time.monotonic, sleep=time.sleep)
        )

    return forward


def post(client, path, data, token=None):
    headers = {"X-Session-Token": token} if token else {}
    return client.post(path, data, content_type="application/json", headers=headers)


def api_login(client, username, password=PASSWORD):
    response = post(client, f"{AUTH}/auth/login", {"username": username, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()["meta"]["session_token"]


def change_username(client, token, password, new_username="nuevo.nombre"):
    return post(client, "/api/v1/me/username", {"new_username": new_username, "current_password": password}, token)


# --- Item 8: the current-password checks ------------------------------------------------------------


def test_username_change_guesses_are_refused_after_the_budget(client, later):
    user = UserFactory()
    token = api_login(client, user.username)
    answers = [change_username(client, token, f"Adivina#{n}") for n in range(30)]
    assert [a.status_code for a in answers[:5]] == [400] * 5
    assert all(a.json()["code"] == "invalid_credentials" for a in answers[:5])
    for refused in answers[5:]:
        assert refused.status_code == 429
        body = refused.json()
        assert body["code"] == "too_many_attempts"
        assert "Demasiados intentos" in body["message"]
        assert 0 < int(refused["Retry-After"]) <= 300 and body["detail"]["retry_after"] == int(refused["Retry-After"])
    # The right password too, until the window passes: the check is not even run.
    assert change_username(client, token, PASSWORD).status_code == 429
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.PASSWORD_CHECK_BLOCKED).count() == 26
    later(301)
    response = change_username(client, token, PASSWORD)
    assert response.status_code == 200 and response.json()["username"] == "nuevo.nombre"


def test_a_correct_password_does_not_use_up_the_budget(client):
    user = UserFactory()
    token = api_login(client, user.username)
    for n in range(8):
        assert change_username(client, token, PASSWORD, f"nombre.{n}").status_code == 200


def test_guesses_are_limited_per_ip_across_accounts(client):
    users = UserFactory.create_batch(11)
    tokens = [api_login(Client(), u.username) for u in users]
    for token in tokens[:10]:
        assert change_username(client, token, "Adivina#1").status_code == 400
    assert change_username(client, tokens[10], PASSWORD).status_code == 429
    assert change_username(Client(REMOTE_ADDR="198.51.100.4"), tokens[10], PASSWORD).status_code == 200


def test_web_username_change_is_limited(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(5):
        page = client.post("/usuario/accesos/", {"new_username": "nuevo.nombre", "current_password": "x"})
        assert "La contraseña actual no es correcta" in page.content.decode()
    page = client.post("/usuario/accesos/", {"new_username": "nuevo.nombre", "current_password": PASSWORD})
    assert page.status_code == 200 and "Demasiados intentos fallidos" in page.content.decode()
    user.refresh_from_db()
    assert user.username != "nuevo.nombre"


def test_web_password_change_is_limited(client):
    user = UserFactory()
    client.force_login(user)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    for n in range(5):
        client.post("/cuentas/password/change/", {"oldpassword": f"Adivina#{n}", **data})
    # allauth's own limit for the page is 5 a minute per user; a minute later, ours still holds.
    ratelimit.clear(client.get("/").wsgi_request, app="allauth.account", action="change_password", user=user)
    page = client.post("/cuentas/password/change/", {"oldpassword": PASSWORD, **data})
    assert page.status_code == 200 and "Demasiados intentos fallidos" in page.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_api_password_change_is_limited(client):
    """The same budget as the username change's."""
    user = UserFactory()
    token = api_login(client, user.username)
    for n in range(5):
        response = post(
            client,
            f"{AUTH}/account/password/change",
            {"current_password": f"Adivina#{n}", "new_password": NEW_PASSWORD},
            token,
        )
        assert response.status_code == 400
    # allauth's own limit for the endpoint is 5 a minute per user; a minute later, ours still holds.
    ratelimit.clear(client.get("/").wsgi_request, app="allauth.account", action="change_password", user=user)
    response = post(
        client, f"{AUTH}/account/password/change", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, token
    )
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "too_many_attempts"
    assert int(response["Retry-After"]) > 0
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reauthentication_is_limited_like_a_login(client):
    user = UserFactory()
    token = api_login(client, user.username)
    for n in range(5):
        assert post(client, f"{AUTH}/auth/reauthenticate", {"password": f"Adivina#{n}"}, token).status_code == 400
    response = post(client, f"{AUTH}/auth/reauthenticate", {"password": PASSWORD}, token)
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "too_many_login_attempts"


# --- Item 9: the password reset request ---------------------------------------------------------------


def test_web_password_reset_answers_alike_for_unknown_addresses(client):
    UserFactory(email="ana@entidad.gov.co")
    known = client.post("/cuentas/password/reset/", {"email": "ana@entidad.gov.co"})
    unknown = client.post("/cuentas/password/reset/", {"email": "nadie@entidad.gov.co"})
    assert (
        (unknown.status_code, unknown["Location"])
        == (known.status_code, known["Location"])
        == (302, "/cuentas/password/reset/done/")
    )
    page = client.get("/cuentas/password/reset/done/").content.decode()
    assert "Si ese correo electrónico pertenece a un usuario registrado" in page


@pytest.mark.parametrize("client_kind", ["app", "browser"])
def test_api_password_reset_answers_alike_for_unknown_addresses(client, client_kind, sent):
    UserFactory(email="ana@entidad.gov.co")
    url = f"/api/v1/auth/{client_kind}/v1/auth/password/request"
    known = sent(post, client, url, {"email": "ana@entidad.gov.co"})
    unknown = sent(post, client, url, {"email": "nadie@entidad.gov.co"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json()) == (200, {"status": 200})
    assert [m.to for m in sent.messages] == [["ana@entidad.gov.co"]]


def test_an_invalid_address_is_still_a_form_error(client):
    response = post(client, f"{AUTH}/auth/password/request", {"email": "no-es-un-correo"})
    assert response.status_code == 400


# --- Item 10: the password change keeps the caller's session ------------------------------------------


def test_api_password_change_keeps_the_callers_token_and_ends_the_others(client):
    user = UserFactory()
    mine, other = api_login(Client(), user.username), api_login(Client(), user.username)
    browser = Client()
    browser.force_login(user)
    response = post(
        client, f"{AUTH}/account/password/change", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, mine
    )
    assert response.status_code == 200
    assert response.json()["meta"]["session_token"] == mine
    assert client.get("/api/v1/me", headers={"X-Session-Token": mine}).status_code == 200
    assert client.get("/api/v1/me", headers={"X-Session-Token": other}).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.PASSWORD_CHANGED).count() == 1


def test_browser_api_password_change_keeps_the_callers_session(client):
    user = UserFactory()
    other = api_login(Client(), user.username)
    client.force_login(user)
    client.get("/api/v1/auth/browser/v1/config")  # the CSRF cookie
    response = client.post(
        "/api/v1/auth/browser/v1/account/password/change",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert Client().get("/api/v1/me", headers={"X-Session-Token": other}).status_code == 401
