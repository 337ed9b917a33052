"""R7.1: purchasing units ("unidades de contratación") group the entity's own users."""

import re

import pytest
from django.test import Client

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.console import units
from registro.entities.console.models import UnidadContratacion
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad
from tests.factories import EntidadFactory, MembresiaFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def entidad():
    return EntidadFactory(nombre="ALCALDIA DE CHIQUINQUIRA", estado=Entidad.Estado.ACTIVA)


@pytest.fixture
def admin(entidad):
    return MembresiaFactory(entidad=entidad)


@pytest.fixture
def buyers(entidad):
    return [MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR) for _ in range(3)]


@pytest.fixture
def outsider():
    return MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA), rol=Membresia.Rol.COMPRADOR)


def test_an_administrator_creates_a_unit_with_members_on_the_web(entidad, admin, buyers):
    client = logged_in(admin.usuario)
    page = client.get("/entidad/unidades/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Crear unidad" in html and "La Entidad aún no tiene unidades de contratación." in html
    for m in buyers:
        assert f'value="{m.pk}"' in html and m.usuario.username in html
    response = client.post(
        "/entidad/unidades/",
        {"nombre": "  Unidad   de Obras ", "descripcion": "Infraestructura", "miembros": [buyers[0].pk, buyers[1].pk]},
    )
    assert response.status_code == 302 and response["Location"] == "/entidad/unidades/"
    unidad = UnidadContratacion.objects.get()
    assert (unidad.entidad, unidad.nombre, unidad.descripcion) == (entidad, "Unidad de Obras", "Infraestructura")
    assert set(unidad.miembros.all()) == {buyers[0], buyers[1]}
    listing = client.get("/entidad/unidades/").content.decode()
    assert "Unidad de Obras" in listing and buyers[0].usuario.username in listing
    assert buyers[2].usuario.username in listing  # as an option of the form, not in the unit
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.UNIDAD_CREADA)
    assert evento.detalle == {
        "unidad": "Unidad de Obras",
        "usuarios": sorted([buyers[0].usuario.username, buyers[1].usuario.username]),
    }
    # The member's desktop and the members page show the unit.
    assert "Unidad de Obras" in logged_in(buyers[0].usuario).get("/entidad/").content.decode()
    assert "Unidad de Obras" not in logged_in(buyers[2].usuario).get("/entidad/").content.decode()


def test_the_api_creates_shows_and_lists_units(entidad, admin, buyers):
    client = logged_in(admin.usuario)
    created = client.post(
        "/api/v1/entidad/unidades",
        {"nombre": "Compras", "descripcion": "Bienes", "miembros": [buyers[2].pk, buyers[0].pk]},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["nombre"] == "Compras" and body["miembros"] == sorted([buyers[0].pk, buyers[2].pk])
    assert client.get(f"/api/v1/entidad/unidades/{body['id']}").json() == body
    assert client.get("/api/v1/entidad/unidades").json() == [body]
    [miembro] = [m for m in client.get("/api/v1/entidad/miembros").json() if m["id"] == buyers[0].pk]
    assert miembro["unidades"] == [{"id": body["id"], "nombre": "Compras"}]


def test_members_of_another_entity_cannot_be_placed_in_a_unit(entidad, admin, buyers, outsider):
    client = logged_in(admin.usuario)
    api = client.post(
        "/api/v1/entidad/unidades", {"nombre": "Obras", "miembros": [buyers[0].pk, outsider.pk]}, content_type=JSON
    )
    assert api.status_code == 400 and "miembros" in api.json()["detail"]["fields"]
    web = client.post("/entidad/unidades/", {"nombre": "Obras", "miembros": [buyers[0].pk, outsider.pk]})
    assert web.status_code == 400
    assert 'value="Obras"' in web.content.decode()
    unknown = client.post("/api/v1/entidad/unidades", {"nombre": "Obras", "miembros": [987654]}, content_type=JSON)
    assert unknown.status_code == 400
    with pytest.raises(ApplicationError) as exc:
        units.unidad_create(entidad=entidad, actor=admin.usuario, nombre="Obras", miembros=[outsider.pk])
    assert exc.value.status_code == 400
    assert not UnidadContratacion.objects.exists()
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.UNIDAD_CREADA).exists()
    # Nor added later.
    unidad = units.unidad_create(entidad=entidad, actor=admin.usuario, nombre="Obras", miembros=[buyers[0].pk])
    edit = client.put(
        f"/api/v1/entidad/unidades/{unidad.pk}", {"nombre": "Obras", "miembros": [outsider.pk]}, content_type=JSON
    )
    assert edit.status_code == 400
    assert list(unidad.miembros.all()) == [buyers[0]]


def test_unit_names_are_unique_per_entity_whatever_the_case(entidad, admin, outsider):
    client = logged_in(admin.usuario)
    assert client.post("/api/v1/entidad/unidades", {"nombre": "Obras"}, content_type=JSON).status_code == 201
    again = client.post("/api/v1/entidad/unidades", {"nombre": "OBRAS"}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    web = client.post("/entidad/unidades/", {"nombre": "obras"})
    assert web.status_code == 400 and "La Entidad ya tiene una unidad con ese nombre." in web.content.decode()
    assert UnidadContratacion.objects.filter(entidad=entidad).count() == 1
    empty = client.post("/api/v1/entidad/unidades", {"nombre": "   "}, content_type=JSON)
    assert empty.status_code == 400 and "nombre" in empty.json()["detail"]["fields"]
    # Another entity may use the same name.
    other_admin = MembresiaFactory(entidad=outsider.entidad)
    elsewhere = logged_in(other_admin.usuario).post("/api/v1/entidad/unidades", {"nombre": "Obras"}, content_type=JSON)
    assert elsewhere.status_code == 201


def test_editing_a_units_members_on_the_web_and_in_the_api(entidad, admin, buyers):
    unidad = units.unidad_create(
        entidad=entidad, actor=admin.usuario, nombre="Obras", miembros=[buyers[0].pk, buyers[1].pk]
    )
    client = logged_in(admin.usuario)
    form = client.get(f"/entidad/unidades/{unidad.pk}/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="Obras"' in html
    assert re.search(rf'<input[^>]*value="{buyers[0].pk}"[^>]*checked', html)
    assert not re.search(rf'<input[^>]*value="{buyers[2].pk}"[^>]*checked', html)
    response = client.post(
        f"/entidad/unidades/{unidad.pk}/",
        {"nombre": "Obras Públicas", "descripcion": "Vías", "miembros": [buyers[1].pk, buyers[2].pk]},
    )
    assert response.status_code == 302
    unidad.refresh_from_db()
    assert (unidad.nombre, unidad.descripcion) == ("Obras Públicas", "Vías")
    assert set(unidad.miembros.all()) == {buyers[1], buyers[2]}
    updated = client.put(
        f"/api/v1/entidad/unidades/{unidad.pk}", {"nombre": "Obras Públicas", "miembros": []}, content_type=JSON
    )
    assert updated.status_code == 200 and updated.json()["miembros"] == []
    assert not unidad.miembros.exists()
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.UNIDAD_EDITADA).count() == 2
    # Renaming onto another unit's name is refused.
    units.unidad_create(entidad=entidad, actor=admin.usuario, nombre="Compras")
    clash = client.put(f"/api/v1/entidad/unidades/{unidad.pk}", {"nombre": "compras"}, content_type=JSON)
    assert clash.status_code == 409
    unidad.refresh_from_db()
    assert unidad.nombre == "Obras Públicas"


def test_deleting_a_unit(entidad, admin, buyers):
    first = units.unidad_create(entidad=entidad, actor=admin.usuario, nombre="Obras", miembros=[buyers[0].pk])
    second = units.unidad_create(entidad=entidad, actor=admin.usuario, nombre="Compras")
    client = logged_in(admin.usuario)
    assert client.post(f"/entidad/unidades/{first.pk}/eliminar/").status_code == 302
    assert client.delete(f"/api/v1/entidad/unidades/{second.pk}").status_code == 204
    assert not UnidadContratacion.objects.exists()
    assert Membresia.objects.filter(pk=buyers[0].pk).exists()  # the members stay
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.UNIDAD_ELIMINADA).count() == 2
    html = client.get("/entidad/historial/").content.decode()
    for label in (
        "Unidad de contratación creada",
        "Unidad de contratación eliminada",
    ):
        assert label in html


def test_every_member_sees_the_units_but_only_managers_change_them(entidad, admin, buyers):
    unidad = units.unidad_create(entidad=entidad, actor=admin.usuario, nombre="Obras", miembros=[buyers[0].pk])
    plain = logged_in(buyers[1].usuario)
    page = plain.get("/entidad/unidades/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Obras" in html and buyers[0].usuario.username in html
    assert "Crear unidad" not in html and f"/entidad/unidades/{unidad.pk}/eliminar/" not in html
    assert [u["nombre"] for u in plain.get("/api/v1/entidad/unidades").json()] == ["Obras"]
    assert plain.get(f"/api/v1/entidad/unidades/{unidad.pk}").status_code == 200

    assert plain.post("/entidad/unidades/", {"nombre": "Mía"}).status_code == 403
    assert plain.get(f"/entidad/unidades/{unidad.pk}/").status_code == 403
    assert plain.post(f"/entidad/unidades/{unidad.pk}/", {"nombre": "Mía"}).status_code == 403
    assert plain.post(f"/entidad/unidades/{unidad.pk}/eliminar/").status_code == 403
    assert plain.post("/api/v1/entidad/unidades", {"nombre": "Mía"}, content_type=JSON).status_code == 403
    assert plain.put(f"/api/v1/entidad/unidades/{unidad.pk}", {"nombre": "Mía"}, content_type=JSON).status_code == 403
    assert plain.delete(f"/api/v1/entidad/unidades/{unidad.pk}").status_code == 403
    with pytest.raises(ApplicationError) as exc:
        units.unidad_create(entidad=entidad, actor=buyers[1].usuario, nombre="Mía")
    assert exc.value.status_code == 403
    assert list(UnidadContratacion.objects.values_list("nombre", flat=True)) == ["Obras"]

    # A Comprador with a role allowing it manages them.
    rol = RolEntidad.objects.create(entidad=entidad, nombre="Gestor de unidades", permisos=[Permiso.GESTIONAR_UNIDADES])
    buyers[1].roles.add(rol)
    assert "Crear unidad" in plain.get("/entidad/unidades/").content.decode()
    assert plain.post("/entidad/unidades/", {"nombre": "Mía", "miembros": [buyers[1].pk]}).status_code == 302
    assert plain.post(f"/entidad/unidades/{unidad.pk}/eliminar/").status_code == 302
    assert list(UnidadContratacion.objects.values_list("nombre", flat=True)) == ["Mía"]


def test_units_of_another_entity_are_not_found(entidad, admin, outsider):
    foreign_admin = MembresiaFactory(entidad=outsider.entidad)
    foreign = units.unidad_create(entidad=outsider.entidad, actor=foreign_admin.usuario, nombre="Ajena")
    client = logged_in(admin.usuario)
    assert client.get(f"/entidad/unidades/{foreign.pk}/").status_code == 404
    assert client.post(f"/entidad/unidades/{foreign.pk}/eliminar/").status_code == 404
    assert client.get(f"/api/v1/entidad/unidades/{foreign.pk}").status_code == 404
    assert client.put(f"/api/v1/entidad/unidades/{foreign.pk}", {"nombre": "X"}, content_type=JSON).status_code == 404
    assert client.delete(f"/api/v1/entidad/unidades/{foreign.pk}").status_code == 404
    assert client.get("/api/v1/entidad/unidades").json() == []
    assert "Ajena" not in client.get("/entidad/unidades/").content.decode()
    foreign.refresh_from_db()
    assert foreign.nombre == "Ajena"
