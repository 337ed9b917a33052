"""The session's user is read in one query with what every page asks of it (desk membership,
second factor, Administrador role), and those answers are the ones the rules give on their own."""

import pytest
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from registro.accounts import mfa
from registro.accounts.backends import AuthenticationBackend
from registro.accounts.permissions import SERVICE_DESK_GROUP, is_service_desk
from registro.entities.membership.selectors import user_is_administrador
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _loaded(user):
    return AuthenticationBackend().get_user(str(user.pk))


def _facts(user):
    return is_service_desk(user), user_is_administrador(user), mfa.status(user)


def test_the_facts_come_with_the_user_and_ask_nothing_more(client):
    plain = UserFactory()
    with CaptureQueriesContext(connection) as ctx:
        user = _loaded(plain)
        facts = _facts(user)
    assert len(ctx.captured_queries) == 1
    assert facts == (False, False, mfa.NOT_REQUIRED)


@pytest.mark.parametrize("desk,admin,factor", [(True, False, False), (False, True, True), (True, True, True)])
def test_they_answer_as_the_rules_do_on_their_own(desk, admin, factor, django_user_model):
    from allauth.mfa.models import Authenticator

    from tests.factories import EntidadFactory, MembresiaFactory

    user = UserFactory()
    if desk:
        Group.objects.get_or_create(name=SERVICE_DESK_GROUP)[0].user_set.add(user)
    if admin:
        MembresiaFactory(usuario=user, entidad=EntidadFactory(), rol="administrador")
    if factor:
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})  # not a factor
    loaded = _loaded(user)
    on_their_own = django_user_model.objects.get(pk=user.pk)
    assert not hasattr(on_their_own, "_has_second_factor")
    assert _facts(loaded)[:2] == _facts(on_their_own)[:2] == (desk, admin)
    assert mfa.status(loaded).compliant == mfa.status(on_their_own).compliant == (factor or not (desk or admin))
    assert mfa.status(loaded).required == (desk or admin)


def test_an_unknown_or_inactive_user_is_no_user():
    backend = AuthenticationBackend()
    assert backend.get_user("999999999") is None
    assert backend.get_user("no es un id") is None
    user = UserFactory(is_active=False)
    assert backend.get_user(str(user.pk)) is None


def test_the_request_user_is_loaded_by_it(client):
    user = UserFactory()
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    loaded = get_user(request)
    assert not isinstance(loaded, AnonymousUser) and loaded.pk == user.pk
    assert loaded._in_service_desk_group is False and loaded._is_administrador is False
