"""Support cases follow the entity's permission catalogue: "open support cases for the entity" lets
a member open and follow its cases; "edit the entity's data and documents" lets them correct the
registration when the desk asks. A plain Comprador can do neither (only a "Duda")."""

import itertools

import pytest

from registro.entities.account.models import Entidad
from registro.entities.membership import roles
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia
from registro.servicedesk.models import Caso
from tests.factories import EntidadFactory, MembresiaFactory
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


def member_with(entidad, admin, *permisos):
    membresia = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    if permisos:
        rol = roles.rol_create(entidad=entidad, actor=admin, nombre=f"Rol {next(_names)}", permisos=permisos)
        membresia.roles.add(rol)
    return membresia.usuario


def open_case(client, entidad):
    return client.post(
        "/api/v1/casos",
        {
            "entidad_id": entidad.pk,
            "tipo_solicitud": "solicitud",
            "asunto": "otro",
            "tipo_usuario": "comprador",
            "descripcion": "Consulta de la Entidad",
        },
        content_type="application/json",
    )


def test_opening_a_case_for_the_entity_needs_the_permission():
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    admin = MembresiaFactory(entidad=entidad).usuario
    comprador = member_with(entidad, admin)
    soporte = member_with(entidad, admin, Permiso.ABRIR_CASOS)

    assert open_case(logged_in(comprador), entidad).status_code == 404
    assert logged_in(comprador).get(f"/casos/nuevo/?entidad={entidad.pk}").status_code == 404
    created = open_case(logged_in(soporte), entidad)
    assert created.status_code == 201, created.content
    caso = Caso.objects.get(numero=created.json()["numero"])
    assert caso.entidad_id == entidad.pk and caso.solicitante == soporte
    # Those who may open the entity's cases follow them too; a plain Comprador does not.
    other = member_with(entidad, admin, Permiso.ABRIR_CASOS)
    assert logged_in(other).get(f"/casos/{caso.numero}/").status_code == 200
    assert logged_in(comprador).get(f"/casos/{caso.numero}/").status_code == 404


def test_corrections_need_the_permission_to_edit_the_entity(admin_user, caso_correccion, entidad):
    comprador = member_with(entidad, admin_user)
    editor = member_with(entidad, admin_user, Permiso.EDITAR_ENTIDAD)
    url = f"/casos/{caso_correccion.numero}/corregir-datos/"
    assert logged_in(comprador).get(url).status_code == 404
    assert logged_in(editor).get(url).status_code == 200
    api = f"/api/v1/casos/{caso_correccion.numero}/entidad"
    refused = logged_in(comprador).patch(api, {"telefono": "6017654321"}, content_type="application/json")
    assert refused.status_code == 404
    done = logged_in(editor).patch(api, {"telefono": "6017654321"}, content_type="application/json")
    assert done.status_code == 200, done.content
    entidad.refresh_from_db()
    assert entidad.telefono == "6017654321"


@pytest.mark.django_db
def test_crear_caso_ignores_an_entity_id_beyond_64_bits(client_logged_in):
    # Read as "no entity" (the API's Id bound), not handed to the database to overflow.
    response = client_logged_in.get("/casos/nuevo/?entidad=99999999999999999999")
    assert response.status_code == 200
