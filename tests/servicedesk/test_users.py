"""The Mesa de Servicio's "Usuarios": every user found by username, e-mail address, document number
or names, and each user's page (data, accounts and roles, recent access history), on the pages and
in the API (/api/v1/mesa/usuarios...). The desk handles access incidents from there."""

import pytest

from registro.accounts.models import AccessEvent
from registro.entities.membership.models import Membresia
from registro.servicedesk import selectors
from tests.factories import DeskUserFactory, MembresiaFactory, UserFactory
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(db):
    return logged_in(DeskUserFactory(username="mesa.usuarios"))


@pytest.fixture
def ana(db):
    return UserFactory(
        username="ana.perez",
        first_name="Ana María",
        last_name="Pérez",
        email="ana@alcaldia.gov.co",
        document_number="52123456",
    )


def test_the_search_finds_a_user_by_each_of_its_identifiers(ana):
    UserFactory(username="otro.usuario", first_name="Luis", last_name="Gómez", document_number="79000111")
    for query in ("ana.perez", "ANA@alcaldia.gov.co", "52123", "ana pérez", "María"):
        assert list(selectors.users(query=query)) == [ana], query
    assert not selectors.users(query="nadie.asi").exists()
    assert selectors.users(query="").count() == 2


def test_the_users_page_lists_and_links_each_user(desk, ana):
    response = desk.get("/mesa/usuarios/", {"q": "pérez"})
    assert response.status_code == 200
    assert f'href="/mesa/usuarios/{ana.pk}/"' in response.content.decode()
    empty = desk.get("/mesa/usuarios/", {"q": "nadie.asi"}).content.decode()
    assert "No hay usuarios con esa búsqueda." in empty


def test_a_users_page_shows_accounts_roles_and_access_history(desk, ana):
    membresia = MembresiaFactory(usuario=ana, entidad__nombre="ALCALDIA DE PRUEBA", rol=Membresia.Rol.ADMINISTRADOR)
    AccessEvent.objects.create(user=ana, kind=AccessEvent.Kind.LOGIN_FAILED, ip="203.0.113.9")
    page = desk.get(f"/mesa/usuarios/{ana.pk}/").content.decode()
    assert "ALCALDIA DE PRUEBA" in page and f"/mesa/cuentas/{membresia.entidad.pk}/" in page
    assert "Administrador" in page
    assert "Intento fallido de inicio de sesión" in page and "203.0.113.9" in page
    # The account's page links its members to their user pages.
    account_page = desk.get(f"/mesa/cuentas/{membresia.entidad.pk}/").content.decode()
    assert f'href="/mesa/usuarios/{ana.pk}/"' in account_page


def test_an_unknown_user_is_not_found(desk):
    assert desk.get("/mesa/usuarios/999999/").status_code == 404
    assert desk.get("/api/v1/mesa/usuarios/999999").status_code == 404


def test_the_api_lists_and_details_users(desk, ana):
    MembresiaFactory(usuario=ana, entidad__nombre="ALCALDIA DE PRUEBA")
    AccessEvent.objects.create(user=ana, kind=AccessEvent.Kind.LOGIN)
    listing = desk.get("/api/v1/mesa/usuarios", {"q": "52123456"}).json()
    assert [item["username"] for item in listing["items"]] == ["ana.perez"]
    detail = desk.get(f"/api/v1/mesa/usuarios/{ana.pk}").json()
    assert detail["correo"] == "ana@alcaldia.gov.co"
    assert [(m["entidad"], m["rol_label"], m["roles"]) for m in detail["membresias"]] == [
        ("ALCALDIA DE PRUEBA", "Administrador", [])
    ]
    assert [a["kind"] for a in detail["accesos"]] == ["login"]


def test_nobody_but_the_desk_sees_users(ana):
    client = logged_in(UserFactory(username="curioso"))
    assert client.get("/mesa/usuarios/").status_code == 404
    assert client.get(f"/mesa/usuarios/{ana.pk}/").status_code == 404
    assert client.get(f"/api/v1/mesa/usuarios/{ana.pk}").status_code == 404
