import pytest

from registro.entities import permissions
from registro.entities.models import Entidad
from tests.factories import MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_nobody_acts_for_an_entity_until_it_is_activated():
    membresia = MembresiaFactory()
    entidad, admin = membresia.entidad, membresia.usuario
    assert entidad.estado == Entidad.Estado.PENDIENTE
    assert permissions.can_view_entidad(admin, entidad)  # its admin sees it pending...
    assert not permissions.can_act_for(admin, entidad)  # ...but cannot act for it yet
    entidad.estado = Entidad.Estado.ACTIVA
    entidad.save()
    assert permissions.can_act_for(admin, entidad)
    assert not permissions.can_act_for(UserFactory(), entidad)


def test_inactive_membership_gives_no_access():
    membresia = MembresiaFactory(activa=False)
    assert not permissions.can_view_entidad(membresia.usuario, membresia.entidad)
