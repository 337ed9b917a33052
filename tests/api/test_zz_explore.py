import json
import pytest
from django.core import mail
from registro.accounts.models import User
from allauth.account.models import EmailAddress, EmailConfirmation

pytestmark = pytest.mark.django_db

BASE = "/api/v1/auth/app/v1"

def test_explore(client, sent):
    data = {"username": "anaperez", "email": "ana@entidad.gov.co", "password": "Cl4ve#Segura-2026",
            "first_name": "Ana María", "last_name": "Pérez", "document_type": "CC", "document_number": "1.020.304.050",
            "phone": "300 123 4567", "time_zone": "America/Bogota", "entity_name": "Alcaldía  de  Pasto"}
    r = sent(client.post, BASE + "/auth/signup", data, content_type="application/json")
    print(r.status_code, r.json())
    print(User.objects.values())
    print(len(mail.outbox))
    if mail.outbox: print(mail.outbox[0].subject, mail.outbox[0].body)
    print(EmailConfirmation.objects.values())
    key = EmailConfirmation.objects.first().key
    r = client.post(BASE + "/auth/email/verify", {"key": key}, content_type="application/json")
    print(r.status_code, r.json())
    r = client.post(BASE + "/auth/login", {"username": "anaperez", "password": "Cl4ve#Segura-2026"}, content_type="application/json")
    print(r.status_code, r.json())
    assert 0
