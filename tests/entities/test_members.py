"""R1.1: every account, of either kind, keeps at least one active Administrador, whatever its users
do."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import members
from registro.entities.membership.models import Membresia
from tests.factories import ACCOUNT_KINDS, EntidadFactory, MembresiaFactory, UserFactory, account_factory


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(params=ACCOUNT_KINDS)
def entidad(request, db):
    """An active account of each kind: the same membership code keeps R1.1 for both (ADR 0013)."""
    return account_factory(request.param)


@pytest.mark.django_db
def test_the_last_administrator_cannot_demote_suspend_remove_or_leave(entidad):
    only = MembresiaFactory(entidad=entidad)
    admin = only.usuario
    for action in (
        lambda: members.membresia_set_role(membresia=only, rol=Membresia.Rol.COMPRADOR, actor=admin),
        lambda: members.membresia_suspend(membresia=only, actor=admin),
        lambda: members.membresia_remove(membresia=only, actor=admin),
    ):
        with pytest.raises(members.LastAdministrator):
            action()
    only.refresh_from_db()
    assert (only.rol, only.activa) == (Membresia.Rol.ADMINISTRADOR, True)


@pytest.mark.django_db
def test_with_a_second_administrator_the_first_can_step_down(entidad):
    first = MembresiaFactory(entidad=entidad)
    second = MembresiaFactory(entidad=entidad)
    members.membresia_set_role(membresia=first, rol=Membresia.Rol.COMPRADOR, actor=first.usuario)
    first.refresh_from_db()
    assert first.rol == Membresia.Rol.COMPRADOR
    with pytest.raises(members.LastAdministrator):
        members.membresia_suspend(membresia=second, actor=second.usuario)
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.ROL_CAMBIADO).count() == 1


@pytest.mark.django_db
def test_buyers_cannot_manage_members_but_can_leave(entidad):
    admin = MembresiaFactory(entidad=entidad)
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    client = logged_in(buyer.usuario)
    assert client.post(f"/entidad/usuarios/{admin.pk}/suspender/").status_code == 403
    assert client.post(f"/entidad/usuarios/{admin.pk}/roles/", {"rol": "comprador"}).status_code == 403
    admin.refresh_from_db()
    assert admin.activa and admin.rol == Membresia.Rol.ADMINISTRADOR
    assert client.post(f"/entidad/usuarios/{buyer.pk}/retirar/").status_code == 302
    assert not Membresia.objects.filter(pk=buyer.pk).exists()
    # Someone of another entity does not find this entity's members.
    other = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    assert logged_in(other.usuario).post(f"/entidad/usuarios/{admin.pk}/retirar/").status_code == 404
    assert Membresia.objects.filter(pk=admin.pk).exists()


@pytest.mark.django_db
def test_the_console_refuses_with_a_clear_message_and_recommends_a_second_admin(entidad):
    admin = MembresiaFactory(entidad=entidad)
    client = logged_in(admin.usuario)
    page = client.get(f"/entidades/{entidad.pk}/", follow=True).content.decode()
    assert "Se recomienda nombrar un segundo Usuario Administrador" in page
    response = client.post(f"/entidad/usuarios/{admin.pk}/suspender/", follow=True)
    assert "al menos un Usuario Administrador activo" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_administrators_demoting_each_other_at_once_leave_one(entidad):
    a = MembresiaFactory(entidad=entidad)
    b = MembresiaFactory(entidad=entidad)
    barrier = threading.Barrier(2)
    outcomes = []

    def demote(target, actor):
        try:
            barrier.wait(timeout=10)
            members.membresia_set_role(membresia=target, rol=Membresia.Rol.COMPRADOR, actor=actor)
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(a, b.usuario)),
        threading.Thread(target=demote, args=(b, a.usuario)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # The loser finds either the rule (R1.1) or that it is no longer an Administrador itself.
    assert sorted(outcomes) in (["conflict", "ok"], ["ok", "permission_denied"]), outcomes
    admins = Membresia.objects.filter(entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR).count()
    assert admins == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["leave", "suspend_each_other"])
def test_two_administrators_stepping_away_at_once_leave_one(entidad, action):
    """Without the row lock each would see the other still there and both would succeed."""
    a = MembresiaFactory(entidad=entidad)
    b = MembresiaFactory(entidad=entidad)
    barrier = threading.Barrier(2)
    outcomes = []

    def run(mine, other):
        try:
            barrier.wait(timeout=10)
            if action == "leave":
                members.membresia_remove(membresia=mine, actor=mine.usuario)
            else:
                members.membresia_suspend(membresia=other, actor=mine.usuario)
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(str(exc.code))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(a, b)), threading.Thread(target=run, args=(b, a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) in (["conflict", "ok"], ["ok", "permission_denied"]), outcomes
    assert Membresia.objects.filter(entidad=entidad, activa=True, rol=Membresia.Rol.ADMINISTRADOR).count() == 1


@pytest.mark.django_db
def test_members_through_the_api(entidad):
    admin = MembresiaFactory(entidad=entidad)
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    client = logged_in(admin.usuario)
    listed = client.get("/api/v1/entidad/miembros").json()
    assert {m["usuario"] for m in listed} == {admin.usuario.username, buyer.usuario.username}
    promoted = client.patch(
        f"/api/v1/entidad/miembros/{buyer.pk}", {"rol": "administrador"}, content_type="application/json"
    )
    assert promoted.status_code == 200 and promoted.json()["rol"] == "administrador"
    assert client.post(f"/api/v1/entidad/miembros/{admin.pk}/suspender").json()["activa"] is False
    last = logged_in(buyer.usuario).delete(f"/api/v1/entidad/miembros/{buyer.pk}")
    assert last.status_code == 409 and last.json()["detail"] == {"rule": "R1.1"}
    outsider = logged_in(UserFactory())
    assert outsider.get("/api/v1/entidad/miembros").status_code == 404
    assert outsider.post(f"/api/v1/entidad/miembros/{buyer.pk}/suspender").status_code == 404
