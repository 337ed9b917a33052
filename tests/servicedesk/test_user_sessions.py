"""The desk ends every session of a user as part of a security incident, from the user's page
(/mesa/usuarios/<pk>/) or the API, always with a reason: recorded in the user's access history with
the reason and the desk member, and the user is e-mailed through the outbox (ADR 0018)."""

import pytest
from allauth.usersessions.models import UserSession
from django.core import mail
from django.test import Client

from registro.accounts.models import AccessEvent
from registro.notifications.models import OutboundEmail
from tests.factories import DeskUserFactory, UserFactory
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
MOTIVO = "El usuario reportó el robo de su portátil."


@pytest.fixture
def mesa(db):
    return DeskUserFactory(username="mesa.incidentes")


@pytest.fixture
def ana(db):
    return UserFactory(username="ana.incidente", email="ana@alcaldia.gov.co")


def browser(user) -> Client:
    client = Client(headers={"User-Agent": FIREFOX}, REMOTE_ADDR="203.0.113.5")
    client.force_login(user)
    assert client.get("/usuario/accesos/").status_code == 200
    return client


def works(client) -> bool:
    return client.get("/usuario/accesos/").status_code == 200


def test_the_users_page_shows_their_active_sessions(mesa, ana):
    browser(ana)
    browser(ana)
    page = logged_in(mesa).get(f"/mesa/usuarios/{ana.pk}/").content.decode()
    section = page[page.index('id="sesiones"') : page.index("Historial de accesos")]
    assert "Sesiones activas" in section and "(2)" in section
    assert section.count("Firefox 128 en Linux") == 2 and "203.0.113.5" in section
    assert "Cerrar todas las sesiones" in section


def test_the_desk_ends_every_session_with_a_reason(mesa, ana, sent):
    laptop, phone = browser(ana), browser(ana)
    desk = logged_in(mesa)
    response = sent(desk.post, f"/mesa/usuarios/{ana.pk}/cerrar-sesiones/", {"motivo": MOTIVO})
    assert response.status_code == 302 and response["Location"] == f"/mesa/usuarios/{ana.pk}/#sesiones"
    assert not works(laptop) and not works(phone)
    assert works(desk)
    assert not UserSession.objects.filter(user=ana).exists()
    event = AccessEvent.objects.get(user=ana, kind=AccessEvent.Kind.SESSIONS_ENDED_BY_DESK)
    assert event.detail == {"motivo": MOTIVO, "staff": mesa.username, "staff_id": mesa.pk, "sessions": 2}
    [email] = [m for m in mail.outbox if m.to == [ana.email]]
    assert "cerró sus sesiones" in email.subject and MOTIVO in email.body
    assert OutboundEmail.objects.filter(template="servicedesk/email/sesiones_cerradas", to=[ana.email]).exists()
    # The page says so, and the user sees it in their own history once back.
    page = desk.get(f"/mesa/usuarios/{ana.pk}/").content.decode()
    assert "Sesiones cerradas por la Mesa de Servicio" in page and "El usuario no tiene sesiones abiertas." in page
    again = browser(ana).get("/usuario/accesos/").content.decode()
    assert "Sesiones cerradas por la Mesa de Servicio" in again


def test_without_a_reason_nothing_changes_and_the_error_says_why(mesa, ana):
    laptop = browser(ana)
    response = logged_in(mesa).post(f"/mesa/usuarios/{ana.pk}/cerrar-sesiones/", {"motivo": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Escriba el motivo por el que cierra las sesiones del usuario." in page
    assert 'href="#id_motivo"' in page  # the error summary links the field
    assert works(laptop)
    assert not AccessEvent.objects.filter(kind=AccessEvent.Kind.SESSIONS_ENDED_BY_DESK).exists()
    assert not OutboundEmail.objects.filter(template="servicedesk/email/sesiones_cerradas").exists()


def test_through_the_api(mesa, ana, sent):
    laptop = browser(ana)
    desk = logged_in(mesa)
    detail = desk.get(f"/api/v1/mesa/usuarios/{ana.pk}").json()
    assert [s["browser"] for s in detail["sesiones"]] == ["Firefox 128 en Linux"]
    missing = desk.post(f"/api/v1/mesa/usuarios/{ana.pk}/cerrar-sesiones", {}, content_type="application/json")
    assert missing.status_code == 400 and "motivo" in missing.json()["detail"]["fields"]
    assert works(laptop)
    response = sent(
        desk.post,
        f"/api/v1/mesa/usuarios/{ana.pk}/cerrar-sesiones",
        {"motivo": MOTIVO},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json() == {"ended": 1}
    assert not works(laptop)
    assert AccessEvent.objects.filter(user=ana, kind=AccessEvent.Kind.SESSIONS_ENDED_BY_DESK).count() == 1
    assert any(m.to == [ana.email] for m in mail.outbox)


def test_only_the_desk_ends_someone_elses_sessions(ana):
    laptop = browser(ana)
    other = logged_in(UserFactory())
    assert other.post(f"/mesa/usuarios/{ana.pk}/cerrar-sesiones/", {"motivo": MOTIVO}).status_code == 404
    api = other.post(
        f"/api/v1/mesa/usuarios/{ana.pk}/cerrar-sesiones", {"motivo": MOTIVO}, content_type="application/json"
    )
    assert api.status_code == 404
    assert works(laptop)
