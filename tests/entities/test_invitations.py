"""R7.1: an entity invites a person by e-mail; the invitee accepts with the account of that e-mail."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import acting, invitations, roles
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad, SolicitudAcceso
from tests.factories import (
    ACCOUNT_KINDS,
    NON_ADMIN_LABEL,
    EntidadFactory,
    MembresiaFactory,
    UserFactory,
    account_factory,
)

pytestmark = pytest.mark.django_db

JSON = "application/json"
INVITEE = "nueva.compradora@entidad.gov.co"
LINK = re.compile(r"/invitaciones/([A-Za-z0-9_\-]{20,})/")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def token_in(message) -> str:
    [token] = set(LINK.findall(message.body))
    assert f"{settings.SITE_URL}/invitaciones/{token}/" in message.body
    return token


@pytest.fixture(params=ACCOUNT_KINDS)
def entidad(request):
    """An active account of each kind: invitations work the same for both."""
    return account_factory(request.param, nombre="ALCALDIA DE SOGAMOSO")


def label(entidad) -> str:
    return NON_ADMIN_LABEL[entidad.tipo_cuenta]


@pytest.fixture
def admin(entidad):
    return MembresiaFactory(entidad=entidad)


@pytest.fixture
def auditor(entidad, admin):
    return roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])


@pytest.fixture
def invite(entidad, admin, auditor, sent):
    """An invitation by the administrador for INVITEE as Comprador with the Auditor role; returns it
    with the token of the e-mailed link."""

    def make(correo=INVITEE, rol="comprador", roles=None):
        mail.outbox.clear()
        inv = sent(
            invitations.invitacion_create,
            entidad=entidad,
            actor=admin.usuario,
            correo=correo,
            rol=rol,
            roles=[auditor.pk] if roles is None else roles,
        )
        [message] = mail.outbox
        return inv, token_in(message)

    return make


# --- Sending ----------------------------------------------------------------------------------------


def test_the_web_form_sends_an_invitation_with_a_link(entidad, admin, auditor, sent):
    client = logged_in(admin.usuario)
    page = client.get("/entidad/invitaciones/")
    assert page.status_code == 200 and "Enviar invitación" in page.content.decode()
    response = sent(
        client.post,
        "/entidad/invitaciones/",
        {"correo": INVITEE, "rol": "comprador", "roles": [str(auditor.pk)], "mensaje": "Bienvenida al equipo."},
    )
    assert response.status_code == 302 and response["Location"] == "/entidad/invitaciones/"
    inv = Invitacion.objects.get()
    assert (inv.entidad, inv.correo, inv.rol, inv.estado, inv.envios) == (
        entidad,
        INVITEE,
        Membresia.Rol.COMPRADOR,
        Invitacion.Estado.PENDIENTE,
        1,
    )
    assert list(inv.roles.all()) == [auditor] and inv.invitada_por == admin.usuario
    assert inv.vence_at - inv.enviada_at == timedelta(days=settings.INVITATION_EXPIRY_DAYS)
    [message] = mail.outbox
    assert message.to == [INVITEE]
    assert "ALCALDIA DE SOGAMOSO" in message.subject
    assert "Bienvenida al equipo." in message.body
    assert f"como Usuario {label(entidad).removeprefix('Usuario ')}." in message.body
    token = token_in(message)
    # Only the token's hash is stored.
    assert token not in inv.token_hash and invitations.invitacion_by_token(token) == inv
    listing = client.get("/entidad/invitaciones/").content.decode()
    assert INVITEE in listing and "Pendiente" in listing and "Reenviar" in listing
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.INVITACION_ENVIADA)
    assert evento.detalle == {"correo": INVITEE, "rol": "comprador", "roles": ["Auditor"]}


def test_the_api_sends_and_lists_invitations(entidad, admin, auditor, sent):
    client = logged_in(admin.usuario)
    response = sent(
        client.post,
        "/api/v1/entidad/invitaciones",
        {"correo": INVITEE, "rol": "administrador", "roles": [auditor.pk]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["correo"] == INVITEE and body["rol"] == "administrador" and body["estado"] == "pendiente"
    assert body["roles"] == [{"id": auditor.pk, "nombre": "Auditor"}] and body["envios"] == 1
    assert body["entidad_id"] == entidad.pk and body["entidad_nombre"] == entidad.nombre
    [message] = mail.outbox
    assert message.to == [INVITEE] and token_in(message)
    assert [i["id"] for i in client.get("/api/v1/entidad/invitaciones").json()] == [body["id"]]


def test_an_invalid_email_is_refused_and_the_form_keeps_what_was_typed(entidad, admin, auditor, sent):
    client = logged_in(admin.usuario)
    response = sent(
        client.post,
        "/entidad/invitaciones/",
        {"correo": "no-es-un-correo", "rol": "comprador", "roles": [str(auditor.pk)], "mensaje": "Hola equipo"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="no-es-un-correo"' in html and "Hola equipo" in html
    assert re.search(rf'<input[^>]*value="{auditor.pk}"[^>]*checked', html)
    assert "Hay problemas con lo que escribió" in html
    api = client.post("/api/v1/entidad/invitaciones", {"correo": "a@@b"}, content_type=JSON)
    assert api.status_code == 400 and api.json()["detail"]["fields"]["correo"]
    bad_role = client.post("/api/v1/entidad/invitaciones", {"correo": INVITEE, "rol": "jefe"}, content_type=JSON)
    assert bad_role.status_code == 400 and "rol" in bad_role.json()["detail"]["fields"]
    assert not Invitacion.objects.exists() and mail.outbox == []
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.INVITACION_ENVIADA).exists()


def test_one_pending_invitation_per_email_and_none_for_members(entidad, admin, invite):
    invite()
    client = logged_in(admin.usuario)
    again = client.post("/api/v1/entidad/invitaciones", {"correo": INVITEE.upper()}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    web = client.post("/entidad/invitaciones/", {"correo": INVITEE, "rol": "comprador"})
    assert web.status_code == 400 and "Ya hay una invitación pendiente para ese correo." in web.content.decode()
    assert Invitacion.objects.count() == 1
    member = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    existing = client.post("/api/v1/entidad/invitaciones", {"correo": member.usuario.email.upper()}, content_type=JSON)
    assert existing.status_code == 409 and "correo" in existing.json()["detail"]["fields"]
    page = client.post("/entidad/invitaciones/", {"correo": admin.usuario.email, "rol": "comprador"})
    assert page.status_code == 400 and "Ese correo ya es de un usuario de la Entidad." in page.content.decode()
    assert Invitacion.objects.count() == 1
    # Once cancelled, the same e-mail can be invited again.
    invitations.invitacion_cancel(invitacion=Invitacion.objects.get(), actor=admin.usuario)
    assert client.post("/api/v1/entidad/invitaciones", {"correo": INVITEE}, content_type=JSON).status_code == 201


def test_only_members_managers_invite_and_not_beyond_their_permissions(entidad, admin, auditor):
    plain = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    client = logged_in(plain.usuario)
    assert client.get("/entidad/invitaciones/").status_code == 403
    assert client.post("/entidad/invitaciones/", {"correo": INVITEE, "rol": "comprador"}).status_code == 403
    assert client.post("/api/v1/entidad/invitaciones", {"correo": INVITEE}, content_type=JSON).status_code == 403

    manager = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    manager.roles.add(RolEntidad.objects.create(entidad=entidad, nombre="Gestor", permisos=["gestionar_miembros"]))
    client = logged_in(manager.usuario)
    as_admin = client.post(
        "/api/v1/entidad/invitaciones", {"correo": INVITEE, "rol": "administrador"}, content_type=JSON
    )
    assert as_admin.status_code == 403 and as_admin.json()["code"] == "permission_denied"
    with_role = client.post(
        "/api/v1/entidad/invitaciones", {"correo": INVITEE, "roles": [auditor.pk]}, content_type=JSON
    )
    assert with_role.status_code == 403
    assert not Invitacion.objects.exists()
    assert client.post("/api/v1/entidad/invitaciones", {"correo": INVITEE}, content_type=JSON).status_code == 201


def test_roles_of_another_entity_cannot_be_invited_with(entidad, admin):
    other = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    foreign = RolEntidad.objects.create(entidad=other, nombre="Ajeno", permisos=["abrir_casos"])
    response = logged_in(admin.usuario).post(
        "/api/v1/entidad/invitaciones", {"correo": INVITEE, "roles": [foreign.pk]}, content_type=JSON
    )
    assert response.status_code == 400
    assert not Invitacion.objects.exists()


# --- Resending, cancelling, expiry ----------------------------------------------------------------------


def test_resending_issues_a_new_link_and_the_old_one_stops_working(entidad, admin, invite, sent):
    inv, old = invite()
    client = logged_in(admin.usuario)
    mail.outbox.clear()
    response = sent(client.post, f"/entidad/invitaciones/{inv.pk}/reenviar/")
    assert response.status_code == 302
    [message] = mail.outbox
    new = token_in(message)
    assert new != old
    inv.refresh_from_db()
    assert inv.envios == 2
    assert Client().get(f"/invitaciones/{old}/").status_code == 404
    assert Client().get(f"/invitaciones/{new}/").status_code == 200
    assert "2 envíos" in client.get("/entidad/invitaciones/").content.decode()

    mail.outbox.clear()
    api = sent(client.post, f"/api/v1/entidad/invitaciones/{inv.pk}/reenviar")
    assert api.status_code == 200 and api.json()["envios"] == 3
    newest = token_in(mail.outbox[0])
    assert Client().get(f"/invitaciones/{new}/").status_code == 404
    # The latest link is the one that works for accepting.
    invitee = UserFactory(email=INVITEE)
    accepted = logged_in(invitee).post(f"/invitaciones/{newest}/")
    assert accepted.status_code == 302 and accepted["Location"] == "/entidad/"
    assert Membresia.objects.filter(usuario=invitee, entidad=entidad).exists()
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.INVITACION_REENVIADA).count() == 2


def test_resending_renews_an_expired_invitation(entidad, admin, invite, sent):
    inv, _token = invite()
    Invitacion.objects.filter(pk=inv.pk).update(vence_at=timezone.now() - timedelta(minutes=1))
    client = logged_in(admin.usuario)
    assert client.get("/api/v1/entidad/invitaciones").json()[0]["estado"] == "vencida"
    assert "Vencida" in client.get("/entidad/invitaciones/").content.decode()
    mail.outbox.clear()
    renewed = sent(client.post, f"/api/v1/entidad/invitaciones/{inv.pk}/reenviar").json()
    assert renewed["estado"] == "pendiente"
    invitee = UserFactory(email=INVITEE)
    accepted = logged_in(invitee).post(f"/invitaciones/{token_in(mail.outbox[0])}/")
    assert accepted.status_code == 302
    assert Membresia.objects.filter(usuario=invitee, entidad=entidad).exists()


def test_a_cancelled_invitation_cannot_be_accepted_nor_resent(entidad, admin, invite):
    inv, token = invite()
    invitee = UserFactory(email=INVITEE)
    client = logged_in(admin.usuario)
    assert client.post(f"/entidad/invitaciones/{inv.pk}/cancelar/").status_code == 302
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.CANCELADA and inv.decidida_at is not None
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.INVITACION_CANCELADA).count() == 1
    page = logged_in(invitee).get(f"/invitaciones/{token}/").content.decode()
    assert "Esta invitación ya fue cancelada." in page and "Aceptar invitación" not in page
    response = logged_in(invitee).post(f"/invitaciones/{token}/", follow=True)
    assert "Esta invitación ya fue cancelada." in response.content.decode()
    api = logged_in(invitee).post(f"/api/v1/invitaciones/{inv.pk}/aceptar")
    assert api.status_code == 409
    assert not Membresia.objects.filter(usuario=invitee).exists()
    assert client.post(f"/api/v1/entidad/invitaciones/{inv.pk}/reenviar").status_code == 409
    assert client.delete(f"/api/v1/entidad/invitaciones/{inv.pk}").status_code == 409
    assert not invitations.invitaciones_del_usuario(invitee).exists()


def test_cancelling_through_the_api(entidad, admin, invite):
    inv, _token = invite()
    response = logged_in(admin.usuario).delete(f"/api/v1/entidad/invitaciones/{inv.pk}")
    assert response.status_code == 200 and response.json()["estado"] == "cancelada"
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.CANCELADA


def test_an_expired_invitation_is_refused_and_creates_nothing(entidad, admin, invite):
    inv, token = invite()
    Invitacion.objects.filter(pk=inv.pk).update(vence_at=timezone.now() - timedelta(seconds=1))
    invitee = UserFactory(email=INVITEE)
    client = logged_in(invitee)
    page = client.get(f"/invitaciones/{token}/").content.decode()
    assert "La invitación venció" in page and "Aceptar invitación" not in page
    api = client.post(f"/api/v1/invitaciones/{inv.pk}/aceptar")
    assert api.status_code == 410, api.json()
    web = client.post(f"/invitaciones/{token}/", follow=True)
    assert "La invitación venció" in web.content.decode()
    with pytest.raises(ApplicationError) as exc:
        invitations.invitacion_accept(invitacion=inv, user=invitee)
    assert exc.value.status_code == 410
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.PENDIENTE and inv.aceptada_por is None
    assert not Membresia.objects.filter(usuario=invitee).exists()
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.INVITACION_ACEPTADA).exists()
    # Expired invitations are not offered in "Mis registros".
    assert "Invitaciones recibidas" not in client.get("/entidades/mis-registros/").content.decode()
    assert client.get("/api/v1/me/registros").json()["invitaciones"] == []


def test_the_invitation_expires_after_the_configured_days(entidad, admin, settings, sent):
    settings.INVITATION_EXPIRY_DAYS = 2
    before = timezone.now()
    inv = sent(invitations.invitacion_create, entidad=entidad, actor=admin.usuario, correo=INVITEE)
    assert before + timedelta(days=2) <= inv.vence_at <= timezone.now() + timedelta(days=2)
    assert "2 días" in mail.outbox[0].body
    assert not inv.vencida
    inv.vence_at = timezone.now()
    assert inv.vencida and inv.estado_label == "Vencida"


# --- Accepting --------------------------------------------------------------------------------------------


def test_the_invitee_accepts_from_the_link(entidad, admin, auditor, invite):
    elsewhere = MembresiaFactory(entidad=EntidadFactory(nombre="HOSPITAL DE DUITAMA", estado=Entidad.Estado.ACTIVA))
    invitee = elsewhere.usuario
    invitee.email = INVITEE
    invitee.save(update_fields=["email"])
    inv, token = invite()
    pending = SolicitudAcceso.objects.create(usuario=invitee, entidad=entidad)
    client = logged_in(invitee)
    page = client.get(f"/invitaciones/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Invitación a ALCALDIA DE SOGAMOSO" in html and "Aceptar invitación" in html and INVITEE in html
    response = client.post(f"/invitaciones/{token}/")
    assert response.status_code == 302 and response["Location"] == "/entidad/"
    membresia = Membresia.objects.get(usuario=invitee, entidad=entidad)
    assert membresia.rol == Membresia.Rol.COMPRADOR and membresia.activa
    assert list(membresia.roles.all()) == [auditor]
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.ACEPTADA and inv.aceptada_por == invitee and inv.decidida_at
    pending.refresh_from_db()
    assert pending.estado == SolicitudAcceso.Estado.CANCELADA and pending.decided_at
    # The entity invited to is now the one they act for.
    assert acting.acting_membership(invitee) == membresia
    desk = client.get("/entidad/").content.decode()
    assert "Escritorio: ALCALDIA DE SOGAMOSO" in desk and "Auditor" in desk
    assert client.get("/entidad/historial/").status_code == 200  # the Auditor role's permission
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.INVITACION_ACEPTADA)
    assert evento.actor == invitee
    assert evento.detalle == {"usuario": invitee.username, "correo": INVITEE, "rol": "comprador"}
    # Used once: again, it says so.
    again = client.get(f"/invitaciones/{token}/").content.decode()
    assert "Esta invitación ya fue aceptada." in again and "Aceptar invitación" not in again
    listing = logged_in(admin.usuario).get("/entidad/invitaciones/").content.decode()
    assert f"Aceptada ({invitee.username})" in listing


def test_an_invitation_as_administrador_makes_an_administrador(entidad, admin, invite):
    inv, token = invite(rol="administrador", roles=[])
    invitee = UserFactory(email=INVITEE)
    logged_in(invitee).post(f"/invitaciones/{token}/")
    membresia = Membresia.objects.get(usuario=invitee, entidad=entidad)
    assert membresia.rol == Membresia.Rol.ADMINISTRADOR and not membresia.roles.exists()


def test_the_email_is_compared_without_case(entidad, admin, invite):
    inv, token = invite(correo="Nueva.Compradora@Entidad.gov.co")
    invitee = UserFactory(email=INVITEE)
    assert invitations.is_for(inv, invitee)
    logged_in(invitee).post(f"/invitaciones/{token}/")
    assert Membresia.objects.filter(usuario=invitee, entidad=entidad).exists()


def test_someone_with_another_email_cannot_accept(entidad, admin, invite):
    inv, token = invite()
    UserFactory(email=INVITEE)
    intruder = UserFactory()
    client = logged_in(intruder)
    page = client.get(f"/invitaciones/{token}/").content.decode()
    assert "Usted entró con otra cuenta" in page and "Aceptar invitación" not in page
    response = client.post(f"/invitaciones/{token}/", follow=True)
    assert "Esta invitación es para otro correo electrónico" in response.content.decode()
    assert client.post(f"/invitaciones/{inv.pk}/aceptar/").status_code == 404
    assert client.post(f"/api/v1/invitaciones/{inv.pk}/aceptar").status_code == 404
    assert client.get(f"/api/v1/invitaciones/{inv.pk}").status_code == 404
    with pytest.raises(ApplicationError) as exc:
        invitations.invitacion_accept(invitacion=inv, user=intruder)
    assert exc.value.status_code == 403
    # An administrador of the entity cannot accept it for the invitee either.
    logged_in(admin.usuario).post(f"/invitaciones/{token}/")
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.PENDIENTE and inv.aceptada_por is None
    assert not Membresia.objects.filter(usuario=intruder).exists()
    assert Membresia.objects.filter(entidad=entidad).count() == 1


def test_anonymous_visitors_are_told_to_log_in_or_sign_up(entidad, admin, invite):
    inv, token = invite()
    client = Client()
    page = client.get(f"/invitaciones/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    path = f"/invitaciones/{token}/"
    assert "Invitación a ALCALDIA DE SOGAMOSO" in html
    assert f'href="/cuentas/login/?next={path}"' in html.replace("%2F", "/")
    assert f'href="/cuentas/signup/?next={path}"' in html.replace("%2F", "/")
    assert "Aceptar invitación" not in html
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == f"/cuentas/login/?next={path}"
    assert client.post(f"/invitaciones/{inv.pk}/aceptar/").status_code == 302
    assert client.post(f"/api/v1/invitaciones/{inv.pk}/aceptar").status_code == 401
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.PENDIENTE
    assert Client().get("/invitaciones/no-existe-este-enlace/").status_code == 404


def test_an_invitee_who_registers_later_accepts_from_mis_registros(entidad, admin, auditor, invite):
    inv, _token = invite()
    invitee = UserFactory(email=INVITEE)  # registered (and confirmed) after the invitation
    client = logged_in(invitee)
    page = client.get("/entidades/mis-registros/").content.decode()
    assert "Invitaciones recibidas" in page and f"ALCALDIA DE SOGAMOSO le invita como {label(entidad)}" in page
    assert f'action="/invitaciones/{inv.pk}/aceptar/"' in page
    assert "Aún no pertenece a ninguna Entidad" not in page
    response = client.post(f"/invitaciones/{inv.pk}/aceptar/")
    assert response.status_code == 302 and response["Location"] == "/entidad/"
    membresia = Membresia.objects.get(usuario=invitee, entidad=entidad)
    assert list(membresia.roles.all()) == [auditor]
    listing = client.get("/entidades/mis-registros/").content.decode()
    assert "Invitaciones recibidas" not in listing and f"Con acceso ({label(entidad)})" in listing


def test_accepting_through_the_api(entidad, admin, auditor, invite):
    inv, _token = invite()
    invitee = UserFactory(email=INVITEE)
    client = logged_in(invitee)
    assert client.get("/api/v1/entidad/unidades").status_code == 404  # no entity yet
    [mine] = client.get("/api/v1/me/registros").json()["invitaciones"]
    assert mine["id"] == inv.pk and mine["entidad_nombre"] == entidad.nombre
    assert client.get(f"/api/v1/invitaciones/{inv.pk}").json()["correo"] == INVITEE
    response = client.post(f"/api/v1/invitaciones/{inv.pk}/aceptar")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["entidad"]["id"] == entidad.pk and body["rol"] == "comprador"
    assert body["roles"] == [{"id": auditor.pk, "nombre": "Auditor"}]
    assert body["permisos"] == [Permiso.VER_AUDITORIA.value]
    assert client.get("/api/v1/me/entidad-activa").json()["entidad"]["id"] == entidad.pk
    # Purchasing units are a State entity's: a supplier account is told it has none.
    assert client.get("/api/v1/entidad/unidades").status_code == (200 if entidad.es_entidad_estatal else 403)
    assert body["rol_label"] == label(entidad)
    again = client.post(f"/api/v1/invitaciones/{inv.pk}/aceptar")
    assert again.status_code == 409
    assert Membresia.objects.filter(usuario=invitee, entidad=entidad).count() == 1
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.INVITACION_ACEPTADA).count() == 1


def test_events_of_an_invitations_life(entidad, admin, invite, sent):
    inv, _token = invite()
    client = logged_in(admin.usuario)
    sent(client.post, f"/entidad/invitaciones/{inv.pk}/reenviar/")
    client.post(f"/entidad/invitaciones/{inv.pk}/cancelar/")
    second, token = invite(correo="otra.persona@entidad.gov.co")
    logged_in(UserFactory(email="otra.persona@entidad.gov.co")).post(f"/invitaciones/{token}/")
    tipos = list(entidad.eventos.filter(tipo__startswith="invitacion_").order_by("id").values_list("tipo", flat=True))
    assert tipos == [
        EventoEntidad.Tipo.INVITACION_ENVIADA,
        EventoEntidad.Tipo.INVITACION_REENVIADA,
        EventoEntidad.Tipo.INVITACION_CANCELADA,
        EventoEntidad.Tipo.INVITACION_ENVIADA,
        EventoEntidad.Tipo.INVITACION_ACEPTADA,
    ]
    html = client.get("/entidad/historial/").content.decode()
    for label in ("Invitación enviada", "Invitación reenviada", "Invitación cancelada", "Invitación aceptada"):
        assert label in html


def test_invitations_of_another_entity_are_not_found(entidad, admin, invite):
    inv, _token = invite()
    other = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    client = logged_in(other.usuario)
    assert client.post(f"/entidad/invitaciones/{inv.pk}/cancelar/").status_code == 404
    assert client.post(f"/entidad/invitaciones/{inv.pk}/reenviar/").status_code == 404
    assert client.post(f"/api/v1/entidad/invitaciones/{inv.pk}/reenviar").status_code == 404
    assert client.delete(f"/api/v1/entidad/invitaciones/{inv.pk}").status_code == 404
    assert client.get("/api/v1/entidad/invitaciones").json() == []
    inv.refresh_from_db()
    assert inv.estado == Invitacion.Estado.PENDIENTE and inv.envios == 1


def test_a_manager_who_is_not_administrator_cannot_renew_or_cancel_what_they_could_not_grant(entidad, admin, invite):
    """Re-sending issues a new offer, so it is checked like sending: a Comprador who manages members
    cannot revive an invitation as Administrador (or with permissions they lack), nor withdraw it."""
    manager = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    manager.roles.add(RolEntidad.objects.create(entidad=entidad, nombre="Gestor", permisos=["gestionar_miembros"]))
    as_admin, _t = invite(correo="futuro.admin@entidad.gov.co", rol="administrador", roles=[])
    with_auditor, _t = invite()  # Comprador with the Auditor role (ver_auditoria)
    plain, _t = invite(correo="comprador.simple@entidad.gov.co", roles=[])
    Invitacion.objects.filter(pk=as_admin.pk).update(vence_at=timezone.now())
    client = logged_in(manager.usuario)
    for inv in (as_admin, with_auditor):
        refused = client.post(f"/api/v1/entidad/invitaciones/{inv.pk}/reenviar")
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
        assert client.delete(f"/api/v1/entidad/invitaciones/{inv.pk}").status_code == 403
        client.post(f"/entidad/invitaciones/{inv.pk}/reenviar/")
        client.post(f"/entidad/invitaciones/{inv.pk}/cancelar/")
        inv.refresh_from_db()
        assert inv.estado == Invitacion.Estado.PENDIENTE and inv.envios == 1
    as_admin.refresh_from_db()
    assert as_admin.vencida
    # What they could have sent themselves, they renew and cancel.
    assert client.post(f"/api/v1/entidad/invitaciones/{plain.pk}/reenviar").json()["envios"] == 2
    assert client.delete(f"/api/v1/entidad/invitaciones/{plain.pk}").json()["estado"] == "cancelada"
    # An Administrador does both.
    boss = logged_in(admin.usuario)
    assert boss.post(f"/api/v1/entidad/invitaciones/{as_admin.pk}/reenviar").status_code == 200
    assert boss.delete(f"/api/v1/entidad/invitaciones/{with_auditor.pk}").status_code == 200


def test_an_expired_invitation_does_not_block_a_new_one(db):
    from datetime import timedelta

    from django.utils import timezone

    from registro.entities.account.models import Entidad
    from registro.entities.membership import invitations
    from registro.entities.membership.models import Invitacion
    from tests.factories import EntidadFactory, MembresiaFactory

    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    admin = MembresiaFactory(entidad=entidad).usuario
    old = invitations.invitacion_create(entidad=entidad, actor=admin, correo="ana@example.com")
    Invitacion.objects.filter(pk=old.pk).update(vence_at=timezone.now() - timedelta(minutes=1))
    new = invitations.invitacion_create(entidad=entidad, actor=admin, correo="ANA@example.com")
    old.refresh_from_db()
    assert old.estado == Invitacion.Estado.CANCELADA
    assert new.estado == Invitacion.Estado.PENDIENTE and not new.vencida


def test_section_3_offers_the_invitations_received(db):
    from django.test import Client

    from registro.entities.account.models import Entidad
    from registro.entities.membership import invitations
    from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

    entidad = EntidadFactory(estado=Entidad.Estado.ACTIVA, nombre="HOSPITAL SAN RAFAEL")
    admin = MembresiaFactory(entidad=entidad).usuario
    invitee = UserFactory(email="invitada@hospital.gov.co")
    invitations.invitacion_create(entidad=entidad, actor=admin, correo="Invitada@hospital.gov.co")
    client = Client()
    client.force_login(invitee)
    page = client.get("/entidades/").content.decode()
    assert "Invitaciones recibidas" in page and "HOSPITAL SAN RAFAEL le invita como Comprador" in page
    other = Client()
    other.force_login(UserFactory())
    assert "Invitaciones recibidas" not in other.get("/entidades/").content.decode()
