"""Section 1, "Registrar usuario" (R1.3, R1.4), through the HTTP layer."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from registro.accounts.models import User
from registro.notifications.models import OutboundEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/cuentas/signup/"


def form_data(**overrides):
    data = {
        "first_name": "Ana María",
        "last_name": "Pérez Gómez",
        "document_type": "CC",
        "document_number": "1.020.304.050",
        "email": "ana.perez@alcaldia.gov.co",
        "phone": "300 123 4567",
        "username": "anaperez",
        "password1": "Cl4ve#Segura-2026",
        "password2": "Cl4ve#Segura-2026",
        "time_zone": "America/Bogota",
        "entity_name": "Alcaldía de Villa Prueba",
        "entity_nit": "",
    }
    data.update(overrides)
    return data


def counts():
    return User.objects.count(), EmailAddress.objects.count(), OutboundEmail.objects.count()


def test_signup_page_uses_the_guides_words_and_labels_every_field(client):
    html = client.get(SIGNUP_URL).content.decode()
    assert "Registrar usuario" in html and ">Continuar<" in html
    for label in [
        "Nombres",
        "Apellidos",
        "Tipo de documento",
        "Número de documento",
        "Correo electrónico",
        "Teléfono",
        "Nombre de usuario",
        "Contraseña",
        "Confirmación de la contraseña",
        "Zona horaria",
        "Nombre de la Entidad",
    ]:
        assert re.search(rf"<label for=\"id_\w+\">{label}", html), label
    assert "(UTC-05:00) Bogotá, Lima, Quito" in html
    for kind in ["Cédula de ciudadanía", "Cédula de extranjería", "Pasaporte", "Permiso por Protección Temporal"]:
        assert kind in html


def test_successful_signup_stores_the_user_and_sends_the_confirmation(client, sent):
    response = sent(client.post, SIGNUP_URL, form_data(entity_nit="899999001"))
    assert response.status_code == 302
    assert response["Location"] == "/cuentas/confirm-email/"
    user = User.objects.get(username="anaperez")
    assert (user.first_name, user.last_name) == ("Ana María", "Pérez Gómez")
    assert (user.document_type, user.document_number, user.phone) == ("CC", "1020304050", "3001234567")
    assert user.time_zone == "America/Bogota"
    assert (user.entity_name, user.entity_nit) == ("Alcaldía de Villa Prueba", "899999001")
    assert user.password.startswith("md5$")  # hashed (test hasher), never stored in clear
    assert not EmailAddress.objects.get(user=user).verified
    [message] = mail.outbox
    assert message.to == ["ana.perez@alcaldia.gov.co"]
    assert "Confirme su registro" in message.subject
    assert "anaperez" in message.body
    assert "spam" in message.body
    assert re.search(r"http://testserver/cuentas/confirm-email/\w+/", message.body)
    html = message.alternatives[0][0]
    assert "anaperez" in html and "Confirmar registro" in html
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_confirmation_page_reminds_to_check_spam(client):
    client.post(SIGNUP_URL, form_data())
    page = client.get("/cuentas/confirm-email/").content.decode()
    assert "Confirmar registro" in page and "spam" in page


def assert_refused(client, data, field, fragment):
    before = counts()
    response = client.post(SIGNUP_URL, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any(fragment in e for e in errors[field]), errors[field]
    assert counts() == before, "nothing may be saved when the form has errors"
    html = response.content.decode()
    assert 'id="resumen-errores"' in html
    # What the user typed is kept (except passwords).
    assert 'value="Ana María"' in html or data["first_name"] != "Ana María"
    return response


@pytest.mark.parametrize("username", ["ANAPEREZ", "AnaPerez", "anaperez"])
def test_duplicate_username_in_any_letter_case(client, username):
    UserFactory(username="anaperez")
    assert_refused(client, form_data(username=username), "username", "Ya existe un usuario")


@pytest.mark.parametrize("email", ["ANA.PEREZ@ALCALDIA.GOV.CO", "Ana.Perez@alcaldia.gov.co"])
def test_duplicate_email_in_any_letter_case(client, email):
    UserFactory(username="otra", email="ana.perez@alcaldia.gov.co")
    assert_refused(client, form_data(email=email), "email", "Ya hay registrado un usuario")


def test_same_person_cannot_register_twice(client):
    UserFactory(document_type="CC", document_number="1020304050")
    assert_refused(client, form_data(), "document_number", "Ya existe un usuario registrado con este documento")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab#1", "8 caracteres"),
        ("abcdefgh#", "al menos un número"),
        ("12345678#", "al menos una letra"),
        ("Abcdefgh12", "carácter especial"),
        ("password1!", "común"),
        ("anaperez#1", "parecida"),
    ],
)
def test_each_kind_of_weak_password(client, password, fragment):
    assert_refused(client, form_data(password1=password, password2=password), "password1", fragment)


def test_mismatched_confirmation(client):
    assert_refused(client, form_data(password2="Otra#Clave-2026"), "password2", "misma contraseña")


@pytest.mark.parametrize(
    ("doc_type", "number"), [("CC", "0123"), ("CC", "12345678901"), ("CE", "12345678"), ("PA", "A#1"), ("PPT", "12")]
)
def test_invalid_document_numbers(client, doc_type, number):
    assert_refused(client, form_data(document_type=doc_type, document_number=number), "document_number", "")


def test_overlong_fields(client):
    assert_refused(client, form_data(first_name="A" * 151), "first_name", "150")
    assert_refused(client, form_data(entity_name="E" * 256), "entity_name", "255")


def test_markup_in_names_is_refused_and_shown_escaped(client):
    response = assert_refused(client, form_data(first_name="<script>alert(1)</script>"), "first_name", "letras")
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_invalid_phone_and_time_zone(client):
    assert_refused(client, form_data(phone="601 234 5678 ext 3"), "phone", "extensión")
    assert_refused(client, form_data(time_zone="Mars/Olympus"), "time_zone", "")


def test_missing_csrf_token_is_refused_and_saves_nothing():
    client = Client(enforce_csrf_checks=True)
    before = counts()
    response = client.post(SIGNUP_URL, form_data())
    assert response.status_code == 403
    assert counts() == before


def test_all_errors_are_listed_at_once_with_values_kept(client):
    before = counts()
    response = client.post(
        SIGNUP_URL, form_data(document_number="abc", password2="x", phone="12", last_name="<b>x</b>", username="")
    )
    errors = response.context["form"].errors
    assert {"document_number", "password2", "phone", "last_name", "username"} <= set(errors)
    assert counts() == before
    html = response.content.decode()
    assert 'value="ana.perez@alcaldia.gov.co"' in html and 'value="Ana María"' in html
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in html
