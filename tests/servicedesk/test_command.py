"""`manage.py create_service_desk_user`: a Mesa de Servicio member ready to work (confirmed e-mail,
current terms accepted, in the group "Mesa de Servicio"), and the group managed in Django admin."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client

from registro.accounts.models import TermsAcceptance, User
from registro.accounts.permissions import SERVICE_DESK_GROUP, is_service_desk
from tests.factories import PASSWORD, UserFactory, give_second_factor

pytestmark = pytest.mark.django_db


def create(username="mesa.ana", email="ana.mesa@cce.gov.co", *extra) -> str:
    out = StringIO()
    call_command("create_service_desk_user", username, email, "--password", PASSWORD, *extra, stdout=out)
    return out.getvalue()


def test_creates_a_desk_member_who_can_log_in_and_open_the_desk():
    output = create("mesa.ana", "ana.mesa@cce.gov.co", "--nombres", "Ana", "--apellidos", "Mesa Ruiz")
    assert "mesa.ana" in output
    user = User.objects.get(username="mesa.ana")
    assert (user.email, user.first_name, user.last_name) == ("ana.mesa@cce.gov.co", "Ana", "Mesa Ruiz")
    assert list(user.groups.values_list("name", flat=True)) == [SERVICE_DESK_GROUP]
    assert is_service_desk(user) and not user.is_superuser
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user, email=user.email, verified=True, primary=True).exists()
    assert TermsAcceptance.objects.filter(user=user, version=settings.TERMS_VERSION).exists()

    client = Client()
    assert client.get("/mesa/").status_code == 302  # the login page first
    response = client.post("/cuentas/login/", {"login": "mesa.ana", "password": PASSWORD})
    # The desk needs a second factor from the start (ADR 0017): the setup page, and only it.
    assert "verificación en dos pasos" in output
    assert response.status_code == 302 and response["Location"] == "/cuentas/2fa/"
    assert client.get("/mesa/")["Location"] == "/cuentas/2fa/?next=%2Fmesa%2F"
    assert client.get("/api/v1/mesa/casos").json()["code"] == "mfa_required"
    give_second_factor(user)
    queue = client.get("/mesa/")
    assert queue.status_code == 200
    assert client.get("/mesa/tablero/").status_code == 200
    # The API's desk operations as well.
    assert client.get("/api/v1/mesa/casos").status_code == 200


def test_a_second_member_joins_the_same_group():
    create("mesa.ana", "ana.mesa@cce.gov.co")
    create("mesa.luis", "luis.mesa@cce.gov.co")
    group = Group.objects.get(name=SERVICE_DESK_GROUP)
    assert sorted(group.user_set.values_list("username", flat=True)) == ["mesa.ana", "mesa.luis"]


def test_a_duplicate_username_is_refused():
    create("mesa.ana", "ana.mesa@cce.gov.co")
    for username in ["mesa.ana", "MESA.ANA"]:
        with pytest.raises(CommandError, match="Ya existe un usuario con ese nombre"):
            create(username, "otra@cce.gov.co")
    assert User.objects.count() == 1
    UserFactory(username="ana.entidad")
    with pytest.raises(CommandError):
        create("ana.entidad", "ana2@cce.gov.co")
    assert not is_service_desk(User.objects.get(username="ana.entidad"))


def test_without_a_password_the_member_sets_one_with_the_reset_link():
    out = StringIO()
    call_command("create_service_desk_user", "mesa.sin", "sin@cce.gov.co", "--no-password", stdout=out)
    user = User.objects.get(username="mesa.sin")
    assert not user.has_usable_password() and is_service_desk(user)


def test_the_group_is_managed_in_django_admin():
    create("mesa.ana", "ana.mesa@cce.gov.co")
    group = Group.objects.get(name=SERVICE_DESK_GROUP)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    listing = client.get("/admin/auth/group/")
    assert listing.status_code == 200
    assert SERVICE_DESK_GROUP in listing.content.decode()
    change = client.get(f"/admin/auth/group/{group.pk}/change/")
    assert change.status_code == 200 and SERVICE_DESK_GROUP in change.content.decode()
    # Membership is what makes a desk member (the User model has no admin page of its own).
    member = UserFactory()
    member.groups.add(group)
    assert is_service_desk(User.objects.get(pk=member.pk))
    # A desk member is staff, but the admin shows them nothing without permissions.
    desk = Client()
    give_second_factor(User.objects.get(username="mesa.ana"))
    desk.force_login(User.objects.get(username="mesa.ana"))
    assert desk.get("/admin/auth/group/").status_code == 403


@pytest.mark.django_db
def test_desk_members_are_managed_in_the_user_admin(client):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory(username="futura.mesa")
    group = Group.objects.create(name="Mesa de Servicio")
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200 and "Mesa de Servicio" in page.content.decode()
    user.groups.add(group)
    from registro.accounts.permissions import is_service_desk

    assert is_service_desk(user)
