"""R1.1 enforced by the database as well as by the services: a change that bypasses them and would
leave an entity without an active Administrador is refused when it commits."""

import pytest
from django.db import IntegrityError, connection, transaction

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from tests.factories import ACCOUNT_KINDS, EntidadFactory, MembresiaFactory, account_factory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
@pytest.mark.parametrize("change", [{"rol": Membresia.Rol.COMPRADOR}, {"activa": False}])
def test_demoting_or_suspending_the_last_administrator_directly_is_refused(change, kind):
    only = MembresiaFactory(entidad=account_factory(kind))
    with pytest.raises(IntegrityError, match="R1.1"):
        with transaction.atomic():
            Membresia.objects.filter(pk=only.pk).update(**change)
    only.refresh_from_db()
    assert only.rol == Membresia.Rol.ADMINISTRADOR and only.activa


def test_changes_that_keep_an_administrator_commit():
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    first = MembresiaFactory(entidad=entidad)
    second = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    with transaction.atomic():
        Membresia.objects.filter(pk=second.pk).update(rol=Membresia.Rol.ADMINISTRADOR)
        Membresia.objects.filter(pk=first.pk).update(activa=False)
    assert list(Membresia.objects.filter(entidad=entidad, activa=True).values_list("pk", flat=True)) == [second.pk]


def test_deleting_the_last_administrator_directly_is_refused_on_postgresql():
    only = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    if connection.vendor != "postgresql":
        # SQLite cannot defer the check to commit, so deletions are guarded by the services only
        # (tests/entities/test_members.py); an entity's deletion, memberships first, must still work.
        only.entidad.delete()
        assert not Membresia.objects.exists()
        return
    with pytest.raises(IntegrityError, match="R1.1"):
        with transaction.atomic():
            Membresia.objects.filter(pk=only.pk).delete()
    assert Membresia.objects.filter(pk=only.pk).exists()


def test_deleting_an_entity_or_its_administrators_account_is_allowed():
    only = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    other = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    with transaction.atomic():
        only.entidad.delete()
    with transaction.atomic():
        other.usuario.delete()  # the entity has lost its administrator: the desk appoints one
    assert not Membresia.objects.exists()
