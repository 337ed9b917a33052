"""Guide §7: a buyer asks for access to an active entity and its administrator decides."""

import pytest
from django.core import mail
from django.test import Client

from registro.entities.account.models import EventoEntidad
from registro.entities.membership.models import Membresia, SolicitudAcceso
from tests.factories import (
    ACCOUNT_KINDS,
    NON_ADMIN_LABEL,
    EntidadFactory,
    MembresiaFactory,
    UserFactory,
    account_factory,
)

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(params=ACCOUNT_KINDS)
def admin_membership(request):
    """The Administrador of an active account of each kind: requests work the same for both."""
    return MembresiaFactory(entidad=account_factory(request.param, nombre="ALCALDIA DE TUNJA"))


def test_request_from_new_registro_and_approval_with_a_role(admin_membership, sent):
    entidad, admin = admin_membership.entidad, admin_membership.usuario
    buyer = UserFactory()
    client = logged_in(buyer)
    found = client.get("/entidades/mis-registros/nuevo/?q=tunja").content.decode()
    assert "ALCALDIA DE TUNJA" in found and "Solicitar" in found
    page = client.get(f"/entidades/{entidad.pk}/solicitar/").content.decode()
    assert "Solicitud de acceso" in page and ">Finalizar<" in page
    assert f"como Usuario {NON_ADMIN_LABEL[entidad.tipo_cuenta].removeprefix('Usuario ')}." in page
    response = sent(
        client.post, f"/entidades/{entidad.pk}/solicitar/", {"mensaje": "Soy contratista de la oficina jurídica."}
    )
    assert response.status_code == 302
    solicitud = SolicitudAcceso.objects.get()
    assert solicitud.estado == SolicitudAcceso.Estado.PENDIENTE
    assert "Esperando aprobación" in client.get("/entidades/mis-registros/").content.decode()
    [to_admin] = mail.outbox
    assert to_admin.to == [admin.email] and "oficina jurídica" in to_admin.body

    console = logged_in(admin).get("/entidad/solicitudes/").content.decode()
    assert buyer.username in console and "Aceptar" in console
    mail.outbox.clear()
    sent(logged_in(admin).post, f"/entidad/solicitudes/{solicitud.pk}/aprobar/", {"rol": "comprador"})
    membresia = Membresia.objects.get(usuario=buyer, entidad=entidad)
    assert membresia.rol == Membresia.Rol.COMPRADOR and membresia.activa
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    assert "aprobó" in mail.outbox[0].body
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.ACCESO_APROBADO).exists()
    listing = client.get("/entidades/mis-registros/").content.decode()
    assert f"Con acceso ({NON_ADMIN_LABEL[entidad.tipo_cuenta]})" in listing


def test_rejection_needs_a_reason_and_tells_the_requester(admin_membership, sent):
    buyer = UserFactory()
    solicitud = SolicitudAcceso.objects.create(usuario=buyer, entidad=admin_membership.entidad)
    admin = logged_in(admin_membership.usuario)
    admin.post(f"/entidad/solicitudes/{solicitud.pk}/rechazar/", {"motivo": ""})
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.PENDIENTE
    sent(admin.post, f"/entidad/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "No trabaja en la Entidad."})
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.RECHAZADA
    assert [m.to for m in mail.outbox] == [[buyer.email]] and "No trabaja en la Entidad." in mail.outbox[0].body
    assert not Membresia.objects.filter(usuario=buyer).exists()


def test_one_pending_request_per_entity_and_it_can_be_cancelled(admin_membership):
    buyer = UserFactory()
    client = logged_in(buyer)
    url = f"/entidades/{admin_membership.entidad.pk}/solicitar/"
    client.post(url)
    again = client.post(url)
    assert again.status_code == 400 and "Ya tiene una solicitud esperando aprobación" in again.content.decode()
    solicitud = SolicitudAcceso.objects.get()
    client.post(f"/entidades/solicitudes/{solicitud.pk}/cancelar/")
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.CANCELADA
    assert client.post(url).status_code == 302  # a new one is possible after cancelling


def test_pending_entities_take_no_requests():
    entidad = EntidadFactory()  # pending activation
    response = logged_in(UserFactory()).post(f"/entidades/{entidad.pk}/solicitar/")
    assert response.status_code == 400 and "aún no está activa" in response.content.decode()
    assert not SolicitudAcceso.objects.exists()


def test_only_the_entitys_administrators_decide(admin_membership):
    buyer, outsider = UserFactory(), UserFactory()
    solicitud = SolicitudAcceso.objects.create(usuario=buyer, entidad=admin_membership.entidad)
    comprador = MembresiaFactory(entidad=admin_membership.entidad, rol=Membresia.Rol.COMPRADOR).usuario
    # No entity to act for: sent to R5.4's page; a Comprador of the entity: not allowed.
    for user, status in ((outsider, 302), (buyer, 302), (comprador, 403)):
        response = logged_in(user).post(f"/entidad/solicitudes/{solicitud.pk}/aprobar/", {"rol": "administrador"})
        assert response.status_code == status
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.PENDIENTE
    assert logged_in(outsider).post(f"/entidades/solicitudes/{solicitud.pk}/cancelar/").status_code == 404


def test_a_decided_request_cannot_be_decided_again(admin_membership):
    solicitud = SolicitudAcceso.objects.create(usuario=UserFactory(), entidad=admin_membership.entidad)
    admin = logged_in(admin_membership.usuario)
    admin.post(f"/entidad/solicitudes/{solicitud.pk}/aprobar/", {"rol": "comprador"})
    response = admin.post(f"/entidad/solicitudes/{solicitud.pk}/rechazar/", {"motivo": "tarde"}, follow=True)
    assert "ya fue aprobada" in response.content.decode()
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.APROBADA


def test_the_same_through_the_api(admin_membership, sent):
    entidad, admin = admin_membership.entidad, admin_membership.usuario
    buyer = UserFactory()
    client = logged_in(buyer)
    created = sent(
        client.post, f"/api/v1/entidades/{entidad.pk}/solicitudes", {"mensaje": "Hola"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["estado_label"] == "Esperando aprobación"
    duplicate = client.post(f"/api/v1/entidades/{entidad.pk}/solicitudes", {}, content_type="application/json")
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "conflict"
    solicitud_id = created.json()["id"]
    # Only the entity's administrators see and decide.
    assert client.get("/api/v1/entidad/solicitudes").status_code == 404
    assert (
        client.post(
            f"/api/v1/entidad/solicitudes/{solicitud_id}/aprobar", {}, content_type="application/json"
        ).status_code
        == 404
    )
    admin_client = logged_in(admin)
    [pending] = admin_client.get("/api/v1/entidad/solicitudes").json()
    assert pending["usuario"] == buyer.username
    approved = sent(
        admin_client.post,
        f"/api/v1/entidad/solicitudes/{solicitud_id}/aprobar",
        {"rol": "comprador"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["estado"] == "aprobada"
    registros = client.get("/api/v1/me/registros").json()
    assert [m["entidad_id"] for m in registros["membresias"]] == [entidad.pk]
    assert logged_in(UserFactory()).get("/api/v1/me/registros").json() == {
        "membresias": [],
        "solicitudes": [],
        "invitaciones": [],
    }


def test_cancel_and_reject_through_the_api(admin_membership):
    entidad = admin_membership.entidad
    buyer = logged_in(UserFactory())
    first = buyer.post(f"/api/v1/entidades/{entidad.pk}/solicitudes", {}, content_type="application/json").json()
    assert buyer.post(f"/api/v1/solicitudes/{first['id']}/cancelar").json()["estado"] == "cancelada"
    second = buyer.post(f"/api/v1/entidades/{entidad.pk}/solicitudes", {}, content_type="application/json").json()
    admin = logged_in(admin_membership.usuario)
    empty = admin.post(
        f"/api/v1/entidad/solicitudes/{second['id']}/rechazar", {"motivo": " "}, content_type="application/json"
    )
    assert empty.status_code == 400
    rejected = admin.post(
        f"/api/v1/entidad/solicitudes/{second['id']}/rechazar", {"motivo": "No aplica"}, content_type="application/json"
    )
    assert rejected.json()["estado"] == "rechazada" and rejected.json()["motivo"] == "No aplica"


def test_a_suspended_member_cannot_request_access_again(admin_membership):
    from registro.core.errors import ApplicationError
    from registro.entities.membership import access

    suspended = MembresiaFactory(entidad=admin_membership.entidad, rol=Membresia.Rol.COMPRADOR, activa=False)
    with pytest.raises(ApplicationError) as exc:
        access.solicitud_create(user=suspended.usuario, entidad=admin_membership.entidad)
    assert exc.value.status_code == 409 and "suspendido" in exc.value.message
    assert not SolicitudAcceso.objects.exists()
