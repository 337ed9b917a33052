"""The whole user path through the JSON API, as a mobile or desktop client would follow it: allauth's
headless "app" client (/api/v1/auth/app/v1/...) for signup, confirmation, login and passwords, and the
ninja API (/api/v1/me...) with the X-Session-Token it hands out."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from registro.accounts.models import AccessEvent, TermsAcceptance, User
from registro.notifications.models import OutboundEmail
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

AUTH = "/api/v1/auth/app/v1"
NEW_PASSWORD = "Nueva#Clave-2027"
CONFIRM_KEY_RE = re.compile(r"/cuentas/confirm-email/([-:\w]+)/")
RESET_KEY_RE = re.compile(r"/cuentas/password/reset/key/([^/\s]+)/")


def signup_data(**overrides):
    data = {
        "first_name": "Ana María",
        "last_name": "Pérez Gómez",
        "document_type": "CC",
        "document_number": "1.020.304.050",
        "email": "ana.perez@alcaldia.gov.co",
        "phone": "300 123 4567",
        "username": "anaperez",
        "password": "Cl4ve#Segura-2026",
        "time_zone": "America/Bogota",
        "entity_name": "Alcaldía  de Villa Prueba",
    }
    data.update(overrides)
    return data


def post(client, path, data=None, token=None):
    headers = {"X-Session-Token": token} if token else {}
    return client.post(path, data or {}, content_type="application/json", headers=headers)


def patch(client, path, data, token):
    return client.patch(path, data, content_type="application/json", headers={"X-Session-Token": token})


def get(client, path, token=None):
    return client.get(path, headers={"X-Session-Token": token} if token else {})


def login(client, login_name, password=PASSWORD):
    response = post(client, f"{AUTH}/auth/login", {"username": login_name, "password": password})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["meta"]["is_authenticated"] is True
    return body["meta"]["session_token"]


def error_params(response) -> set[str]:
    return {error.get("param") for error in response.json()["errors"]}


def kinds(user) -> list[str]:
    return list(AccessEvent.objects.filter(user=user).values_list("kind", flat=True))


def test_whole_path_signup_confirm_login_terms_profile_username_and_password(client, sent):
    # 1. Registrar usuario, with the guide's own fields.
    response = sent(post, client, f"{AUTH}/auth/signup", signup_data())
    # Mandatory confirmation: no session yet, only the pending "verify_email" step.
    assert response.status_code == 401
    body = response.json()
    assert body["meta"]["is_authenticated"] is False
    assert {"id": "verify_email", "is_pending": True} in body["data"]["flows"]
    pending_token = body["meta"]["session_token"]

    user = User.objects.get(username="anaperez")
    # The custom fields arrive normalised exactly as through the web form.
    assert (user.first_name, user.last_name) == ("Ana María", "Pérez Gómez")
    assert (user.document_type, user.document_number) == ("CC", "1020304050")
    assert (user.phone, user.time_zone) == ("3001234567", "America/Bogota")
    assert user.entity_name == "Alcaldía de Villa Prueba"
    assert user.check_password("Cl4ve#Segura-2026")
    assert not EmailAddress.objects.get(user=user).verified
    assert not TermsAcceptance.objects.filter(user=user).exists()

    # 2. The confirmation e-mail went out (through the outbox and the task) with the username and key.
    [message] = mail.outbox
    assert message.to == ["ana.perez@alcaldia.gov.co"]
    assert "anaperez" in message.body
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == 1
    key = CONFIRM_KEY_RE.search(message.body).group(1)

    # The key is valid (GET only inspects it), then POST confirms the address.
    response = client.get(f"{AUTH}/auth/email/verify", headers={"X-Email-Verification-Key": key})
    assert response.status_code == 200
    assert response.json()["data"]["email"] == "ana.perez@alcaldia.gov.co"
    response = post(client, f"{AUTH}/auth/email/verify", {"key": key}, token=pending_token)
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION is off: confirmed, but the user still has to log in.
    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    assert EmailAddress.objects.get(user=user).verified
    assert AccessEvent.Kind.EMAIL_CONFIRMED in kinds(user)

    # 3. Entrar: username in any letter case.
    token = login(client, "AnaPerez", "Cl4ve#Segura-2026")
    assert AccessEvent.Kind.LOGIN in kinds(user)

    # 4. The headless confirmation does not accept the terms (the web page does): the API asks for them.
    response = get(client, "/api/v1/me", token)
    assert response.status_code == 403
    assert response.json()["code"] == "terms_not_accepted"
    status = get(client, "/api/v1/me/terms", token).json()
    assert status["accepted"] is False and status["current_version"] == settings.TERMS_VERSION
    response = post(client, "/api/v1/me/terms", {"version": settings.TERMS_VERSION}, token=token)
    assert response.status_code == 200
    assert response.json()["accepted"] is True
    assert TermsAcceptance.objects.filter(user=user, version=settings.TERMS_VERSION).exists()

    response = get(client, "/api/v1/me", token)
    assert response.status_code == 200
    profile = response.json()
    assert profile["username"] == "anaperez"
    assert profile["email"] == "ana.perez@alcaldia.gov.co"
    assert profile["document_number"] == "1020304050"
    assert profile["entity_name"] == "Alcaldía de Villa Prueba"

    # 5. Configuración del usuario → Editar.
    response = patch(
        client,
        "/api/v1/me",
        {
            "first_name": "  Ana   María ",
            "last_name": "Pérez",
            "document_type": "CC",
            "document_number": "1020304050",
            "phone": "+57 601 456 7890",
            "time_zone": "America/Lima",
        },
        token,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "6014567890"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.time_zone) == ("Ana María", "Pérez", "America/Lima")

    # 6. Accesos del usuario: new username, then the password through the headless endpoint.
    response = post(
        client,
        "/api/v1/me/username",
        {"new_username": "ana.perez", "current_password": "Cl4ve#Segura-2026"},
        token=token,
    )
    assert response.status_code == 200
    assert response.json()["username"] == "ana.perez"
    response = post(
        client,
        f"{AUTH}/account/password/change",
        {"current_password": "Cl4ve#Segura-2026", "new_password": NEW_PASSWORD},
        token=token,
    )
    assert response.status_code == 200
    # The answer names the session token; it is the same one (the caller stays logged in).
    token = response.json()["meta"]["session_token"]
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    history = get(client, "/api/v1/me/access-events", token).json()
    history_kinds = [item["kind"] for item in history["items"]]
    assert history_kinds[0] == "password_changed"
    for kind in ["username_changed", "profile_updated", "terms_accepted", "login", "email_confirmed"]:
        assert kind in history_kinds
    assert history["count"] == len(history["items"])
    assert history["items"][0]["label"] == "Cambio de contraseña"

    # 7. Out and back in with the new credentials.
    assert client.delete(f"{AUTH}/auth/session", headers={"X-Session-Token": token}).status_code == 401
    assert get(client, "/api/v1/me", token).status_code == 401
    response = post(client, f"{AUTH}/auth/login", {"username": "anaperez", "password": "Cl4ve#Segura-2026"})
    assert response.status_code == 400
    assert get(client, "/api/v1/me", login(client, "ana.perez", NEW_PASSWORD)).status_code == 200


def test_login_before_confirming_gives_no_usable_token(client, sent):
    sent(post, client, f"{AUTH}/auth/signup", signup_data())
    response = sent(post, client, f"{AUTH}/auth/login", {"username": "anaperez", "password": "Cl4ve#Segura-2026"})
    assert response.status_code == 401
    body = response.json()
    assert body["meta"]["is_authenticated"] is False
    assert {"id": "verify_email", "is_pending": True} in body["data"]["flows"]
    # The token of a pending login is not a session of the user.
    assert get(client, "/api/v1/me", body["meta"]["session_token"]).status_code == 401


def test_confirmation_key_is_single_use(client, sent):
    sent(post, client, f"{AUTH}/auth/signup", signup_data())
    key = CONFIRM_KEY_RE.search(mail.outbox[-1].body).group(1)
    assert post(client, f"{AUTH}/auth/email/verify", {"key": key}).status_code == 401
    response = post(client, f"{AUTH}/auth/email/verify", {"key": key})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_or_expired_key"
    assert post(client, f"{AUTH}/auth/email/verify", {"key": "no-existe"}).status_code == 400


# --- Signup errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "param", "fragment"),
    [
        pytest.param({"username": "ANAPEREZ"}, "username", "Ya existe un usuario", id="username-taken-other-case"),
        pytest.param({"email": "Ana.Perez@Alcaldia.gov.co"}, "email", "correo", id="email-taken-other-case"),
        pytest.param({"document_number": "1020304050"}, "document_number", "documento", id="document-taken"),
        pytest.param({"password": "Ab#1"}, "password", "8 caracteres", id="password-short"),
        pytest.param({"password": "password1!"}, "password", "común", id="password-common"),
        pytest.param({"password": "abcdefgh#"}, "password", "número", id="password-no-number"),
        pytest.param({"password": "Abcdefgh12"}, "password", "especial", id="password-no-special"),
        pytest.param({"password": "mariaperez#1"}, "password", "parecida", id="password-like-username"),
        pytest.param(
            {"password": "9988776655#A"}, "password", "parecida a Número de documento", id="password-like-document"
        ),
        pytest.param({"document_number": "0123"}, "document_number", "no puede empezar por 0", id="cc-leading-zero"),
        pytest.param({"document_type": "PA", "document_number": "A#1"}, "document_number", "pasaporte", id="passport"),
        pytest.param({"document_type": "XX"}, "document_type", "", id="document-type"),
        pytest.param({"phone": "300 123 4567 ext 12"}, "phone", "extensión", id="phone-extension"),
        pytest.param({"first_name": "Ana2"}, "first_name", "letras", id="name-digits"),
        pytest.param({"time_zone": "Mars/Olympus"}, "time_zone", "", id="time-zone"),
        pytest.param({"entity_name": "<script>"}, "entity_name", "< >", id="entity-markup"),
        pytest.param({"username": "ana pérez"}, "username", "sin tildes", id="username-chars"),
    ],
)
def test_signup_error_gives_400_and_creates_nothing(client, sent, overrides, param, fragment):
    UserFactory(username="AnaPerez", email="Ana.Perez@Alcaldia.gov.co", document_number="1020304050")
    before = (User.objects.count(), EmailAddress.objects.count(), OutboundEmail.objects.count())
    data = signup_data(username="mariaperez", email="maria@alcaldia.gov.co", document_number="9988776655")
    data.update(overrides)

    response = sent(post, client, f"{AUTH}/auth/signup", data)

    assert response.status_code == 400, response.json()
    errors = [error for error in response.json()["errors"] if error.get("param") == param]
    assert errors, response.json()
    assert any(fragment in error["message"] for error in errors), errors
    assert (User.objects.count(), EmailAddress.objects.count(), OutboundEmail.objects.count()) == before
    assert mail.outbox == []


def test_signup_reports_every_invalid_field_at_once(client):
    response = post(
        client,
        f"{AUTH}/auth/signup",
        signup_data(first_name="", document_number="12", phone="12", password="abc", email="no-es-correo"),
    )
    assert response.status_code == 400
    assert {"first_name", "document_number", "phone", "password", "email"} <= error_params(response)
    assert not User.objects.exists()


def test_signup_requires_the_guides_fields(client):
    data = signup_data()
    for name in ["first_name", "last_name", "document_type", "document_number", "entity_name"]:
        del data[name]
    response = post(client, f"{AUTH}/auth/signup", data)
    assert response.status_code == 400
    assert {"first_name", "last_name", "document_type", "document_number", "entity_name"} <= error_params(response)
    assert not User.objects.exists()


def test_signup_while_logged_in_is_refused(client):
    token = login(client, UserFactory().username)
    response = post(client, f"{AUTH}/auth/signup", signup_data(), token=token)
    assert response.status_code == 409
    assert not User.objects.filter(username="anaperez").exists()


# --- Terms ----------------------------------------------------------------------------------------


def test_new_terms_version_must_be_accepted_once_through_the_api(client, settings):
    user = UserFactory()
    token = login(client, user.username)
    profile = get(client, "/api/v1/me", token).json()
    profile = {name: profile[name] for name in ["first_name", "last_name", "document_type", "document_number"]}

    # Raising the version makes every user accept again; each guarded operation says so.
    settings.TERMS_VERSION = "2030-01-01"
    for method, path, payload in [
        ("get", "/api/v1/me", None),
        ("patch", "/api/v1/me", {**profile, "first_name": "Otra"}),
        ("post", "/api/v1/me/username", {"new_username": "otro.nombre", "current_password": PASSWORD}),
        ("get", "/api/v1/me/access-events", None),
    ]:
        response = getattr(client, method)(
            path, payload, content_type="application/json", headers={"X-Session-Token": token}
        )
        assert response.status_code == 403, path
        assert response.json()["code"] == "terms_not_accepted", path
    user.refresh_from_db()
    assert user.username != "otro.nombre"
    assert user.first_name != "Otra"

    response = post(client, "/api/v1/me/terms", {"version": "2021-09-08"}, token=token)
    assert response.status_code == 400
    assert response.json() == {
        "code": "terms_version_mismatch",
        "message": "Los términos y condiciones cambiaron; lea y acepte la versión vigente.",
        "detail": {"current_version": "2030-01-01"},
    }

    for _ in range(2):  # accepting twice is harmless and recorded once
        assert post(client, "/api/v1/me/terms", {"version": "2030-01-01"}, token=token).status_code == 200
    assert TermsAcceptance.objects.filter(user=user, version="2030-01-01").count() == 1
    assert kinds(user).count(AccessEvent.Kind.TERMS_ACCEPTED) == 1
    status = get(client, "/api/v1/me/terms", token).json()
    assert status["accepted"] is True and status["accepted_at"] is not None
    assert get(client, "/api/v1/me", token).status_code == 200


# --- Profile --------------------------------------------------------------------------------------


def test_profile_edit_records_the_changed_fields(client):
    user = UserFactory(phone="3001234567")
    token = login(client, user.username)
    response = patch(
        client,
        "/api/v1/me",
        {
            "first_name": user.first_name,
            "last_name": "Pérez de la Torre",
            "document_type": "CC",
            "document_number": user.document_number,
            "phone": "",
            "time_zone": "America/Bogota",
        },
        token,
    )
    assert response.status_code == 200
    assert response.json()["last_name"] == "Pérez de la Torre"
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.PROFILE_UPDATED)
    assert event.detail == {"fields": ["last_name", "phone"]}


def test_invalid_profile_gives_spanish_field_errors_and_changes_nothing(client):
    user = UserFactory()
    token = login(client, user.username)
    before = User.objects.values().get(pk=user.pk)
    response = patch(
        client,
        "/api/v1/me",
        {
            "first_name": "Ana<script>",
            "last_name": "",
            "document_type": "CC",
            "document_number": "0123",
            "phone": "12345",
            "time_zone": "Europe/Nowhere",
        },
        token,
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "Revise los datos marcados."
    fields = body["detail"]["fields"]
    assert set(fields) == {"first_name", "last_name", "document_number", "phone", "time_zone"}
    assert "Este campo es obligatorio." in fields["last_name"]
    assert "no puede empezar por 0" in fields["document_number"][0]
    assert "zona horaria" in fields["time_zone"][0]
    assert User.objects.values().get(pk=user.pk) == before
    assert AccessEvent.Kind.PROFILE_UPDATED not in kinds(user)


def test_profile_cannot_take_another_persons_document(client):
    other = UserFactory(document_type="CE", document_number="123456")
    user = UserFactory()
    token = login(client, user.username)
    response = patch(
        client,
        "/api/v1/me",
        {"first_name": "Ana", "last_name": "Pérez", "document_type": "CE", "document_number": other.document_number},
        token,
    )
    assert response.status_code == 400
    assert (
        "Ya existe un usuario registrado con este documento"
        in response.json()["detail"]["fields"]["document_number"][0]
    )
    user.refresh_from_db()
    assert user.document_type == "CC"


def test_profile_patch_changes_only_the_fields_sent(client):
    user = UserFactory(first_name="Ana", last_name="Pérez", document_number="1020304050")
    token = login(client, user.username)
    response = patch(client, "/api/v1/me", {"last_name": "Gómez"}, token)
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.document_number) == ("Ana", "Gómez", "1020304050")


def test_profile_schema_errors_are_422_in_the_same_envelope(client):
    token = login(client, UserFactory().username)
    response = patch(client, "/api/v1/me", {"first_name": "A" * 151, "phone": 3001234567}, token)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    wrong = {tuple(error["loc"])[-1] for error in body["detail"]["errors"]}
    assert "first_name" in wrong


# --- Username -------------------------------------------------------------------------------------


def test_username_change_then_login_with_the_new_one(client):
    user = UserFactory(username="ana.perez")
    token = login(client, "ana.perez")
    response = post(
        client, "/api/v1/me/username", {"new_username": "AnaP-2026", "current_password": PASSWORD}, token=token
    )
    assert response.status_code == 200
    assert response.json()["username"] == "AnaP-2026"
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.USERNAME_CHANGED)
    assert event.detail == {"from": "ana.perez", "to": "AnaP-2026"}
    # The token keeps working: a new username does not end the session.
    assert get(client, "/api/v1/me", token).status_code == 200
    assert post(client, f"{AUTH}/auth/login", {"username": "ana.perez", "password": PASSWORD}).status_code == 400
    login(client, "anap-2026")


def test_username_change_with_wrong_password_is_refused(client):
    user = UserFactory(username="ana.perez")
    token = login(client, "ana.perez")
    response = post(
        client, "/api/v1/me/username", {"new_username": "nuevo.nombre", "current_password": "mala"}, token=token
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert body["detail"]["fields"]["current_password"] == ["La contraseña actual no es correcta."]
    user.refresh_from_db()
    assert user.username == "ana.perez"
    assert AccessEvent.Kind.USERNAME_CHANGED not in kinds(user)


def test_username_taken_in_another_letter_case_is_refused(client):
    UserFactory(username="Pedro.Gomez")
    user = UserFactory(username="ana.perez")
    token = login(client, "ana.perez")
    response = post(
        client, "/api/v1/me/username", {"new_username": "pedro.GOMEZ", "current_password": PASSWORD}, token=token
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "username_taken"
    assert body["message"] == "Ese nombre de usuario ya está en uso; elija otro."
    user.refresh_from_db()
    assert user.username == "ana.perez"


@pytest.mark.parametrize(
    ("new_username", "status"),
    [("ana", 400), ("ana pérez", 400), ("ana<b>", 400), ("x" * 151, 422)],  # 422: over the schema's max_length
)
def test_invalid_username_is_refused_with_field_errors(client, new_username, status):
    user = UserFactory(username="ana.perez")
    token = login(client, "ana.perez")
    response = post(
        client, "/api/v1/me/username", {"new_username": new_username, "current_password": PASSWORD}, token=token
    )
    assert response.status_code == status
    assert response.json()["code"] == "validation_error"
    user.refresh_from_db()
    assert user.username == "ana.perez"


# --- Access history -------------------------------------------------------------------------------


def test_access_events_are_paginated_newest_first_and_only_the_callers(client):
    user = UserFactory(time_zone="Asia/Tokyo")
    other = UserFactory()
    token = login(client, user.username)  # records one "login"
    for n in range(29):
        AccessEvent.objects.create(user=user, kind=AccessEvent.Kind.LOGIN_FAILED, user_agent=f"agente-{n}")
    AccessEvent.objects.create(user=other, kind=AccessEvent.Kind.LOGIN, user_agent="ajeno")
    AccessEvent.objects.create(user=None, kind=AccessEvent.Kind.LOGIN_FAILED, identifier=user.username)

    first = get(client, "/api/v1/me/access-events", token).json()
    second = get(client, "/api/v1/me/access-events?page=2", token).json()

    assert first["count"] == second["count"] == 30
    assert len(first["items"]) == 25 and len(second["items"]) == 5
    agents = [item["user_agent"] for item in first["items"] + second["items"]]
    assert agents[:29] == [f"agente-{n}" for n in reversed(range(29))]
    assert second["items"][-1]["kind"] == "login"
    assert "ajeno" not in agents
    item = first["items"][0]
    assert set(item) == {"kind", "label", "created_at", "ip", "user_agent"}
    assert item["label"] == "Intento fallido de inicio de sesión"
    # Shown in the user's own time zone.
    assert item["created_at"].endswith("+09:00")


def test_failed_api_login_is_in_the_owners_history(client):
    user = UserFactory()
    response = post(client, f"{AUTH}/auth/login", {"username": user.username, "password": "equivocada"})
    assert response.status_code == 400
    token = login(client, user.username)
    items = get(client, "/api/v1/me/access-events", token).json()["items"]
    assert [item["kind"] for item in items] == ["login", "login_failed"]


# --- Passwords ------------------------------------------------------------------------------------


def test_password_change_keeps_this_session_ends_the_others_and_is_recorded(client):
    user = UserFactory()
    token = login(client, user.username)
    other_device = login(client, user.username)

    response = post(
        client,
        f"{AUTH}/account/password/change",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        token=token,
    )

    assert response.status_code == 200
    new_token = response.json()["meta"]["session_token"]
    # The caller keeps its token (hardening issue, item 10); the other sessions end.
    assert new_token == token
    assert get(client, "/api/v1/me", new_token).status_code == 200
    assert get(client, "/api/v1/me", token).status_code == 200
    assert get(client, "/api/v1/me", other_device).status_code == 401
    items = get(client, "/api/v1/me/access-events", new_token).json()["items"]
    # Newest first: the change, then the other session it ended (ADR 0018).
    assert [item["kind"] for item in items[:2]] == ["other_sessions_ended", "password_changed"]
    assert items[1]["label"] == "Cambio de contraseña"
    login(client, user.username, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("payload", "param"),
    [
        ({"current_password": "mala", "new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "abcdefgh"}, "new_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
    ],
)
def test_password_change_refused(client, payload, param):
    user = UserFactory()
    token = login(client, user.username)
    response = post(client, f"{AUTH}/account/password/change", payload, token=token)
    assert response.status_code == 400
    assert param in error_params(response)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert AccessEvent.Kind.PASSWORD_CHANGED not in kinds(user)


def test_password_change_needs_a_session(client):
    response = post(client, f"{AUTH}/account/password/change", {"current_password": PASSWORD, "new_password": "x"})
    assert response.status_code == 401


def test_password_reset_by_e_mail(client, sent):
    user = UserFactory(email="ana@alcaldia.gov.co")
    # Any letter case finds the address.
    response = sent(post, client, f"{AUTH}/auth/password/request", {"email": "ANA@alcaldia.gov.co"})
    assert response.status_code == 200
    [message] = mail.outbox
    assert message.to == ["ana@alcaldia.gov.co"]
    key = RESET_KEY_RE.search(message.body).group(1)

    response = client.get(f"{AUTH}/auth/password/reset", headers={"X-Password-Reset-Key": key})
    assert response.status_code == 200
    assert response.json()["data"]["user"]["username"] == user.username

    # The new password meets the same policy.
    response = post(client, f"{AUTH}/auth/password/reset", {"key": key, "password": "abcdefgh"})
    assert response.status_code == 400
    assert "password" in error_params(response)

    response = post(client, f"{AUTH}/auth/password/reset", {"key": key, "password": NEW_PASSWORD})
    # ACCOUNT_LOGIN_ON_PASSWORD_RESET is off: reset, not logged in.
    assert response.status_code == 401
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert AccessEvent.Kind.PASSWORD_RESET in kinds(user)
    # The key dies with the old password.
    response = post(client, f"{AUTH}/auth/password/reset", {"key": key, "password": "Otra#Clave-2028"})
    assert response.status_code == 400
    login(client, user.username, NEW_PASSWORD)


def test_password_reset_request_for_unknown_address_sends_nothing(client, sent):
    response = sent(post, client, f"{AUTH}/auth/password/request", {"email": "nadie@alcaldia.gov.co"})
    # The same answer as for a registered address (hardening issue, item 9; ADR 0004).
    assert response.status_code == 200
    assert response.json() == {"status": 200}
    assert mail.outbox == []


# --- Sessions -------------------------------------------------------------------------------------


def test_logout_ends_the_token(client):
    user = UserFactory()
    token = login(client, user.username)
    assert get(client, f"{AUTH}/auth/session", token).json()["data"]["user"]["username"] == user.username
    assert client.delete(f"{AUTH}/auth/session", headers={"X-Session-Token": token}).status_code == 401
    assert get(client, "/api/v1/me", token).status_code == 401
    assert AccessEvent.Kind.LOGOUT in kinds(user)


def test_deactivated_user_loses_api_access(client):
    user = UserFactory()
    token = login(client, user.username)
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = get(client, "/api/v1/me", token)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_made_up_token_is_not_authenticated(client):
    response = get(client, "/api/v1/me", "token-inventado")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db(transaction=True)
def test_signup_losing_a_race_for_the_document_leaves_nothing_behind(client, monkeypatch):
    from registro.accounts import services

    original = services.user_profile_clean

    def validate_then_someone_else_registers(**kwargs):
        # The other registration commits between this one's validation and its save.
        cleaned = original(**kwargs)
        UserFactory(document_type=cleaned["document_type"], document_number=cleaned["document_number"])
        return cleaned

    monkeypatch.setattr(services, "user_profile_clean", validate_then_someone_else_registers)
    client.raise_request_exception = False

    response = post(client, f"{AUTH}/auth/signup", signup_data())

    assert not User.objects.filter(username="anaperez").exists()
    assert response.status_code == 400


@pytest.mark.parametrize("client_kind", ["app", "browser"])
@pytest.mark.parametrize("route", ["account/phone", "auth/phone/verify", "auth/phone/verify/resend"])
def test_phone_endpoints_answer_404_not_a_server_error(client, client_kind, route):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    for method in (client.get, client.post):
        response = method(f"/api/v1/auth/{client_kind}/v1/{route}")
        assert response.status_code == 404
        assert "teléfono" in response.json()["errors"][0]["message"]
