"""Section 8: "Configuración del usuario" and "Accesos del usuario" (R6)."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from registro.accounts.models import AccessEvent, User
from registro.accounts.services import ClientInfo, access_event_record
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {
    "first_name": "María José",
    "last_name": "Restrepo",
    "document_type": "PA",
    "document_number": "ab 123456",
    "phone": "+57 601 234 5678",
    "time_zone": "America/Lima",
}


def test_settings_page_shows_the_guides_words(client_logged_in, user):
    html = client_logged_in.get("/usuario/configuracion/").content.decode()
    assert "Configuración del usuario" in html and ">Editar<" in html and "Accesos del usuario" in html
    assert user.document_number in html


def test_edit_personal_data(client_logged_in, user):
    form = client_logged_in.get("/usuario/configuracion/editar/").content.decode()
    assert f'value="{user.document_number}"' in form
    response = client_logged_in.post("/usuario/configuracion/editar/", PROFILE)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.document_type, user.document_number) == ("María José", "PA", "AB123456")
    assert (user.phone, user.time_zone) == ("6012345678", "America/Lima")
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.PROFILE_UPDATED)
    assert "document_number" in event.detail["fields"]


def test_invalid_personal_data_keeps_what_was_typed_and_changes_nothing(client_logged_in, user):
    before = User.objects.values().get(pk=user.pk)
    bad = {**PROFILE, "document_type": "CC", "document_number": "12AB", "first_name": "<b>Mar</b>"}
    response = client_logged_in.post("/usuario/configuracion/editar/", bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"first_name", "document_number"} <= set(errors)
    html = response.content.decode()
    assert 'value="Restrepo"' in html and "&lt;b&gt;Mar&lt;/b&gt;" in html
    assert User.objects.values().get(pk=user.pk) == before
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.PROFILE_UPDATED).exists()


def test_cannot_take_another_persons_document(client_logged_in):
    other = UserFactory(document_type="PA", document_number="AB123456")
    response = client_logged_in.post("/usuario/configuracion/editar/", PROFILE)
    assert "Ya existe un usuario registrado con este documento" in response.content.decode()
    assert other.document_number == "AB123456"


def test_change_username_needs_the_current_password(client_logged_in, user):
    old = user.username
    wrong = client_logged_in.post("/usuario/accesos/", {"new_username": "nuevo.nombre", "current_password": "x"})
    assert "La contraseña actual no es correcta" in wrong.content.decode()
    user.refresh_from_db()
    assert user.username == old
    ok = client_logged_in.post("/usuario/accesos/", {"new_username": "nuevo.nombre", "current_password": PASSWORD})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.username == "nuevo.nombre"
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.USERNAME_CHANGED)
    assert event.detail == {"from": old, "to": "nuevo.nombre"}
    # Still logged in, and the new name works for the next login.
    assert client_logged_in.get("/usuario/accesos/").status_code == 200
    assert Client().post("/cuentas/login/", {"login": "NUEVO.NOMBRE", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("taken", ["Ocupado", "OCUPADO", "ocupado"])
def test_change_username_refuses_a_taken_name_in_any_case(client_logged_in, user, taken):
    UserFactory(username="ocupado")
    response = client_logged_in.post("/usuario/accesos/", {"new_username": taken, "current_password": PASSWORD})
    assert "ya está en uso" in response.content.decode()
    user.refresh_from_db()
    assert user.username != taken


def test_change_username_refuses_bad_characters(client_logged_in):
    response = client_logged_in.post("/usuario/accesos/", {"new_username": "<yo>", "current_password": PASSWORD})
    assert "solo puede contener" in response.content.decode()


def test_password_change_ends_other_sessions_but_not_this_one(user):
    here, elsewhere = Client(), Client()
    for c in (here, elsewhere):
        assert c.post("/cuentas/login/", {"login": user.username, "password": PASSWORD}).status_code == 302
    new = "Otra#Clave-2027"
    page = here.get("/cuentas/password/change/").content.decode()
    assert "Cambiar contraseña" in page
    response = here.post("/cuentas/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    assert here.get("/usuario/accesos/").status_code == 200
    assert elsewhere.get("/usuario/accesos/").status_code == 302  # sent to log in again
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.PASSWORD_CHANGED).count() == 1


def test_password_change_requires_the_current_password_and_the_policy(client_logged_in):
    bad_current = client_logged_in.post(
        "/cuentas/password/change/",
        {"oldpassword": "mal", "password1": "Otra#Clave-2027", "password2": "Otra#Clave-2027"},
    )
    assert bad_current.status_code == 200
    weak = client_logged_in.post(
        "/cuentas/password/change/", {"oldpassword": PASSWORD, "password1": "corta1#", "password2": "corta1#"}
    )
    assert "8 caracteres" in weak.content.decode()
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.PASSWORD_CHANGED).exists()


def _event(user, kind, when):
    event = access_event_record(user=user, kind=kind, client=ClientInfo(ip="10.1.2.3", user_agent="UA"))
    AccessEvent.objects.filter(pk=event.pk).update(created_at=when)
    return event


def test_history_is_newest_first_paginated_and_in_the_users_time_zone(client_logged_in, user):
    user.time_zone = "Europe/Madrid"
    user.save()
    for day in range(1, 31):
        _event(user, AccessEvent.Kind.LOGIN, datetime(2026, 1, day, 15, 0, tzinfo=UTC))
    first = client_logged_in.get("/usuario/accesos/")
    events = list(first.context["page"].object_list)
    assert len(events) == 25
    assert events == sorted(events, key=lambda e: e.created_at, reverse=True)
    html = first.content.decode()
    assert "2026-01-30 16:00:00" in html  # 15:00 UTC is 16:00 in Madrid
    assert "Página 1 de 2" in html
    second = client_logged_in.get("/usuario/accesos/?pagina=2")
    # 30 made here plus the login of client_logged_in itself.
    assert AccessEvent.objects.filter(user=user).count() == 31
    assert len(second.context["page"].object_list) == 6


def test_history_shows_only_the_users_own_events(client_logged_in, user):
    other = UserFactory()
    _event(other, AccessEvent.Kind.LOGIN_FAILED, datetime(2026, 2, 1, tzinfo=UTC))
    _event(user, AccessEvent.Kind.LOGOUT, datetime(2026, 2, 2, tzinfo=UTC))
    page = client_logged_in.get("/usuario/accesos/").context["page"]
    assert {e.user_id for e in page.object_list} == {user.pk}


@pytest.mark.parametrize(
    "url", ["/usuario/configuracion/", "/usuario/configuracion/editar/", "/usuario/accesos/", "/entidades/"]
)
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/cuentas/login/")
