import json, re
import pytest
from django.core import mail
from django.test import Client
from registro.accounts.models import User, AccessEvent
from tests.factories import UserFactory, PASSWORD

pytestmark = pytest.mark.django_db
BASE = "/api/v1/auth/app/v1"

def test_csrf(user):
    c = Client(enforce_csrf_checks=True)
    r = c.patch("/api/v1/me", {}, content_type="application/json"); print("anon", r.status_code, r.json())
    c.force_login(user)
    r = c.get("/api/v1/me"); print(r.status_code, r.json())
    r = c.patch("/api/v1/me", {"first_name": "Ana", "last_name": "B", "document_type": "CC", "document_number": user.document_number}, content_type="application/json"); print(r.status_code, r.json())
    print(c.cookies)
    c.get("/cuentas/login/")
    print(c.cookies)
    r = c.patch("/api/v1/me", {"first_name": "Ana", "last_name": "B", "document_type": "CC", "document_number": user.document_number}, content_type="application/json", HTTP_X_CSRFTOKEN=c.cookies["csrftoken"].value); print(r.status_code, r.json())
    assert 0

def test_reset(client, sent):
    u = UserFactory(email="ana@x.gov.co")
    r = sent(client.post, BASE + "/auth/password/request", {"email": "ANA@x.gov.co"}, content_type="application/json"); print(r.status_code, r.json())
    print(mail.outbox[-1].body)
    m = re.search(r"/password/reset/key/([^/]+)/", mail.outbox[-1].body)
    key = m.group(1)
    r = client.get(BASE + "/auth/password/reset", HTTP_X_PASSWORD_RESET_KEY=key); print(r.status_code, r.json())
    r = client.post(BASE + "/auth/password/reset", {"key": key, "password": "Nueva#Clave-2027"}, content_type="application/json"); print(r.status_code, r.json())
    r = client.post(BASE + "/auth/password/reset", {"key": key, "password": "Otra#Clave-2028"}, content_type="application/json"); print(r.status_code, r.json())
    print(list(AccessEvent.objects.values_list("kind", flat=True)))
    assert 0

def test_email_case(client, sent):
    UserFactory(username="pedro", email="pedro@x.gov.co")
    data = {"username": "anaperez", "email": "PEDRO@x.gov.co", "password": "Cl4ve#Segura-2026",
            "first_name": "Ana María", "last_name": "Pérez", "document_type": "CC", "document_number": "1020304050",
            "time_zone": "America/Bogota", "entity_name": "Alcaldía"}
    r = sent(client.post, BASE + "/auth/signup", data, content_type="application/json"); print(r.status_code, r.json())
    r = sent(client.post, BASE + "/auth/signup", {**data, "email": "ana@x.gov.co", "password": "anaperez#1"}, content_type="application/json"); print(r.status_code, r.json())
    r = sent(client.post, BASE + "/auth/signup", {**data, "email": "ana@x.gov.co", "password": "1020304050Ab#"}, content_type="application/json"); print(r.status_code, r.json())
    r = sent(client.post, BASE + "/auth/signup", {**data, "email": "ana@x.gov.co", "document_number": "1111111"}, content_type="application/json"); print(r.status_code, r.json())
    r = sent(client.post, BASE + "/auth/signup", {**data, "email": "ana2@x.gov.co", "username": "ANAPEREZ", "document_number": "2222222"}, content_type="application/json"); print(r.status_code, r.json())
    assert 0
