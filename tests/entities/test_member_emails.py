"""Members are told by e-mail when someone else changes their access; whoever invited is told when
the invitation is accepted."""

import pytest
from django.core import mail

from registro.entities.membership import invitations, members, roles
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia
from tests.factories import ACCOUNT_KINDS, MembresiaFactory, UserFactory, account_factory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=ACCOUNT_KINDS)
def world(request):
    entidad = account_factory(request.param, nombre="CONCEJO DE PASTO")
    admin = MembresiaFactory(entidad=entidad).usuario
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    return entidad, admin, buyer


def changes(capture, action) -> list:
    mail.outbox.clear()
    with capture(execute=True):
        action()
    return [(m.to, m.subject, m.body) for m in mail.outbox]


def test_each_change_reaches_the_member(world, django_capture_on_commit_callbacks):
    entidad, admin, buyer = world
    capture = django_capture_on_commit_callbacks
    juridica = roles.rol_create(entidad=entidad, actor=admin, nombre="Jurídica", permisos=[Permiso.VER_AUDITORIA])
    expected = [
        (lambda: members.membresia_suspend(membresia=buyer, actor=admin), "Su acceso fue suspendido."),
        (lambda: members.membresia_reactivate(membresia=buyer, actor=admin), "Su acceso fue reactivado."),
        (
            lambda: members.membresia_update(membresia=buyer, actor=admin, roles=[juridica.pk]),
            "Sus roles adicionales ahora son: Jurídica.",
        ),
        (
            lambda: members.membresia_update(membresia=buyer, actor=admin, rol=Membresia.Rol.ADMINISTRADOR),
            "Ahora es Usuario Administrador.",
        ),
        (lambda: members.membresia_remove(membresia=buyer, actor=admin), "Fue retirado de la Entidad."),
    ]
    for action, text in expected:
        [(to, subject, body)] = changes(capture, action)
        assert to == [buyer.usuario.email]
        assert "Cambió su acceso a CONCEJO DE PASTO" in subject
        assert text in body and admin.full_name in body


def test_no_e_mail_for_ones_own_changes(world, django_capture_on_commit_callbacks):
    entidad, admin, buyer = world
    assert (
        changes(
            django_capture_on_commit_callbacks, lambda: members.membresia_remove(membresia=buyer, actor=buyer.usuario)
        )
        == []
    )


def test_whoever_invited_is_told_of_the_acceptance(world, django_capture_on_commit_callbacks):
    entidad, admin, _buyer = world
    invitee = UserFactory(email="nueva@concejo.gov.co")
    with django_capture_on_commit_callbacks(execute=True):
        invitacion = invitations.invitacion_create(entidad=entidad, actor=admin, correo=invitee.email)
    [(to, subject, body)] = changes(
        django_capture_on_commit_callbacks, lambda: invitations.invitacion_accept(invitacion=invitacion, user=invitee)
    )
    assert to == [admin.email]
    assert "nueva@concejo.gov.co aceptó la invitación a CONCEJO DE PASTO" in subject
    assert invitee.username in body
