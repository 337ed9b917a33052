"""The commercial profile and the areas of interest in the API, acting for the acting account like
every /entidad/ operation: the same services and guards as the pages (403 without the permission,
404 without a supplier side), PATCH changing only what is sent, 202 with the case's number for a
NIT or legal-name change, and bad input refused with nothing half-saved."""

import pytest

from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, PerfilComercial
from registro.entities.membership.models import Membresia
from registro.servicedesk.models import Caso
from tests.entities.supplier_world import API, logged_in

PERFIL = f"{API}/entidad/perfil"
AREAS = f"{API}/entidad/areas"


def patch(client, data, **extra):
    return client.patch(PERFIL, data, content_type="application/json", **extra)


def put(client, data, **extra):
    return client.put(AREAS, data, content_type="application/json", **extra)


def test_get_the_profile(world):
    response = logged_in(world.plain).get(PERFIL)
    assert response.status_code == 200
    body = response.json()
    assert body["nombre"] == "SUMINISTROS ANDINOS SAS" and body["nit"] == "900123456"
    assert body["tipo_cuenta"] == "proveedor" and body["persona"] == "juridica"
    assert body["tipo_empresa"] == "Sociedad por Acciones Simplificada"
    assert body["representante_nombre"] == "Carlos Restrepo Uribe" and body["es_mipyme"] is True
    assert [(a["codigo"], a["prefijo"], a["principal"]) for a in body["areas"]] == [
        ("43000000", "43", True),
        ("43211500", "432115", False),
    ]


def test_patch_changes_only_what_is_sent_and_records_it(world):
    response = patch(logged_in(world.editor), {"telefono": "300 765 4321", "anio_fiscal": 2025, "activos": 1500000.5})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["telefono"] == "3007654321" and body["anio_fiscal"] == 2025 and body["activos"] == "1500000.50"
    assert body["direccion"] == "Carrera 43A # 1-50, oficina 301"  # not sent, kept
    evento = EventoEntidad.objects.get(tipo=EventoEntidad.Tipo.PERFIL_EDITADO)
    assert set(evento.detalle["cambios"]) == {"telefono", "anio_fiscal", "activos"}
    assert evento.actor == world.editor


def test_a_bad_patch_lists_every_field_and_changes_nothing(world):
    before = (
        Entidad.objects.filter(pk=world.proveedor.pk).values().get(),
        PerfilComercial.objects.values().get(entidad=world.proveedor),
    )
    response = patch(
        logged_in(world.admin),
        {
            "telefono": "3007654321",
            "departamento": "05",
            "municipio": "11001",
            "tamano": "grande",
            "es_mipyme": True,
            "correo_notificaciones": "no",
            "nit": "900123456-1",
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert set(body["detail"]["fields"]) == {"municipio", "es_mipyme", "correo_notificaciones", "nit"}
    assert body["detail"]["fields"]["municipio"] == ["El municipio no pertenece al departamento elegido."]
    after = (
        Entidad.objects.filter(pk=world.proveedor.pk).values().get(),
        PerfilComercial.objects.values().get(entidad=world.proveedor),
    )
    assert after == before
    assert not EventoEntidad.objects.exists() and not Caso.objects.exists()


def test_a_nit_or_legal_name_change_is_answered_202_with_the_case(world, sent):
    response = sent(patch, logged_in(world.admin), {"nit": "900123457", "direccion": "Calle 5 # 6-7"})
    assert response.status_code == 202, response.json()
    body = response.json()
    caso = Caso.objects.get()
    assert body["caso"] == caso.numero and caso.numero in body["mensaje"]
    assert body["solicitados"] == caso.cambios and list(caso.cambios) == ["nit"]
    assert body["perfil"]["nit"] == "900123456" and body["perfil"]["direccion"] == "Calle 5 # 6-7"
    # The case is the requester's to follow in the API too.
    followed = logged_in(world.admin).get(f"{API}/casos/{caso.numero}")
    assert followed.status_code == 200 and followed.json()["cambios"] == caso.cambios
    again = patch(logged_in(world.admin), {"nombre": "OTRA RAZON SOCIAL SAS"})
    assert again.status_code == 409 and caso.numero in again.json()["message"]


def test_get_and_put_the_areas(world):
    client = logged_in(world.editor)
    assert client.get(AREAS).json()["principal"] == "43000000"
    response = put(client, {"codigos": ["72", "7210", "44121600"], "principal": "7210"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["principal"] == "72100000"
    assert [(a["codigo"], a["nivel"], a["principal"]) for a in body["areas"]] == [
        ("72100000", "familia", True),
        ("44121600", "clase", False),
        ("72000000", "segmento", False),
    ]
    evento = EventoEntidad.objects.get(tipo=EventoEntidad.Tipo.AREAS_EDITADAS)
    assert evento.detalle["retirados"] == ["43000000", "43211500"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"codigos": ["43", "99999999"], "principal": "43"}, "areas"),
        ({"codigos": [], "principal": ""}, "areas"),
        ({"codigos": ["43", "72"], "principal": ""}, "categoria_principal"),
    ],
)
def test_bad_areas_are_refused_and_nothing_changes(world, data, field):
    before = list(AreaInteres.objects.values_list("entidad", "codigo", "principal"))
    response = put(logged_in(world.admin), data)
    assert response.status_code == 400
    body = response.json()
    assert list(body["detail"]["fields"]) == [field]
    if field == "areas" and data["codigos"]:
        assert body["detail"]["desconocidos"] == ["99999999"] and "99999999" in body["message"]
    assert list(AreaInteres.objects.values_list("entidad", "codigo", "principal")) == before


def test_permissions_and_the_supplier_side(world):
    plain = logged_in(world.plain)
    assert plain.get(PERFIL).status_code == 200 and plain.get(AREAS).status_code == 200
    refused = patch(plain, {"telefono": "3007654321"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert put(plain, {"codigos": ["72"], "principal": "72"}).status_code == 403
    entity = logged_in(world.entidad_admin)
    for response in (entity.get(PERFIL), patch(entity, {"telefono": "3007654321"}), entity.get(AREAS)):
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert logged_in(world.outsider).get(PERFIL).status_code == 404
    assert logged_in(world.desk).get(PERFIL).status_code == 404
    from django.test import Client

    assert Client().get(PERFIL).status_code == 401
    assert PerfilComercial.objects.get(entidad=world.proveedor).entidad.telefono == "6043855555"


def test_x_entidad_acts_for_another_account_of_the_user(world):
    """A user in a plain entity and in a supplier: the header picks the account for one call."""
    Membresia.objects.create(usuario=world.entidad_admin, entidad=world.proveedor, rol=Membresia.Rol.ADMINISTRADOR)
    client = logged_in(world.entidad_admin)
    assert client.get(PERFIL, HTTP_X_ENTIDAD=str(world.entidad.pk)).status_code == 404
    response = client.get(PERFIL, HTTP_X_ENTIDAD=str(world.proveedor.pk))
    assert response.status_code == 200 and response.json()["entidad_id"] == world.proveedor.pk


def test_an_entity_that_also_supplies_gets_its_profile_on_its_first_patch(world):
    client = logged_in(world.entidad_proveedora_admin)
    body = client.get(PERFIL).json()
    assert body["es_proveedor"] is True and body["direccion"] == "" and body["areas"] == []
    response = patch(
        client,
        {
            "direccion": "Carrera 66 # 24-09",
            "representante_nombre": "Director General",
            "representante_tipo_documento": "CC",
            "representante_numero_documento": "19123456",
        },
    )
    assert response.status_code == 200, response.json()
    assert PerfilComercial.objects.get(entidad=world.entidad_proveedora).direccion == "Carrera 66 # 24-09"
