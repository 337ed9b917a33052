"""Section 2, "Confirmar registro" (R1.5): the single-use link, the terms, resending."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from django.core import mail

from registro.accounts.models import AccessEvent, TermsAcceptance, User
from tests.accounts.helpers import last_confirmation_path, register

pytestmark = pytest.mark.django_db

PASSWORD = "Cl4ve#Segura-2026"


def test_following_the_link_and_confirming_records_the_terms(client, sent, settings):
    path = register(client, sent)
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Confirmar registro" in html and "términos y condiciones" in html
    response = client.post(path, {"accept_terms": "on"})
    assert response.status_code == 302 and response["Location"].startswith("/cuentas/login/")
    user = User.objects.get(username="anaperez")
    assert EmailAddress.objects.get(user=user).verified
    acceptance = TermsAcceptance.objects.get(user=user)
    assert acceptance.version == settings.TERMS_VERSION and acceptance.accepted_at is not None
    assert AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.TERMS_ACCEPTED).exists()


def test_confirming_without_accepting_the_terms_is_refused(client, sent):
    path = register(client, sent)
    response = client.post(path, {})
    assert response.status_code == 400
    assert "debe aceptar los términos" in response.content.decode()
    assert not EmailAddress.objects.get(email="ana.perez@alcaldia.gov.co").verified
    assert not TermsAcceptance.objects.exists()


def test_the_link_works_only_once(client, sent):
    path = register(client, sent)
    client.post(path, {"accept_terms": "on"})
    again = client.post(path, {"accept_terms": "on"})
    assert again.status_code == 400
    assert "ya no sirve" in again.content.decode()
    assert "ya no sirve" in client.get(path).content.decode()
    assert TermsAcceptance.objects.count() == 1


def test_an_expired_link_is_refused(client, sent, settings):
    path = register(client, sent)
    EmailConfirmation.objects.update(sent=EmailConfirmation.objects.get().sent - timedelta(days=4))
    response = client.post(path, {"accept_terms": "on"})
    assert response.status_code == 400
    assert "ya no sirve" in response.content.decode()
    assert not EmailAddress.objects.get().verified


def test_a_mistyped_link_is_refused(client):
    response = client.post("/cuentas/confirm-email/no-existe/", {"accept_terms": "on"})
    assert response.status_code == 400
    assert "Pedir un nuevo correo de confirmación" in response.content.decode()


def test_unconfirmed_user_who_tries_to_log_in_is_told_and_offered_a_resend(client, sent):
    register(client, sent)
    mail.outbox.clear()
    response = sent(client.post, "/cuentas/login/", {"login": "anaperez", "password": PASSWORD}, follow=True)
    html = response.content.decode()
    assert "aún no está confirmado" in html
    assert "spam" in html
    assert "/cuentas/reenviar-confirmacion/" in html
    assert "_auth_user_id" not in client.session


def test_resend_from_the_login_page(client, sent, settings):
    register(client, sent)
    login_page = client.get("/cuentas/login/").content.decode()
    assert "/cuentas/reenviar-confirmacion/" in login_page
    first = last_confirmation_path()
    mail.outbox.clear()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": False}
    response = sent(client.post, "/cuentas/reenviar-confirmacion/", {"login": "ANA.PEREZ@alcaldia.gov.co"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "Confirme su registro" in mail.outbox[0].subject and "anaperez" in mail.outbox[0].body
    # The new link works.
    new = last_confirmation_path()
    assert client.post(new, {"accept_terms": "on"}).status_code == 302
    assert EmailAddress.objects.get().verified
    assert first  # the first link was a different, earlier one


def test_resend_says_the_same_for_unknown_accounts_and_sends_nothing(client, sent):
    response = sent(client.post, "/cuentas/reenviar-confirmacion/", {"login": "nadie@ejemplo.co"}, follow=True)
    assert "Si hay un usuario sin confirmar" in response.content.decode()
    assert mail.outbox == []


def test_login_after_confirming_completes_registration(client, sent):
    path = register(client, sent)
    client.post(path, {"accept_terms": "on"})
    response = client.post("/cuentas/login/", {"login": "anaperez", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/entidades/"
    html = response.content.decode()
    assert "Crear o solicitar acceso a una Entidad" in html
    # The entity typed at registration pre-fills section 3's search.
    assert 'value="Alcaldía de Villa Prueba"' in html


def test_when_the_terms_change_users_accept_again_at_next_login(client, sent, settings):
    path = register(client, sent)
    client.post(path, {"accept_terms": "on"})
    settings.TERMS_VERSION = "2027-01-01"
    response = client.post("/cuentas/login/", {"login": "anaperez", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/cuentas/terminos/")
    assert "cambiaron" in response.content.decode()
    # Every page sends them back until they accept.
    assert client.get("/usuario/configuracion/")["Location"].startswith("/cuentas/terminos/")
    refused = client.post("/cuentas/terminos/", {"next": "/usuario/configuracion/"})
    assert "debe aceptar" in refused.content.decode()
    accepted = client.post("/cuentas/terminos/", {"accept_terms": "on", "next": "/usuario/configuracion/"})
    assert accepted["Location"] == "/usuario/configuracion/"
    user = User.objects.get(username="anaperez")
    assert set(TermsAcceptance.objects.filter(user=user).values_list("version", flat=True)) == {
        "2021-09-08",
        "2027-01-01",
    }
    assert client.get("/usuario/configuracion/").status_code == 200


def test_terms_page_refuses_an_external_next_url(client, user):
    client.force_login(user)
    response = client.post("/cuentas/terminos/", {"accept_terms": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"
