"""Active sessions ("Sesiones activas" in "Accesos del usuario", /api/v1/me/sessions...): each
session with its browser, IP address and last activity; ending one, or all but the current one,
really logs the other client out and is recorded; a new password ends the others (ADR 0018)."""

import json
import re

import pytest
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client

from registro.accounts.models import AccessEvent
from registro.accounts.sessions import browser_name
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile "
    "Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Mobile/15E148 Safari/604.1"
)
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Safari/537.36 Edg/124.0.2478.51"
)
AUTH = "/api/v1/auth/app/v1"


def browser(user, user_agent: str, ip: str = "127.0.0.1") -> Client:
    client = Client(headers={"User-Agent": user_agent}, REMOTE_ADDR=ip)
    client.force_login(user)
    assert client.get("/usuario/accesos/").status_code == 200  # the middleware records the session
    return client


def still_logged_in(client: Client) -> bool:
    return client.get("/usuario/accesos/").status_code == 200


def kinds(user) -> list[str]:
    return list(AccessEvent.objects.filter(user=user).values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("user_agent", "name"),
    [
        (FIREFOX, "Firefox 128 en Windows"),
        (CHROME_ANDROID, "Chrome 124 en Android"),
        (SAFARI_IPHONE, "Safari 17 en iOS"),
        (EDGE, "Edge 124 en Windows"),
        ("curl/8.5.0", "curl 8"),
        ("", "Navegador desconocido"),
        ("Algo/1.0", "Navegador desconocido"),
    ],
)
def test_the_browser_gets_a_readable_name(user_agent, name):
    assert browser_name(user_agent) == name


def test_the_page_lists_each_session_with_browser_ip_and_last_activity(user):
    laptop = browser(user, FIREFOX, "203.0.113.10")
    browser(user, CHROME_ANDROID, "198.51.100.7")
    page = laptop.get("/usuario/accesos/").content.decode()
    section = page[page.index('id="sesiones"') : page.index('id="historial"')]
    assert "Firefox 128 en Windows" in section and "203.0.113.10" in section
    assert "Chrome 124 en Android" in section and "198.51.100.7" in section
    assert section.count("<time") == 4  # last activity and start, for each
    # The current one is marked and offers no "Cerrar"; the other does, named for screen readers.
    current_row = re.search(r'<tr class="current">.*?</tr>', section, re.S).group(0)
    assert "Firefox 128 en Windows" in current_row and "Esta sesión" in current_row and "<form" not in current_row
    assert 'aria-label="Cerrar la sesión de Chrome 124 en Android (198.51.100.7)"' in section
    assert "Cerrar las demás sesiones" in section


def test_ending_a_session_logs_the_other_client_out_and_is_recorded(user):
    laptop = browser(user, FIREFOX)
    phone = browser(user, CHROME_ANDROID)
    other = UserSession.objects.get(user=user, user_agent=CHROME_ANDROID)
    response = laptop.post(f"/usuario/accesos/sesiones/{other.pk}/cerrar/")
    assert response.status_code == 302 and response["Location"] == "/usuario/accesos/#sesiones"
    assert not still_logged_in(phone)
    assert still_logged_in(laptop)
    assert not UserSession.objects.filter(pk=other.pk).exists()
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.SESSION_ENDED)
    assert event.detail == {"browser": "Chrome 124 en Android", "ip": "127.0.0.1"}
    assert "Sesión cerrada desde otra sesión" in laptop.get("/usuario/accesos/").content.decode()


def test_another_users_session_is_not_theirs_to_end(user):
    mine = browser(user, FIREFOX)
    stranger = UserFactory()
    theirs = browser(stranger, CHROME_ANDROID)
    row = UserSession.objects.get(user=stranger)
    assert mine.post(f"/usuario/accesos/sesiones/{row.pk}/cerrar/").status_code == 404
    assert still_logged_in(theirs)
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.SESSION_ENDED).exists()


def test_all_but_the_current_session_end(user):
    laptop = browser(user, FIREFOX)
    phone = browser(user, CHROME_ANDROID)
    tablet = browser(user, SAFARI_IPHONE)
    stranger = browser(UserFactory(), EDGE)
    page = laptop.post("/usuario/accesos/sesiones/cerrar-otras/", follow=True).content.decode()
    assert "Cerramos sus demás sesiones (2). Esta sigue abierta." in page
    assert still_logged_in(laptop) and still_logged_in(stranger)
    assert not still_logged_in(phone) and not still_logged_in(tablet)
    assert UserSession.objects.filter(user=user).count() == 1
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.OTHER_SESSIONS_ENDED)
    assert event.detail == {"sessions": 2}


def test_a_password_change_ends_the_other_sessions(user):
    laptop = browser(user, FIREFOX)
    phone = browser(user, CHROME_ANDROID)
    response = laptop.post(
        "/cuentas/password/change/",
        {"oldpassword": PASSWORD, "password1": "Otra#Clave2027", "password2": "Otra#Clave2027"},
    )
    assert response.status_code == 302
    assert still_logged_in(laptop)
    assert not still_logged_in(phone)
    # Ended, not only refused by the password hash: the row and the stored session are gone.
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [FIREFOX]
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.OTHER_SESSIONS_ENDED)
    assert event.detail == {"sessions": 1, "cause": "password_changed"}


def _app_login(user) -> tuple[Client, str]:
    client = Client(headers={"User-Agent": "RegistroApp/2.0 okhttp/4.12"})
    response = client.post(
        f"{AUTH}/auth/login", {"username": user.username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return client, response.json()["meta"]["session_token"]


def test_a_password_change_in_the_api_ends_the_others_and_keeps_the_token(user):
    laptop = browser(user, FIREFOX)
    app, token = _app_login(user)
    response = app.post(
        f"{AUTH}/account/password/change",
        {"current_password": PASSWORD, "new_password": "Otra#Clave2027"},
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 200, response.content
    assert not still_logged_in(laptop)
    assert app.get("/api/v1/me", headers={"X-Session-Token": token}).status_code == 200


def test_a_password_reset_ends_every_session(user, sent):
    laptop = browser(user, FIREFOX)
    anonymous = Client()
    sent(anonymous.post, "/cuentas/password/reset/", {"email": user.email})
    link = re.search(r"http://testserver(/cuentas/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    form_page = anonymous.get(link, follow=True)
    response = anonymous.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "Otra#Clave2027", "password2": "Otra#Clave2027"},
    )
    assert response.status_code == 302
    assert not still_logged_in(laptop)
    assert not UserSession.objects.filter(user=user).exists()
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.OTHER_SESSIONS_ENDED)
    assert event.detail == {"sessions": 1, "cause": "password_reset"}


def test_the_api_lists_and_ends_sessions(user):
    laptop = browser(user, FIREFOX)
    app, token = _app_login(user)
    headers = {"X-Session-Token": token}
    listed = app.get("/api/v1/me/sessions", headers=headers).json()
    assert [(s["browser"], s["is_current"]) for s in listed] == [
        ("Navegador desconocido", True),
        ("Firefox 128 en Windows", False),
    ]
    assert {"ip", "last_seen_at", "created_at", "user_agent", "id"} <= set(listed[1])
    # The caller's own session is not ended here (that is logging out).
    own = app.delete(f"/api/v1/me/sessions/{listed[0]['id']}", headers=headers)
    assert own.status_code == 409 and own.json()["code"] == "conflict"
    response = app.delete(f"/api/v1/me/sessions/{listed[1]['id']}", headers=headers)
    assert response.status_code == 204
    assert not still_logged_in(laptop)
    assert app.delete(f"/api/v1/me/sessions/{listed[1]['id']}", headers=headers).status_code == 404
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.SESSION_ENDED).count() == 1


def test_the_api_ends_all_but_the_callers_session(user):
    laptop = browser(user, FIREFOX)
    app, token = _app_login(user)
    response = app.post("/api/v1/me/sessions/end-others", headers={"X-Session-Token": token})
    assert response.json() == {"ended": 1}
    assert not still_logged_in(laptop)
    assert app.get("/api/v1/me/sessions", headers={"X-Session-Token": token}).json()[0]["is_current"]
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.OTHER_SESSIONS_ENDED).exists()


def test_allauths_headless_sessions_endpoint_records_what_it_ends(user):
    laptop = browser(user, FIREFOX)
    app, token = _app_login(user)
    headers = {"X-Session-Token": token}
    sessions = app.get(f"{AUTH}/auth/sessions", headers=headers).json()["data"]
    other = next(s for s in sessions if not s["is_current"])
    response = app.delete(
        f"{AUTH}/auth/sessions",
        json.dumps({"sessions": [other["id"]]}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    assert not still_logged_in(laptop)
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.SESSION_ENDED)
    assert event.detail["browser"] == "Firefox 128 en Windows"


def test_allauths_own_sessions_page_leads_to_accesos(client_logged_in):
    response = client_logged_in.get("/cuentas/sessions/")
    assert response.status_code == 302 and response["Location"] == "/usuario/accesos/#sesiones"


def test_an_api_tokens_session_shows_its_last_activity(user):
    app, token = _app_login(user)
    row = UserSession.objects.get(user=user, session_key=token)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=row.last_seen_at.replace(year=2020))
    app.get("/api/v1/me", headers={"X-Session-Token": token})
    assert UserSession.objects.get(pk=row.pk).last_seen_at.year > 2020


def test_last_activity_is_written_at_most_once_per_interval(client_logged_in, user, settings):
    """A busy session writes its last activity once a minute, not once per request; a new address
    is written at once."""
    settings.USERSESSIONS_ACTIVITY_INTERVAL_SECONDS = 60
    client_logged_in.get("/usuario/accesos/")
    row = UserSession.objects.get(user=user)
    old = row.last_seen_at.replace(year=2020)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=old)
    client_logged_in.get("/usuario/accesos/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at == old
    client_logged_in.get("/usuario/accesos/", REMOTE_ADDR="198.51.100.7")
    row.refresh_from_db()
    assert row.last_seen_at.year > 2020 and row.ip == "198.51.100.7"
    settings.USERSESSIONS_ACTIVITY_INTERVAL_SECONDS = 0
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=old)
    client_logged_in.get("/usuario/accesos/", REMOTE_ADDR="198.51.100.7")
    assert UserSession.objects.get(pk=row.pk).last_seen_at.year > 2020


def test_a_session_this_process_saw_within_the_interval_costs_no_look_at_the_shared_cache(settings, monkeypatch):
    from django.core.cache import cache
    from django.test import RequestFactory

    from registro.accounts import sessions

    settings.USERSESSIONS_ACTIVITY_INTERVAL_SECONDS = 60
    asked = []

    class Counting:
        def add(self, key, *args, **kwargs):
            asked.append(key)
            return cache.add(key, *args, **kwargs)

    monkeypatch.setattr(sessions, "cache", Counting())
    clock = [1000.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: clock[0])
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.8", HTTP_USER_AGENT="Firefox")
    assert sessions.activity_due(request, "k1") is True
    assert sessions.activity_due(request, "k1") is False
    assert len(asked) == 1  # the second answer came from this process's memory
    # Another process already wrote it (the shared cache has it): not due here either.
    sessions.activity_memo_clear()
    assert sessions.activity_due(request, "k1") is False
    assert len(asked) == 2
    clock[0] += 61
    cache.clear()
    assert sessions.activity_due(request, "k1") is True
    assert len(asked) == 3
