"""R5/R7 audit: membership, role, invitation and request changes are recorded and shown, in words,
to those who may see the entity's history."""

import pytest
from django.test import Client

from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import access, invitations, members, roles
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, SolicitudAcceso
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_history_says_who_and_what_changed():
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    admin = MembresiaFactory(entidad=entidad).usuario
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    juridica = roles.rol_create(entidad=entidad, actor=admin, nombre="Jurídica", permisos=[Permiso.VER_AUDITORIA])
    members.membresia_update(membresia=buyer, actor=admin, rol=Membresia.Rol.ADMINISTRADOR, roles=[juridica.pk])
    invitations.invitacion_create(entidad=entidad, actor=admin, correo="nuevo@entidad.gov.co")
    solicitud = access.solicitud_create(user=UserFactory(username="solicitante1"), entidad=entidad)
    access.solicitud_reject(solicitud=solicitud, admin=admin, motivo="No trabaja aquí")

    tipos = set(entidad.eventos.values_list("tipo", flat=True))
    assert {
        EventoEntidad.Tipo.ROL_CREADO,
        EventoEntidad.Tipo.ROL_CAMBIADO,
        EventoEntidad.Tipo.ROLES_ASIGNADOS,
        EventoEntidad.Tipo.INVITACION_ENVIADA,
        EventoEntidad.Tipo.ACCESO_SOLICITADO,
        EventoEntidad.Tipo.ACCESO_RECHAZADO,
    } <= tipos
    client = Client()
    client.force_login(admin)
    page = client.get("/entidad/historial/").content.decode()
    assert f"{buyer.usuario.username}; Comprador → Administrador" in page
    assert f"{buyer.usuario.username}; roles: Jurídica" in page
    assert "Jurídica; permisos: Ver el historial de la Entidad" in page
    assert "nuevo@entidad.gov.co" in page
    assert "solicitante1" in page and "No trabaja aquí" in page
    assert SolicitudAcceso.objects.get().estado == SolicitudAcceso.Estado.RECHAZADA
