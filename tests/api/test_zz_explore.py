import json
import pytest
from django.core import mail
from registro.accounts.models import User, AccessEvent
from allauth.account.models import EmailAddress, EmailConfirmation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/auth/app/v1"
DATA = {"username": "anaperez", "email": "ana@entidad.gov.co", "password": "Cl4ve#Segura-2026",
            "first_name": "Ana María", "last_name": "Pérez", "document_type": "CC", "document_number": "1.020.304.050",
            "phone": "300 123 4567", "time_zone": "America/Bogota", "entity_name": "Alcaldía  de  Pasto"}

def test_explore(client, sent):
    UserFactory(username="AnaPerez")
    for over in [{}, {"username": "x"}, {"password": "abcdefgh"}, {"password": "anaperez2026#"}, {"document_number": "0123"}, {"username": "otro1", "email": "ANAPEREZ@entidad.gov.co"}, {"entity_name": "<b>"}, {"time_zone": "Mars/X"}]:
        r = sent(client.post, BASE + "/auth/signup", {**DATA, **over}, content_type="application/json")
        print(over, r.status_code, json.dumps(r.json(), ensure_ascii=False))
    print(User.objects.count(), len(mail.outbox))
    assert 0

def test_explore2(client, sent):
    r = sent(client.post, BASE + "/auth/signup", DATA, content_type="application/json")
    tok = r.json()["meta"]["session_token"]
    key = EmailConfirmation.objects.first().key
    r = client.post(BASE + "/auth/email/verify", {"key": key}, content_type="application/json", HTTP_X_SESSION_TOKEN=tok)
    print(r.status_code, r.json())
    print(EmailAddress.objects.values(), EmailConfirmation.objects.count())
    r = client.post(BASE + "/auth/email/verify", {"key": key}, content_type="application/json")
    print("again", r.status_code, r.json())
    r = client.post(BASE + "/auth/login", {"username": "ANAPEREZ", "password": "Cl4ve#Segura-2026"}, content_type="application/json")
    print(r.status_code, r.json())
    tok = r.json()["meta"]["session_token"]
    h = {"HTTP_X_SESSION_TOKEN": tok}
    r = client.get("/api/v1/me", **h); print(r.status_code, r.json())
    r = client.get("/api/v1/me/terms", **h); print(r.status_code, r.json())
    r = client.post("/api/v1/me/terms", {"version": "x"}, content_type="application/json", **h); print(r.status_code, r.json())
    r = client.post("/api/v1/me/terms", {"version": "2021-09-08"}, content_type="application/json", **h); print(r.status_code, r.json())
    r = client.get("/api/v1/me", **h); print(r.status_code, r.json())
    r = client.patch("/api/v1/me", {"first_name": "A1", "last_name": "", "document_type": "CC", "document_number": "0", "phone": "123", "time_zone": "X"}, content_type="application/json", **h); print(r.status_code, json.dumps(r.json(), ensure_ascii=False))
    r = client.patch("/api/v1/me", {"first_name": "Ana", "last_name": "López"}, content_type="application/json", **h); print(r.status_code, json.dumps(r.json(), ensure_ascii=False))
    r = client.post(BASE + "/account/password/change", {"current_password": "Cl4ve#Segura-2026", "new_password": "Nueva#Clave-2027"}, content_type="application/json", **h); print(r.status_code, r.json())
    r = client.post(BASE + "/account/password/change", {"current_password": "bad", "new_password": "abc"}, content_type="application/json", **h); print(r.status_code, r.json())
    r = client.get("/api/v1/me/access-events", **h); print(r.status_code, json.dumps(r.json(), ensure_ascii=False))
    r = client.get(BASE + "/auth/session", **h); print(r.status_code, r.json())
    r = client.delete(BASE + "/auth/session", **h); print(r.status_code, r.json())
    r = client.get("/api/v1/me", **h); print(r.status_code, r.json())
    print(list(AccessEvent.objects.values_list("kind", flat=True)))
    assert 0
