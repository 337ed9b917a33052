"""Django's admin logs in through the site's login (hardening issue, item 1): its rate limits, the
trusted-device policy and the access history apply to staff too."""

import pytest
from django.test import Client

from registro.accounts.models import AccessEvent
from tests.factories import PASSWORD, DeskUserFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db


def test_the_admin_login_page_sends_to_the_sites_login():
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/cuentas/login/?next=%2Fadmin%2F"


def test_posting_to_the_admin_login_never_authenticates():
    desk = DeskUserFactory()
    client = Client()
    for _ in range(30):
        response = client.post("/admin/login/", {"username": desk.username, "password": "Equivocada#1"})
        assert response.status_code == 302 and response["Location"].startswith("/cuentas/login/")
    response = client.post("/admin/login/", {"username": desk.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/cuentas/login/")
    assert "_auth_user_id" not in client.session
    assert not AccessEvent.objects.filter(user=desk, kind=AccessEvent.Kind.LOGIN).exists()


def test_staff_reach_the_admin_through_the_sites_login():
    desk = DeskUserFactory()
    client = Client()
    response = client.post("/cuentas/login/?next=/admin/", {"login": desk.username, "password": PASSWORD})
    # The desk has a second factor (ADR 0017): the code, then on to where the login was going.
    assert response.status_code == 302 and response["Location"] == "/cuentas/2fa/authenticate/"
    response = client.post("/cuentas/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/").status_code == 302  # already in: on to the admin's index
    assert AccessEvent.objects.filter(user=desk, kind=AccessEvent.Kind.LOGIN).exists()


def test_the_sites_failed_login_limit_holds_for_staff():
    desk = DeskUserFactory()
    client = Client()
    for _ in range(5):
        client.post("/cuentas/login/?next=/admin/", {"login": desk.username, "password": "Equivocada#1"})
    blocked = client.post("/cuentas/login/?next=/admin/", {"login": desk.username, "password": PASSWORD})
    assert blocked.status_code == 200 and "_auth_user_id" not in client.session
    assert AccessEvent.objects.filter(user=desk, kind=AccessEvent.Kind.LOGIN_BLOCKED).exists()


def test_a_logged_in_user_who_is_not_staff_is_refused():
    client = Client()
    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 403


def test_the_admins_password_change_is_the_sites():
    client = Client()
    client.force_login(DeskUserFactory())
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/cuentas/password/change/"
