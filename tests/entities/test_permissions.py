import pytest
from django.test import RequestFactory

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad
from registro.entities.membership import acting, permissions
from tests.factories import MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_nobody_acts_for_an_entity_until_it_is_activated():
    membresia = MembresiaFactory()
    entidad, admin = membresia.entidad, membresia.usuario
    assert entidad.estado == Entidad.Estado.PENDIENTE
    assert permissions.can_view_entidad(admin, entidad)  # its admin sees it pending...
    with pytest.raises(ApplicationError) as pending:  # ...but cannot act for it yet
        acting.resolve(request_of(admin))
    assert pending.value.status_code == 409 and pending.value.detail["rule"] == "R3.9"
    entidad.estado = Entidad.Estado.ACTIVA
    entidad.save()
    assert acting.resolve(request_of(admin)).entidad == entidad
    with pytest.raises(ApplicationError) as stranger:
        acting.resolve(request_of(UserFactory(), entidad=entidad))
    assert stranger.value.status_code == 404


def request_of(user, entidad=None):
    headers = {"HTTP_X_ENTIDAD": str(entidad.pk)} if entidad else {}
    request = RequestFactory().get("/api/v1/entidad/miembros", **headers)
    request.user = request.auth = user
    return request


def test_inactive_membership_gives_no_access():
    membresia = MembresiaFactory(activa=False)
    assert not permissions.can_view_entidad(membresia.usuario, membresia.entidad)
