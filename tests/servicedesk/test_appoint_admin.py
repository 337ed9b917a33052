"""Issue #5: when an entity has lost its only administrator, a support case lets the service desk
appoint a new one. Anyone logged in asks ("Designación de un nuevo Usuario Administrador", the entity
chosen by its NIT); the desk decides "Designar administrador" on the case's page or through
`POST /api/v1/mesa/casos/{número}/designar-administrador`."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership.models import Membresia
from registro.servicedesk import services
from registro.servicedesk.models import Caso, EventoCaso
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory
from tests.servicedesk.conftest import case_data, logged_in

pytestmark = pytest.mark.django_db

API = "/api/v1"
DESIGNADO = "administrador_designado"


@pytest.fixture
def entidad_sin_admin(db):
    """An active entity whose only administrator left: their account was deactivated."""
    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA, correo_notificaciones="contratacion@huila.gov.co")
    MembresiaFactory(usuario=UserFactory(username="exadmin", is_active=False), entidad=entidad)
    return entidad


@pytest.fixture
def solicitante(db):
    return UserFactory(username="nuevo.admin", email="nuevo.admin@huila.gov.co")


def request_data(user, entidad, **extra) -> dict:
    data = {
        "asunto": "nuevo_administrador",
        "nit_entidad": entidad.nit_con_dv,
        "descripcion": "El único administrador se retiró; solicito ser designado.",
    }
    return case_data(user, **{**data, **extra})


@pytest.fixture
def caso(solicitante, entidad_sin_admin, desk_user):
    """The request, taken by the desk."""
    caso = services.caso_create(user=solicitante, data=request_data(solicitante, entidad_sin_admin))
    return services.caso_take(caso=caso, staff=desk_user)


def designar(client, caso, usuario, motivo="Autorización del representante legal anexa."):
    return client.post(f"/mesa/casos/{caso.numero}/designar-administrador/", {"usuario": usuario, "motivo": motivo})


def designar_api(client, caso, usuario, motivo="Autorización del representante legal anexa."):
    return client.post(
        f"{API}/mesa/casos/{caso.numero}/designar-administrador",
        {"usuario": usuario, "motivo": motivo},
        content_type="application/json",
    )


def admin_of(user, entidad) -> bool:
    return Membresia.objects.filter(
        usuario=user, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR, activa=True
    ).exists()


def nothing_changed(caso, entidad, *, memberships: int = 1):
    caso.refresh_from_db()
    assert caso.estado == Caso.Estado.EN_REVISION and caso.resuelto_at is None
    assert entidad.membresias.count() == memberships
    assert not EventoEntidad.objects.filter(entidad=entidad, tipo=DESIGNADO).exists()
    assert not EventoCaso.objects.filter(caso=caso, tipo=DESIGNADO).exists()


# --- Asking --------------------------------------------------------------------------------------


def test_anyone_asks_for_a_new_administrator_of_an_active_entity_by_its_nit(solicitante, entidad_sin_admin, sent):
    client = logged_in(solicitante)
    form = client.get("/casos/nuevo/?asunto=nuevo_administrador").content.decode()
    assert 'name="nit_entidad"' in form
    assert '<option value="nuevo_administrador" selected>' in form

    response = sent(client.post, "/casos/nuevo/", request_data(solicitante, entidad_sin_admin))
    assert response.status_code == 302, response.content.decode()[:3000]
    caso = Caso.objects.get()
    assert caso.entidad == entidad_sin_admin and caso.solicitante == solicitante
    assert caso.asunto == "nuevo_administrador" and caso.tipo_solicitud == "solicitud"
    assert EventoEntidad.objects.filter(entidad=entidad_sin_admin, tipo=EventoEntidad.Tipo.CASO_ABIERTO).exists()
    assert client.get(f"/casos/{caso.numero}/").status_code == 200
    assert not Membresia.objects.filter(usuario=solicitante).exists()  # nothing granted by asking


def test_asking_needs_a_registered_active_entity(solicitante, entidad_sin_admin):
    client = logged_in(solicitante)
    for nit, message in [
        ("", "Escriba el NIT de la Entidad registrada"),
        ("800999111", "No hay una Entidad registrada con el NIT 800999111"),
        (f"{entidad_sin_admin.nit}-{(int(entidad_sin_admin.dv) + 1) % 10}", "El dígito de verificación"),
    ]:
        response = client.post("/casos/nuevo/", request_data(solicitante, entidad_sin_admin, nit_entidad=nit))
        assert response.status_code == 200 and message in response.content.decode(), nit
    pendiente = EntidadFactory(estado=Entidad.Estado.PENDIENTE)
    response = client.post("/casos/nuevo/", request_data(solicitante, pendiente))
    assert "solo en Entidades activas" in response.content.decode()
    assert not Caso.objects.exists()

    # One open request per person and entity.
    services.caso_create(user=solicitante, data=request_data(solicitante, entidad_sin_admin))
    with pytest.raises(ApplicationError, match="Ya hay un caso abierto"):
        services.caso_create(user=solicitante, data=request_data(solicitante, entidad_sin_admin))


def test_asking_through_the_api(solicitante, entidad_sin_admin, sent):
    client = logged_in(solicitante)
    data = {
        "tipo_solicitud": "solicitud",
        "asunto": "nuevo_administrador",
        "tipo_usuario": "comprador",
        "descripcion": "Solicito ser designado.",
    }
    missing = client.post(f"{API}/casos", data, content_type="application/json")
    assert missing.status_code == 400 and "nit_entidad" in missing.json()["detail"]["fields"]
    response = sent(
        client.post, f"{API}/casos", {**data, "nit_entidad": entidad_sin_admin.nit}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["entidad_id"] == entidad_sin_admin.pk and response.json()["entidad_estado"] == "activa"
    # Other subjects are not linked to an entity by a NIT.
    duda = client.post(
        f"{API}/casos",
        {**data, "tipo_solicitud": "duda", "asunto": "usuarios", "nit_entidad": entidad_sin_admin.nit},
        content_type="application/json",
    )
    assert duda.status_code == 201 and duda.json()["entidad_id"] is None


# --- The desk designates ------------------------------------------------------------------------


def test_the_desk_designates_the_requester(caso, desk_user, solicitante, entidad_sin_admin, sent):
    desk = logged_in(desk_user)
    page = desk.get(f"/casos/{caso.numero}/").content.decode()
    assert "Designar administrador" in page
    assert f'value="{solicitante.username}"' in page  # the requester by default
    assert "exadmin" in page and "cuenta inactiva" in page  # the desk sees who the administrators are
    mail.outbox.clear()
    assert logged_in(solicitante).get(f"{API}/entidades/{entidad_sin_admin.pk}").status_code == 404

    response = sent(designar, desk, caso, solicitante.username)
    assert response.status_code == 302 and response["Location"] == f"/casos/{caso.numero}/"

    assert admin_of(solicitante, entidad_sin_admin)
    caso.refresh_from_db()
    assert caso.estado == Caso.Estado.RESUELTO and caso.resuelto_at is not None
    evento = EventoEntidad.objects.get(entidad=entidad_sin_admin, tipo=DESIGNADO)
    assert evento.actor == desk_user and evento.motivo == "Autorización del representante legal anexa."
    assert evento.detalle == {"caso": caso.numero, "usuario": "nuevo.admin", "rol": "administrador"}
    case_event = EventoCaso.objects.get(caso=caso, tipo=DESIGNADO)
    assert (case_event.estado_anterior, case_event.estado_nuevo) == ("en_revision", "resuelto")
    assert case_event.tipo_label != DESIGNADO
    assert caso.mensajes.filter(de_la_mesa=True, texto__contains="nuevo.admin").exists()

    recipients = sorted(tuple(m.to) for m in mail.outbox)
    assert recipients == [("contratacion@huila.gov.co",), ("nuevo.admin@huila.gov.co",)]
    to_user = next(m for m in mail.outbox if m.to == ["nuevo.admin@huila.gov.co"])
    assert "Usuario Administrador" in to_user.subject and f"/entidades/{entidad_sin_admin.pk}/" in to_user.body

    # The new administrator now sees and manages the entity.
    client = logged_in(solicitante)
    assert client.get(f"{API}/entidades/{entidad_sin_admin.pk}").json()["nombre"] == entidad_sin_admin.nombre
    escritorio = client.get(f"/entidades/{entidad_sin_admin.pk}/", follow=True)
    assert escritorio.status_code == 200 and entidad_sin_admin.nombre in escritorio.content.decode()


def test_the_desk_designates_someone_else_by_e_mail_and_promotes_a_buyer(
    caso, desk_user, solicitante, entidad_sin_admin, sent
):
    comprador = UserFactory(email="Compras@Huila.gov.co")
    MembresiaFactory(usuario=comprador, entidad=entidad_sin_admin, rol=Membresia.Rol.COMPRADOR, activa=False)
    other_admin = UserFactory(email="otro.admin@huila.gov.co")
    MembresiaFactory(usuario=other_admin, entidad=entidad_sin_admin)
    mail.outbox.clear()
    response = sent(designar, logged_in(desk_user), caso, "compras@huila.gov.co")
    assert response.status_code == 302
    membresia = Membresia.objects.get(usuario=comprador, entidad=entidad_sin_admin)
    assert (membresia.rol, membresia.activa) == (Membresia.Rol.ADMINISTRADOR, True)
    assert entidad_sin_admin.membresias.filter(usuario=comprador).count() == 1
    evento = EventoEntidad.objects.get(entidad=entidad_sin_admin, tipo=DESIGNADO)
    assert evento.detalle["membresia_anterior"] == {"rol": "comprador", "activa": False}
    to = sorted(address for m in mail.outbox for address in m.to)
    # The new administrator, the notification address with the other (active) administrators, and
    # the requester, who was not the one designated.
    assert to == sorted([comprador.email, "contratacion@huila.gov.co", "otro.admin@huila.gov.co", solicitante.email])


def test_only_the_desk_designates(caso, solicitante, entidad_sin_admin):
    admin = UserFactory()
    MembresiaFactory(usuario=admin, entidad=entidad_sin_admin)
    for user in [solicitante, admin, UserFactory()]:
        client = logged_in(user)
        assert designar(client, caso, solicitante.username).status_code == 404
        response = designar_api(client, caso, solicitante.username)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    nothing_changed(caso, entidad_sin_admin, memberships=2)
    assert not admin_of(solicitante, entidad_sin_admin)


def test_only_on_requests_for_a_new_administrator(desk_user, solicitante, entidad_sin_admin, admin_user, entidad):
    desk = logged_in(desk_user)
    activation = services.caso_create(user=admin_user, data=case_data(admin_user, entidad), entidad=entidad)
    services.caso_take(caso=activation, staff=desk_user)
    question = services.caso_create(
        user=solicitante, data=case_data(solicitante, tipo_solicitud="duda", asunto="nuevo_administrador")
    )
    services.caso_take(caso=question, staff=desk_user)
    for other in [activation, question]:
        response = designar_api(desk, other, solicitante.username)
        assert response.status_code == 409, response.json()
        web = designar(desk, other, solicitante.username)
        assert web.status_code == 302
    assert not Membresia.objects.filter(usuario=solicitante).exists()
    activation.refresh_from_db()
    assert activation.estado == Caso.Estado.EN_REVISION


def test_the_case_must_be_under_review(solicitante, entidad_sin_admin, desk_user):
    caso = services.caso_create(user=solicitante, data=request_data(solicitante, entidad_sin_admin))
    response = designar_api(logged_in(desk_user), caso, solicitante.username)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert not Membresia.objects.filter(usuario=solicitante).exists()


@pytest.mark.parametrize("kind", ["unknown", "inactive", "unconfirmed", "empty"])
def test_an_unknown_or_inactive_user_is_refused_and_nothing_changes(caso, desk_user, entidad_sin_admin, kind, sent):
    if kind == "unknown":
        login, message = "nadie@ninguna.gov.co", "No hay un usuario registrado"
    elif kind == "inactive":
        login, message = "exadmin", "está inactivo"
    elif kind == "unconfirmed":
        user = UserFactory(username="sin.confirmar")
        EmailAddress.objects.filter(user=user).update(verified=False)
        login, message = "sin.confirmar", "no ha confirmado su registro"
    else:
        login, message = "", "Escriba el nombre de usuario o el correo"
    desk = logged_in(desk_user)
    mail.outbox.clear()
    response = sent(designar, desk, caso, login)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'id="resumen-errores"' in html and 'href="#id_usuario"' in html
    assert "Autorización del representante legal anexa." in html  # the motive typed is kept

    api = sent(designar_api, desk, caso, login)
    assert api.status_code == 400 and message in api.json()["detail"]["fields"]["usuario"][0]
    nothing_changed(caso, entidad_sin_admin)
    assert mail.outbox == []


def test_a_motive_is_required_and_an_administrator_is_not_designated_twice(caso, desk_user, entidad_sin_admin):
    desk = logged_in(desk_user)
    no_motive = designar_api(desk, caso, "nuevo.admin", motivo=" ")
    assert no_motive.status_code == 400 and "motivo" in no_motive.json()["detail"]["fields"]
    already = UserFactory(username="ya.admin")
    MembresiaFactory(usuario=already, entidad=entidad_sin_admin)
    twice = designar_api(desk, caso, "ya.admin")
    assert twice.status_code == 409 and "ya es Usuario Administrador" in twice.json()["message"]
    nothing_changed(caso, entidad_sin_admin, memberships=2)


def test_a_desk_account_cannot_be_designated(caso, desk_user, entidad_sin_admin):
    response = designar_api(logged_in(desk_user), caso, desk_user.username)
    assert response.status_code == 400 and "Mesa de Servicio" in response.json()["message"]
    nothing_changed(caso, entidad_sin_admin)


def test_through_the_api(caso, desk_user, solicitante, entidad_sin_admin, sent):
    desk = logged_in(desk_user)
    mail.outbox.clear()
    response = sent(designar_api, desk, caso, "NUEVO.ADMIN")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["usuario"] == "nuevo.admin" and body["rol"] == "administrador" and body["activa"] is True
    assert body["entidad_id"] == entidad_sin_admin.pk
    assert body["caso"]["estado"] == "resuelto" and body["caso"]["numero"] == caso.numero
    assert admin_of(solicitante, entidad_sin_admin)
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "contratacion@huila.gov.co",
        "nuevo.admin@huila.gov.co",
    ]
    detail = logged_in(solicitante).get(f"{API}/casos/{caso.numero}").json()
    assert detail["eventos"][-1]["tipo"] == DESIGNADO
    # Done once: the case is resolved.
    again = designar_api(desk, caso, "nuevo.admin")
    assert again.status_code == 409
    assert EventoEntidad.objects.filter(entidad=entidad_sin_admin, tipo=DESIGNADO).count() == 1
