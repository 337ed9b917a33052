"""Two people registering the same username (in different letter case) at the same moment: the
database constraint lets exactly one through and the other gets a clear error."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from registro.accounts.models import User
from tests.accounts.test_signup import form_data

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_signups_with_the_same_username_create_exactly_one_user():
    barrier = threading.Barrier(2)
    results = []

    def register(i, username):
        try:
            data = form_data(username=username, email=f"persona{i}@entidad.gov.co", document_number=str(1020304050 + i))
            barrier.wait(timeout=10)
            response = Client().post("/cuentas/signup/", data)
            errors = response.context["form"].errors if response.status_code == 200 else {}
            results.append((response.status_code, errors))
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=register, args=(i, name)) for i, name in enumerate(["carlos.ruiz", "CARLOS.RUIZ"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(code for code, _ in results) == [200, 302], results
    [(_, errors)] = [r for r in results if r[0] == 200]
    text = " ".join(str(e) for e in errors.values())
    assert "Ya existe un usuario" in text or "acaba de registrar" in text
    assert User.objects.filter(username__iexact="carlos.ruiz").count() == 1
