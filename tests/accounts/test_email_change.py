"""Changing the e-mail from "Configuración del usuario": confirmed on the new address first."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from registro.accounts.models import AccessEvent, User

pytestmark = pytest.mark.django_db


def test_email_change_takes_effect_when_the_new_address_confirms(client_logged_in, user, sent):
    page = client_logged_in.get("/cuentas/email/").content.decode()
    assert '<label for="id_email">Correo electrónico nuevo' in page and user.email in page
    response = sent(client_logged_in.post, "/cuentas/email/", {"action_add": "", "email": "nuevo@entidad.gov.co"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).email == user.email  # not yet
    [message] = mail.outbox
    assert message.to == ["nuevo@entidad.gov.co"]
    link = re.search(r"http://testserver(/cuentas/confirm-email/\w+/)", message.body).group(1)
    page = client_logged_in.get(link).content.decode()
    assert "Confirmar correo electrónico" in page and "accept_terms" not in page
    client_logged_in.post(link, {})
    assert User.objects.get(pk=user.pk).email == "nuevo@entidad.gov.co"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["nuevo@entidad.gov.co"]
    event = AccessEvent.objects.get(user=user, kind=AccessEvent.Kind.EMAIL_CHANGED)
    assert event.detail == {"from": user.email, "to": "nuevo@entidad.gov.co"}


def test_email_of_another_user_is_refused(client_logged_in):
    from tests.factories import UserFactory

    UserFactory(email="ocupado@entidad.gov.co")
    response = client_logged_in.post("/cuentas/email/", {"action_add": "", "email": "OCUPADO@entidad.gov.co"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Ya hay registrado un usuario con esta dirección de correo electrónico."
    ]
