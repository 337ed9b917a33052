"""R1.2: a user in several entities acts for one at a time, chosen in the header (or through the
API); the console and the API work for exactly that one."""

import re

import pytest
from django.test import Client

from registro.entities.account.models import Entidad
from registro.entities.membership import acting, catalogue
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db

SWITCHER = "Actúa a nombre de"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def heading(response) -> str:
    [h1] = re.findall(r"<h1>(.*?)</h1>", response.content.decode(), re.S)
    return h1


@pytest.fixture
def two():
    """A user who is Administrador of one active entity and Comprador of another, the first
    joined first."""
    user = UserFactory()
    first = MembresiaFactory(usuario=user, entidad=EntidadFactory(nombre="ALCALDIA DE TUNJA", estado="activa"))
    second = MembresiaFactory(
        usuario=user,
        entidad=EntidadFactory(nombre="HOSPITAL SAN RAFAEL", estado="activa"),
        rol=Membresia.Rol.COMPRADOR,
    )
    MembresiaFactory(entidad=second.entidad)  # its own Administrador
    return user, first, second


def test_a_user_in_two_entities_sees_the_switcher_and_acts_for_the_first_joined(two):
    user, first, second = two
    client = logged_in(user)
    page = client.get("/entidad/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SWITCHER in html
    assert f'<option value="{first.entidad_id}" selected>ALCALDIA DE TUNJA</option>' in html
    assert f'<option value="{second.entidad_id}">HOSPITAL SAN RAFAEL</option>' in html
    assert heading(page) == "Escritorio: ALCALDIA DE TUNJA"
    # The switcher is on the other pages too.
    assert SWITCHER in client.get("/entidades/mis-registros/").content.decode()


def test_with_one_entity_there_is_nothing_to_switch(two):
    single = MembresiaFactory(entidad=EntidadFactory(nombre="PERSONERIA DE PAIPA", estado="activa"))
    html = logged_in(single.usuario).get("/entidad/").content.decode()
    assert SWITCHER not in html and 'action="/entidad/cambiar/"' not in html
    assert "PERSONERIA DE PAIPA" in html
    assert SWITCHER not in logged_in(UserFactory()).get("/entidades/mis-registros/").content.decode()
    assert SWITCHER not in Client().get("/").content.decode()


def test_switching_changes_the_entity_of_every_page(two):
    user, first, second = two
    client = logged_in(user)
    response = client.post("/entidad/cambiar/", {"entidad": second.entidad_id})
    assert response.status_code == 302 and response["Location"] == "/entidad/"
    page = client.get("/entidad/")
    assert heading(page) == "Escritorio: HOSPITAL SAN RAFAEL"
    assert "ALCALDIA DE TUNJA" not in heading(page)
    html = page.content.decode()
    assert f'<option value="{second.entidad_id}" selected>' in html
    assert "Usted es Usuario Comprador de esta Entidad." in html
    # As Comprador there, the administration pages of the first entity are out of reach.
    assert client.get("/entidad/usuarios/").status_code == 403
    assert client.get("/api/v1/me/entidad-activa").json()["entidad"]["id"] == second.entidad_id
    second.refresh_from_db()
    assert second.seleccionada_at is not None
    # The choice is kept on the membership: another browser acts for the same one.
    assert heading(logged_in(user).get("/entidad/")) == "Escritorio: HOSPITAL SAN RAFAEL"
    client.post("/entidad/cambiar/", {"entidad": first.entidad_id})
    assert heading(client.get("/entidad/")) == "Escritorio: ALCALDIA DE TUNJA"
    assert client.get("/entidad/usuarios/").status_code == 200


def test_after_switching_the_user_returns_to_the_page_they_were_on_outside_the_console(two):
    user, _first, second = two
    client = logged_in(user)
    back = client.post("/entidad/cambiar/", {"entidad": second.entidad_id, "next": "/entidades/mis-registros/"})
    assert back["Location"] == "/entidades/mis-registros/"
    console = client.post("/entidad/cambiar/", {"entidad": second.entidad_id, "next": "/entidad/usuarios/"})
    assert console["Location"] == "/entidad/"
    offsite = client.post("/entidad/cambiar/", {"entidad": second.entidad_id, "next": "https://malo.example/"})
    assert offsite["Location"] == "/entidad/"


def test_switching_to_an_entity_the_user_does_not_belong_to_is_not_found(two):
    user, first, second = two
    stranger = EntidadFactory(estado="activa")
    MembresiaFactory(entidad=stranger)
    client = logged_in(user)
    client.post("/entidad/cambiar/", {"entidad": first.entidad_id})
    first.refresh_from_db()
    chosen_at = first.seleccionada_at
    for value in (stranger.pk, "", "abc", 0, 999999):
        assert client.post("/entidad/cambiar/", {"entidad": value}).status_code == 404
    assert client.get("/entidad/cambiar/").status_code == 405
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.seleccionada_at == chosen_at and second.seleccionada_at is None
    assert heading(client.get("/entidad/")) == "Escritorio: ALCALDIA DE TUNJA"
    assert not Membresia.objects.filter(usuario=user, entidad=stranger).exists()
    # Suspended memberships cannot be chosen either.
    Membresia.objects.filter(pk=second.pk).update(activa=False)
    assert client.post("/entidad/cambiar/", {"entidad": second.entidad_id}).status_code == 404
    assert (
        logged_in(user)
        .put("/api/v1/me/entidad-activa", {"entidad_id": second.entidad_id}, content_type="application/json")
        .status_code
        == 404
    )


def test_the_entitys_own_address_makes_it_the_acting_one(two):
    user, _first, second = two
    client = logged_in(user)
    response = client.get(f"/entidades/{second.entidad_id}/")
    assert response.status_code == 302 and response["Location"] == "/entidad/"
    assert heading(client.get("/entidad/")) == "Escritorio: HOSPITAL SAN RAFAEL"


def test_the_acting_entity_through_the_api(two):
    user, first, second = two
    client = logged_in(user)
    current = client.get("/api/v1/me/entidad-activa")
    assert current.status_code == 200
    body = current.json()
    assert body["entidad"] == {
        "id": first.entidad_id,
        "nombre": "ALCALDIA DE TUNJA",
        "nit": first.entidad.nit,
        "dv": first.entidad.dv,
        "estado": "activa",
        "tipo_cuenta": "entidad_estatal",
        "actua_como_proveedor": False,
    }
    assert body["membresia_id"] == first.pk and body["rol"] == "administrador"
    assert body["rol_label"] == "Administrador"
    # Everything that applies to a State entity: no supplier permission (the catalogue's order).
    assert body["permisos"] == catalogue.applicable(first.entidad)
    assert Permiso.EDITAR_PERFIL_COMERCIAL not in body["permisos"] and Permiso.GESTIONAR_UNIDADES in body["permisos"]

    rol = RolEntidad.objects.create(entidad=second.entidad, nombre="Auditor", permisos=["ver_auditoria", "abrir_casos"])
    second.roles.add(rol)
    changed = client.put(
        "/api/v1/me/entidad-activa", {"entidad_id": second.entidad_id}, content_type="application/json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["entidad"]["id"] == second.entidad_id and changed.json()["rol"] == "comprador"
    assert changed.json()["rol_label"] == "Comprador"
    assert changed.json()["roles"] == [{"id": rol.pk, "nombre": "Auditor"}]
    assert changed.json()["permisos"] == ["ver_auditoria", "abrir_casos"]
    assert client.get("/api/v1/me/entidad-activa").json()["membresia_id"] == second.pk
    # The web console follows the API's choice.
    assert heading(client.get("/entidad/")) == "Escritorio: HOSPITAL SAN RAFAEL"
    assert client.get("/api/v1/entidad/historial").status_code == 200
    assert client.get("/api/v1/entidad/miembros").status_code == 403

    stranger = EntidadFactory(estado="activa")
    refused = client.put("/api/v1/me/entidad-activa", {"entidad_id": stranger.pk}, content_type="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert client.get("/api/v1/me/entidad-activa").json()["entidad"]["id"] == second.entidad_id
    assert Client().get("/api/v1/me/entidad-activa").status_code == 401


def test_the_x_entidad_header_acts_for_another_entity_for_one_call(two):
    user, first, second = two
    client = logged_in(user)
    other = client.get("/api/v1/me/entidad-activa", HTTP_X_ENTIDAD=str(second.entidad_id))
    assert other.status_code == 200 and other.json()["entidad"]["id"] == second.entidad_id
    assert other.json()["rol"] == "comprador"
    # Only for that call: the choice is unchanged.
    assert client.get("/api/v1/me/entidad-activa").json()["entidad"]["id"] == first.entidad_id
    second.refresh_from_db()
    assert second.seleccionada_at is None
    # With that entity's permissions: a Comprador there does not manage its members.
    assert client.get("/api/v1/entidad/miembros").status_code == 200
    assert client.get("/api/v1/entidad/miembros", HTTP_X_ENTIDAD=str(second.entidad_id)).status_code == 403
    # Objects are those of the entity named.
    admin_there = second.entidad.membresias.exclude(usuario=user).get()
    listed = client.get("/api/v1/entidad/unidades", HTTP_X_ENTIDAD=str(second.entidad_id))
    assert listed.status_code == 200
    miembros = {m["usuario"] for m in logged_in(admin_there.usuario).get("/api/v1/entidad/miembros").json()}
    assert user.username in miembros

    stranger = EntidadFactory(estado="activa")
    MembresiaFactory(entidad=stranger)
    for value in (str(stranger.pk), "abc", "0", "999999"):
        refused = client.get("/api/v1/me/entidad-activa", HTTP_X_ENTIDAD=value)
        assert refused.status_code == 404, value
        assert refused.json()["message"] == "Usted no pertenece a esa Entidad."
        assert client.get("/api/v1/entidad/unidades", HTTP_X_ENTIDAD=value).status_code == 404
    # A suspended membership cannot be named either.
    Membresia.objects.filter(pk=second.pk).update(activa=False)
    assert client.get("/api/v1/me/entidad-activa", HTTP_X_ENTIDAD=str(second.entidad_id)).status_code == 404


def test_without_any_entity_the_console_sends_to_r5_4_and_the_api_says_not_found():
    client = logged_in(UserFactory())
    response = client.get("/entidad/")
    assert response.status_code == 302 and response["Location"] == "/entidades/"
    for path in ("/entidad/usuarios/", "/entidad/roles/", "/entidad/unidades/", "/entidad/historial/"):
        assert client.get(path)["Location"] == "/entidades/"
    followed = client.get("/entidad/", follow=True).content.decode()
    assert "Usted aún no tiene acceso a ninguna Entidad Estatal" in followed
    for path in ("/api/v1/me/entidad-activa", "/api/v1/entidad/unidades", "/api/v1/entidad/miembros"):
        api = client.get(path)
        assert api.status_code == 404, path
        assert api.json()["code"] == "not_found" and api.json()["detail"] == {"rule": "R5.4"}
    assert Client().get("/entidad/")["Location"].startswith("/cuentas/login/")


def test_a_member_of_a_pending_entity_sees_its_registration(two):
    pending = MembresiaFactory(entidad=EntidadFactory(nombre="ESE PENDIENTE", estado=Entidad.Estado.PENDIENTE))
    client = logged_in(pending.usuario)
    response = client.get("/entidad/")
    assert response.status_code == 302
    assert response["Location"] == f"/entidades/{pending.entidad_id}/registrada/"
    assert client.get("/entidad/unidades/")["Location"] == f"/entidades/{pending.entidad_id}/registrada/"
    assert client.get(response["Location"]).status_code == 200
    # The API says which entity it acts for, and refuses to work for it until it is active.
    current = client.get("/api/v1/me/entidad-activa")
    assert current.status_code == 200 and current.json()["entidad"]["estado"] == "pendiente"
    for path in ("/api/v1/entidad/unidades", "/api/v1/entidad/miembros", "/api/v1/entidad/historial"):
        api = client.get(path)
        assert api.status_code == 409, path
        assert api.json()["detail"]["rule"] == "R3.9"
    # The same with the header, for a user whose chosen entity is active.
    user, _first, _second = two
    MembresiaFactory(usuario=user, entidad=pending.entidad)
    named = logged_in(user).get("/api/v1/entidad/unidades", HTTP_X_ENTIDAD=str(pending.entidad_id))
    assert named.status_code == 409


def test_a_suspended_membership_gives_no_acting_context(two):
    suspended = MembresiaFactory(entidad=EntidadFactory(estado="activa"), rol=Membresia.Rol.COMPRADOR, activa=False)
    MembresiaFactory(entidad=suspended.entidad)
    client = logged_in(suspended.usuario)
    assert acting.acting_membership(suspended.usuario) is None
    assert client.get("/entidad/")["Location"] == "/entidades/"
    assert client.get("/api/v1/me/entidad-activa").status_code == 404
    assert client.get("/api/v1/entidad/unidades").status_code == 404
    assert SWITCHER not in client.get("/entidades/mis-registros/").content.decode()

    # Suspended in the entity chosen last: they act for the other one.
    user, first, second = two
    logged_in(user).post("/entidad/cambiar/", {"entidad": second.entidad_id})
    Membresia.objects.filter(pk=second.pk).update(activa=False)
    client = logged_in(user)
    assert heading(client.get("/entidad/")) == "Escritorio: ALCALDIA DE TUNJA"
    html = client.get("/entidad/").content.decode()
    assert SWITCHER not in html and "HOSPITAL SAN RAFAEL" not in html
    assert client.get("/api/v1/me/entidad-activa").json()["entidad"]["id"] == first.entidad_id


def test_the_header_switcher_reuses_the_memberships_the_page_resolved(two, django_assert_num_queries):
    """One read of the user's memberships per page: `resolve` keeps them for the header's switcher."""
    from django.test import RequestFactory

    user, first, second = two
    request = RequestFactory().get("/entidad/")
    request.user = user
    current = acting.resolve(request)
    with django_assert_num_queries(0):
        actual, opciones = acting.switcher(user, request)
    assert actual.pk == current.membresia.pk == first.pk
    assert [m.pk for m in opciones] == [first.pk, second.pk]  # by entity name
    # Without a resolved request the switcher reads them itself, the same way.
    assert [m.pk for m in acting.switcher(user)[1]] == [first.pk, second.pk]


def test_a_users_memberships_come_with_their_accounts_in_two_queries(two, django_assert_num_queries):
    user, first, second = two
    MembresiaFactory(usuario=user, entidad=EntidadFactory(nombre="RETIRADA"), activa=False)
    with django_assert_num_queries(2):
        memberships = acting.memberships_of(user)
        names = [m.entidad.nombre for m in memberships]
    assert [m.pk for m in memberships] == [first.pk, second.pk]  # CHOICE_ORDER: never chosen, oldest first
    assert names == ["ALCALDIA DE TUNJA", "HOSPITAL SAN RAFAEL"]
    assert memberships[0].entidad.estado == "activa" and memberships[0].entidad.created_at == first.entidad.created_at
    Membresia.objects.filter(pk=second.pk).update(seleccionada_at=second.created_at)
    assert [m.pk for m in acting.memberships_of(user)] == [second.pk, first.pk]  # the one chosen last first
    assert acting.memberships_of(UserFactory()) == []


def test_memberships_changed_between_the_two_reads(two, monkeypatch):
    """Deactivated after the first read: it still finds its account. Removed: it is left out."""
    user, first, second = two
    MembresiaFactory(entidad=first.entidad)  # another Administrador: the first may be deactivated (R1.1)
    run = acting._ACCOUNTS.run

    def change_then_run(value, **kwargs):
        Membresia.objects.filter(pk=first.pk).update(activa=False)
        Membresia.objects.filter(pk=second.pk).delete()
        return run(value, **kwargs)

    monkeypatch.setattr(acting._ACCOUNTS, "run", change_then_run)
    memberships = acting.memberships_of(user)
    assert [(m.pk, m.entidad.nombre) for m in memberships] == [(first.pk, "ALCALDIA DE TUNJA")]
