"""R7.1: the roles an entity defines from the permission catalogue, how they are given to its users,
and that nobody hands out more than they hold."""

import re

import pytest
from django.core import mail
from django.test import Client

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership import access, catalogue, members, roles
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad, SolicitudAcceso
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def buyer_with(entidad, *permisos, nombre=None):
    """A Comprador of `entidad` holding one custom role with `permisos` (none: a plain Comprador)."""
    membresia = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    if permisos:
        rol = RolEntidad.objects.create(
            entidad=entidad, nombre=nombre or f"Rol de {membresia.usuario.username}", permisos=list(permisos)
        )
        membresia.roles.add(rol)
    return membresia


@pytest.fixture
def entidad():
    return EntidadFactory(nombre="ALCALDIA DE PAIPA", estado=Entidad.Estado.ACTIVA)


@pytest.fixture
def admin(entidad):
    return MembresiaFactory(entidad=entidad)


@pytest.fixture
def other_entity():
    other = EntidadFactory(nombre="GOBERNACION DE BOYACA", estado=Entidad.Estado.ACTIVA)
    MembresiaFactory(entidad=other)
    return other


# --- Creating ------------------------------------------------------------------------------------


def test_a_role_stores_its_permissions_once_each_in_catalogue_order(entidad, admin):
    rol = roles.rol_create(
        entidad=entidad,
        actor=admin.usuario,
        nombre="  Revisor    jurídico ",
        descripcion=" Revisa los documentos ",
        permisos=["ver_auditoria", "gestionar_miembros", "ver_auditoria", "abrir_casos"],
    )
    rol.refresh_from_db()
    assert rol.nombre == "Revisor jurídico"
    assert rol.descripcion == "Revisa los documentos"
    assert rol.permisos == ["gestionar_miembros", "ver_auditoria", "abrir_casos"]
    assert rol.permisos_labels == [
        str(Permiso.GESTIONAR_MIEMBROS.label),
        str(Permiso.VER_AUDITORIA.label),
        str(Permiso.ABRIR_CASOS.label),
    ]
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.ROL_CREADO)
    assert evento.actor == admin.usuario
    assert evento.detalle == {
        "rol": "Revisor jurídico",
        "permisos": ["gestionar_miembros", "ver_auditoria", "abrir_casos"],
    }


def test_the_web_form_creates_a_role_from_the_catalogue(entidad, admin):
    client = logged_in(admin.usuario)
    page = client.get("/entidad/roles/")
    assert page.status_code == 200
    html = page.content.decode()
    # What applies to a State entity; the supplier side's permissions are not offered.
    for value, label in Permiso.choices:
        offered = f'value="{value}"' in html and str(label) in html
        assert offered == (value not in catalogue.SUPPLIER_ONLY), value
    response = client.post(
        "/entidad/roles/",
        {
            "nombre": "Aprobador",
            "descripcion": "Decide solicitudes",
            "permisos": ["ver_auditoria", "aprobar_solicitudes"],
        },
    )
    assert response.status_code == 302 and response["Location"] == "/entidad/roles/"
    rol = RolEntidad.objects.get(entidad=entidad)
    assert (rol.nombre, rol.permisos) == ("Aprobador", ["aprobar_solicitudes", "ver_auditoria"])
    listing = client.get("/entidad/roles/").content.decode()
    assert "Aprobador" in listing and "Decide solicitudes" in listing
    assert str(Permiso.APROBAR_SOLICITUDES.label) in listing


def test_the_api_creates_lists_and_shows_roles(entidad, admin):
    client = logged_in(admin.usuario)
    assert Client().get("/api/v1/permisos").status_code == 401
    catalogue = client.get("/api/v1/permisos").json()
    assert [p["value"] for p in catalogue] == list(Permiso.values)
    assert catalogue[0]["label"] == str(Permiso.GESTIONAR_MIEMBROS.label)
    created = client.post(
        "/api/v1/entidad/roles",
        {"nombre": "Gestor", "permisos": ["gestionar_unidades", "gestionar_miembros"]},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["nombre"] == "Gestor" and body["permisos"] == ["gestionar_miembros", "gestionar_unidades"]
    assert [r["id"] for r in client.get("/api/v1/entidad/roles").json()] == [body["id"]]
    assert client.get(f"/api/v1/entidad/roles/{body['id']}").json()["nombre"] == "Gestor"


@pytest.mark.parametrize(
    "nombre",
    [
        "",
        "   ",
        "Administrador",
        "ADMINISTRADOR",
        " administrador ",
        "Administradór",
        "Comprador",
        "cómprador",
        "COMPRADÓR",
    ],
)
def test_a_role_needs_a_name_that_is_not_a_built_in_role(entidad, admin, nombre):
    response = logged_in(admin.usuario).post(
        "/api/v1/entidad/roles", {"nombre": nombre, "permisos": ["abrir_casos"]}, content_type=JSON
    )
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "validation_error"
    assert "nombre" in response.json()["detail"]["fields"]
    assert not RolEntidad.objects.exists()
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.ROL_CREADO).exists()


def test_the_web_form_refuses_a_built_in_name_and_keeps_what_was_typed(entidad, admin):
    response = logged_in(admin.usuario).post(
        "/entidad/roles/", {"nombre": "ADMINISTRADOR", "descripcion": "Todo", "permisos": ["abrir_casos"]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Administrador y Comprador son los roles propios de la plataforma" in html
    assert 'value="ADMINISTRADOR"' in html
    assert not RolEntidad.objects.exists()


@pytest.mark.parametrize(
    ("permisos", "message"),
    [
        ([], "Elija al menos un permiso."),
        (["abrir_casos", "borrar_todo"], "Permisos desconocidos: borrar_todo."),
    ],
)
def test_a_role_needs_known_permissions_and_at_least_one(entidad, admin, permisos, message):
    response = logged_in(admin.usuario).post(
        "/api/v1/entidad/roles", {"nombre": "Vacío", "permisos": permisos}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["detail"]["fields"]["permisos"] == [message]
    assert not RolEntidad.objects.exists()
    with pytest.raises(ApplicationError) as exc:
        roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Vacío", permisos=permisos)
    assert exc.value.status_code == 400


def test_role_names_are_unique_per_entity_whatever_the_case(entidad, admin, other_entity):
    client = logged_in(admin.usuario)
    first = client.post("/api/v1/entidad/roles", {"nombre": "Revisor", "permisos": ["abrir_casos"]}, content_type=JSON)
    assert first.status_code == 201
    again = client.post(
        "/api/v1/entidad/roles", {"nombre": "REVISOR", "permisos": ["ver_auditoria"]}, content_type=JSON
    )
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert "nombre" in again.json()["detail"]["fields"]
    assert RolEntidad.objects.filter(entidad=entidad).count() == 1
    # The web form says so beside the name.
    page = client.post("/entidad/roles/", {"nombre": "revisor", "permisos": ["abrir_casos"]})
    assert page.status_code == 400 and "La Entidad ya tiene un rol con ese nombre." in page.content.decode()
    # Another entity may use the same name.
    other_admin = other_entity.membresias.get().usuario
    elsewhere = logged_in(other_admin).post(
        "/api/v1/entidad/roles", {"nombre": "Revisor", "permisos": ["abrir_casos"]}, content_type=JSON
    )
    assert elsewhere.status_code == 201
    # Renaming onto a taken name is refused as well.
    second = client.post(
        "/api/v1/entidad/roles", {"nombre": "Auditor", "permisos": ["ver_auditoria"]}, content_type=JSON
    )
    rename = client.put(
        f"/api/v1/entidad/roles/{second.json()['id']}",
        {"nombre": "revisor", "permisos": ["ver_auditoria"]},
        content_type=JSON,
    )
    assert rename.status_code == 409
    assert RolEntidad.objects.get(pk=second.json()["id"]).nombre == "Auditor"


# --- Editing and deleting ------------------------------------------------------------------------


def test_editing_a_role_on_the_web_and_in_the_api(entidad, admin):
    rol = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Revisor", permisos=["abrir_casos"])
    client = logged_in(admin.usuario)
    form = client.get(f"/entidad/roles/{rol.pk}/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'value="Revisor"' in html
    assert re.search(r'<input[^>]*value="abrir_casos"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="ver_auditoria"[^>]*checked', html)
    response = client.post(
        f"/entidad/roles/{rol.pk}/",
        {"nombre": "Revisor de casos", "descripcion": "Nueva", "permisos": ["ver_auditoria", "abrir_casos"]},
    )
    assert response.status_code == 302
    rol.refresh_from_db()
    assert (rol.nombre, rol.descripcion, rol.permisos) == (
        "Revisor de casos",
        "Nueva",
        ["ver_auditoria", "abrir_casos"],
    )
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.ROL_EDITADO)
    assert evento.detalle["antes"] == {"nombre": "Revisor", "permisos": ["abrir_casos"]}
    assert evento.detalle["permisos"] == ["ver_auditoria", "abrir_casos"]

    invalid = client.post(f"/entidad/roles/{rol.pk}/", {"nombre": "Revisor de casos", "permisos": []})
    assert invalid.status_code == 400
    rol.refresh_from_db()
    assert rol.permisos == ["ver_auditoria", "abrir_casos"]

    updated = client.put(
        f"/api/v1/entidad/roles/{rol.pk}", {"nombre": "Auditor", "permisos": ["ver_auditoria"]}, content_type=JSON
    )
    assert updated.status_code == 200 and updated.json()["permisos"] == ["ver_auditoria"]
    rol.refresh_from_db()
    assert (rol.nombre, rol.permisos) == ("Auditor", ["ver_auditoria"])
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.ROL_EDITADO).count() == 2


def test_editing_a_role_changes_what_its_holders_may_do(entidad, admin):
    holder = buyer_with(entidad, Permiso.ABRIR_CASOS, nombre="Soporte")
    client = logged_in(holder.usuario)
    assert client.get("/entidad/historial/").status_code == 403
    rol = holder.roles.get()
    roles.rol_update(rol=rol, actor=admin.usuario, nombre="Soporte", permisos=["abrir_casos", "ver_auditoria"])
    assert client.get("/entidad/historial/").status_code == 200


def test_deleting_a_role_takes_it_from_its_members(entidad, admin):
    holder = buyer_with(entidad, Permiso.VER_AUDITORIA, nombre="Auditor")
    rol = holder.roles.get()
    client = logged_in(holder.usuario)
    assert client.get("/entidad/historial/").status_code == 200
    response = logged_in(admin.usuario).post(f"/entidad/roles/{rol.pk}/eliminar/")
    assert response.status_code == 302
    assert not RolEntidad.objects.filter(pk=rol.pk).exists()
    assert Membresia.objects.filter(pk=holder.pk).exists() and not holder.roles.exists()
    assert client.get("/entidad/historial/").status_code == 403
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.ROL_ELIMINADO)
    assert evento.detalle == {"rol": "Auditor", "usuarios": [holder.usuario.username]}

    other = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Otro", permisos=["abrir_casos"])
    deleted = logged_in(admin.usuario).delete(f"/api/v1/entidad/roles/{other.pk}")
    assert deleted.status_code == 204
    assert not RolEntidad.objects.filter(entidad=entidad).exists()


# --- Nobody hands out more than they hold -------------------------------------------------------


def test_a_role_manager_cannot_create_a_role_with_permissions_they_lack(entidad, admin):
    manager = buyer_with(entidad, Permiso.GESTIONAR_ROLES)
    client = logged_in(manager.usuario)
    refused = client.post(
        "/api/v1/entidad/roles", {"nombre": "Auditor", "permisos": ["ver_auditoria"]}, content_type=JSON
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    mixed = client.post(
        "/api/v1/entidad/roles",
        {"nombre": "Auditor", "permisos": ["gestionar_roles", "ver_auditoria"]},
        content_type=JSON,
    )
    assert mixed.status_code == 403
    page = client.post("/entidad/roles/", {"nombre": "Auditor", "permisos": ["ver_auditoria"]})
    assert "Un rol no puede dar permisos que usted no tiene." in page.content.decode()
    assert not RolEntidad.objects.filter(nombre="Auditor").exists()
    # Within their own permissions they may.
    allowed = client.post(
        "/api/v1/entidad/roles", {"nombre": "Delegado", "permisos": ["gestionar_roles"]}, content_type=JSON
    )
    assert allowed.status_code == 201


def test_a_role_manager_cannot_widen_edit_or_delete_a_role_beyond_their_permissions(entidad, admin):
    manager = buyer_with(entidad, Permiso.GESTIONAR_ROLES)
    mine = roles.rol_create(entidad=entidad, actor=manager.usuario, nombre="Delegado", permisos=["gestionar_roles"])
    audit = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    client = logged_in(manager.usuario)
    widen = client.put(
        f"/api/v1/entidad/roles/{mine.pk}",
        {"nombre": "Delegado", "permisos": ["gestionar_roles", "ver_auditoria"]},
        content_type=JSON,
    )
    assert widen.status_code == 403
    # Their own role cannot be widened either (that would be giving themselves more).
    own = manager.roles.get()
    assert (
        client.put(
            f"/api/v1/entidad/roles/{own.pk}",
            {"nombre": own.nombre, "permisos": ["gestionar_roles", "editar_entidad"]},
            content_type=JSON,
        ).status_code
        == 403
    )
    rename = client.put(
        f"/api/v1/entidad/roles/{audit.pk}", {"nombre": "Auditor", "permisos": ["gestionar_roles"]}, content_type=JSON
    )
    assert rename.status_code == 403
    assert client.delete(f"/api/v1/entidad/roles/{audit.pk}").status_code == 403
    audit.refresh_from_db()
    mine.refresh_from_db()
    own.refresh_from_db()
    assert audit.permisos == ["ver_auditoria"] and mine.permisos == ["gestionar_roles"]
    assert own.permisos == ["gestionar_roles"]


def test_without_manage_roles_the_roles_pages_are_forbidden(entidad, admin):
    plain = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    rol = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    client = logged_in(plain.usuario)
    assert client.get("/entidad/roles/").status_code == 403
    assert client.post("/entidad/roles/", {"nombre": "X", "permisos": ["abrir_casos"]}).status_code == 403
    assert client.post(f"/entidad/roles/{rol.pk}/", {"nombre": "X", "permisos": ["abrir_casos"]}).status_code == 403
    assert client.post(f"/entidad/roles/{rol.pk}/eliminar/").status_code == 403
    assert client.get("/api/v1/entidad/roles").status_code == 403
    assert (
        client.post(
            "/api/v1/entidad/roles", {"nombre": "X", "permisos": ["abrir_casos"]}, content_type=JSON
        ).status_code
        == 403
    )
    assert client.delete(f"/api/v1/entidad/roles/{rol.pk}").status_code == 403
    assert RolEntidad.objects.filter(entidad=entidad).count() == 1
    with pytest.raises(ApplicationError) as exc:
        roles.rol_create(entidad=entidad, actor=plain.usuario, nombre="X", permisos=["abrir_casos"])
    assert exc.value.status_code == 403


# --- Giving roles to members -----------------------------------------------------------------------


def test_an_administrator_assigns_roles_on_the_web(entidad, admin):
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    auditor = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    gestor = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Gestor", permisos=["gestionar_unidades"])
    client = logged_in(admin.usuario)
    page = client.get("/entidad/usuarios/").content.decode()
    assert f'name="roles" value="{auditor.pk}"' in page and "Gestor" in page
    response = client.post(
        f"/entidad/usuarios/{buyer.pk}/roles/", {"rol": "comprador", "roles": [str(auditor.pk), str(gestor.pk)]}
    )
    assert response.status_code == 302
    assert set(buyer.roles.all()) == {auditor, gestor}
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.ROLES_ASIGNADOS)
    assert evento.detalle == {"usuario": buyer.usuario.username, "roles": ["Auditor", "Gestor"]}
    assert evento.actor == admin.usuario
    # Their desktop lists the roles and what they allow.
    desk = logged_in(buyer.usuario).get("/entidad/").content.decode()
    assert "Auditor, Gestor" in desk and str(Permiso.VER_AUDITORIA.label) in desk
    # Saving the same roles again records nothing new; unticking all removes them.
    client.post(
        f"/entidad/usuarios/{buyer.pk}/roles/", {"rol": "comprador", "roles": [str(auditor.pk), str(gestor.pk)]}
    )
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.ROLES_ASIGNADOS).count() == 1
    client.post(f"/entidad/usuarios/{buyer.pk}/roles/", {"rol": "comprador"})
    assert not buyer.roles.exists()
    buyer.refresh_from_db()
    assert buyer.rol == Membresia.Rol.COMPRADOR


def test_an_administrator_assigns_roles_through_the_api(entidad, admin):
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    auditor = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    client = logged_in(admin.usuario)
    response = client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [auditor.pk]}, content_type=JSON)
    assert response.status_code == 200, response.json()
    assert response.json()["roles"] == [{"id": auditor.pk, "nombre": "Auditor"}]
    assert response.json()["rol"] == "comprador"
    # Only the built-in role: the custom ones stay.
    promoted = client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"rol": "administrador"}, content_type=JSON)
    assert promoted.json()["rol"] == "administrador" and [r["id"] for r in promoted.json()["roles"]] == [auditor.pk]
    both = client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"rol": "comprador", "roles": []}, content_type=JSON)
    assert both.status_code == 200 and (both.json()["rol"], both.json()["roles"]) == ("comprador", [])
    buyer.refresh_from_db()
    assert buyer.rol == Membresia.Rol.COMPRADOR and not buyer.roles.exists()
    invalid = client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"rol": "jefe"}, content_type=JSON)
    assert invalid.status_code == 400 and "rol" in invalid.json()["detail"]["fields"]


def test_a_role_that_approves_requests_opens_the_requests_page(entidad, admin, sent):
    approver = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    plain = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    client = logged_in(approver.usuario)
    assert client.get("/entidad/solicitudes/").status_code == 403
    assert client.get("/api/v1/entidad/solicitudes").status_code == 403
    rol = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Aprobador", permisos=["aprobar_solicitudes"])
    logged_in(admin.usuario).post(f"/entidad/usuarios/{approver.pk}/roles/", {"rol": "comprador", "roles": [rol.pk]})
    assert client.get("/entidad/solicitudes/").status_code == 200
    assert "Solicitudes de acceso" in client.get("/entidad/").content.decode()

    # New requests are e-mailed to them too, not to a plain Comprador.
    requester = UserFactory()
    sent(logged_in(requester).post, f"/entidades/{entidad.pk}/solicitar/", {"mensaje": "Trabajo en compras."})
    solicitud = SolicitudAcceso.objects.get(usuario=requester)
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == {admin.usuario.email, approver.usuario.email}
    assert plain.usuario.email not in recipients

    assert requester.username in client.get("/entidad/solicitudes/").content.decode()
    assert logged_in(plain.usuario).post(f"/entidad/solicitudes/{solicitud.pk}/aprobar/").status_code == 403
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.PENDIENTE
    # They approve as Comprador, but cannot make someone an Administrador.
    client.post(f"/entidad/solicitudes/{solicitud.pk}/aprobar/", {"rol": "administrador"})
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.PENDIENTE
    assert not Membresia.objects.filter(usuario=requester).exists()
    response = client.post(f"/entidad/solicitudes/{solicitud.pk}/aprobar/", {"rol": "comprador"})
    assert response.status_code == 302
    solicitud.refresh_from_db()
    assert solicitud.estado == SolicitudAcceso.Estado.APROBADA and solicitud.decidida_por == approver.usuario
    nuevo = Membresia.objects.get(usuario=requester, entidad=entidad)
    assert nuevo.rol == Membresia.Rol.COMPRADOR and not nuevo.roles.exists()


def test_an_approver_can_give_only_roles_within_their_permissions(entidad, admin):
    approver = buyer_with(entidad, Permiso.APROBAR_SOLICITUDES, Permiso.ABRIR_CASOS)
    soporte = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Soporte", permisos=["abrir_casos"])
    auditor = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    first = SolicitudAcceso.objects.create(usuario=UserFactory(), entidad=entidad)
    second = SolicitudAcceso.objects.create(usuario=UserFactory(), entidad=entidad)
    client = logged_in(approver.usuario)
    refused = client.post(
        f"/api/v1/entidad/solicitudes/{first.pk}/aprobar",
        {"rol": "comprador", "roles": [auditor.pk]},
        content_type=JSON,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert not Membresia.objects.filter(usuario=first.usuario).exists()
    ok = client.post(
        f"/api/v1/entidad/solicitudes/{second.pk}/aprobar",
        {"rol": "comprador", "roles": [soporte.pk]},
        content_type=JSON,
    )
    assert ok.status_code == 200
    assert list(Membresia.objects.get(usuario=second.usuario).roles.all()) == [soporte]
    # The service says the same.
    with pytest.raises(ApplicationError) as exc:
        access.solicitud_approve(solicitud=first, admin=approver.usuario, rol="administrador")
    assert exc.value.status_code == 403


def test_roles_of_another_entity_cannot_be_assigned_nor_reached(entidad, admin, other_entity):
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    mine = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    other_admin = other_entity.membresias.get().usuario
    foreign = roles.rol_create(entidad=other_entity, actor=other_admin, nombre="Ajeno", permisos=["abrir_casos"])
    client = logged_in(admin.usuario)

    api = client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [mine.pk, foreign.pk]}, content_type=JSON)
    assert api.status_code == 400 and "roles" in api.json()["detail"]["fields"]
    unknown = client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [999999]}, content_type=JSON)
    assert unknown.status_code == 400
    web = client.post(
        f"/entidad/usuarios/{buyer.pk}/roles/", {"rol": "comprador", "roles": [str(foreign.pk)]}, follow=True
    )
    assert "Elija roles de la lista de roles de la Entidad." in web.content.decode()
    assert not buyer.roles.exists()
    with pytest.raises(ApplicationError) as exc:
        members.membresia_update(membresia=buyer, actor=admin.usuario, roles=[foreign.pk])
    assert exc.value.status_code == 400
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.ROLES_ASIGNADOS).exists()

    # Another entity's role in the address is simply not found.
    assert client.get(f"/entidad/roles/{foreign.pk}/").status_code == 404
    assert (
        client.post(f"/entidad/roles/{foreign.pk}/", {"nombre": "Mío", "permisos": ["abrir_casos"]}).status_code == 404
    )
    assert client.post(f"/entidad/roles/{foreign.pk}/eliminar/").status_code == 404
    assert client.get(f"/api/v1/entidad/roles/{foreign.pk}").status_code == 404
    assert (
        client.put(
            f"/api/v1/entidad/roles/{foreign.pk}", {"nombre": "Mío", "permisos": ["abrir_casos"]}, content_type=JSON
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/entidad/roles/{foreign.pk}").status_code == 404
    foreign.refresh_from_db()
    assert foreign.nombre == "Ajeno"
    # Nor can the other entity's members be reached.
    outsider = other_entity.membresias.get()
    assert client.patch(f"/api/v1/entidad/miembros/{outsider.pk}", {"roles": []}, content_type=JSON).status_code == 404
    assert client.post(f"/entidad/usuarios/{outsider.pk}/roles/", {"rol": "comprador"}).status_code == 404


def test_a_member_manager_who_is_not_administrator_cannot_touch_administrators(entidad, admin):
    manager = buyer_with(entidad, Permiso.GESTIONAR_MIEMBROS, nombre="Gestor de usuarios")
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    client = logged_in(manager.usuario)
    # The members page is theirs.
    assert client.get("/entidad/usuarios/").status_code == 200
    for target in (buyer, manager):
        promote = client.patch(f"/api/v1/entidad/miembros/{target.pk}", {"rol": "administrador"}, content_type=JSON)
        assert promote.status_code == 403, promote.json()
        target.refresh_from_db()
        assert target.rol == Membresia.Rol.COMPRADOR
    web = client.post(f"/entidad/usuarios/{buyer.pk}/roles/", {"rol": "administrador"}, follow=True)
    assert "Solo un Usuario Administrador puede nombrar otro Usuario Administrador." in web.content.decode()
    buyer.refresh_from_db()
    assert buyer.rol == Membresia.Rol.COMPRADOR

    assert client.post(f"/api/v1/entidad/miembros/{admin.pk}/suspender").status_code == 403
    demote = client.patch(f"/api/v1/entidad/miembros/{admin.pk}", {"rol": "comprador"}, content_type=JSON)
    assert demote.status_code == 403
    assert client.delete(f"/api/v1/entidad/miembros/{admin.pk}").status_code == 403
    client.post(f"/entidad/usuarios/{admin.pk}/suspender/")
    admin.refresh_from_db()
    assert (admin.rol, admin.activa) == (Membresia.Rol.ADMINISTRADOR, True)
    with pytest.raises(ApplicationError) as exc:
        members.membresia_suspend(membresia=admin, actor=manager.usuario)
    assert exc.value.status_code == 403

    # They may still manage Compradores, within their own permissions.
    assert client.post(f"/api/v1/entidad/miembros/{buyer.pk}/suspender").json()["activa"] is False
    assert client.post(f"/api/v1/entidad/miembros/{buyer.pk}/reactivar").json()["activa"] is True
    auditor = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Auditor", permisos=["ver_auditoria"])
    peer = roles.rol_create(entidad=entidad, actor=admin.usuario, nombre="Par", permisos=["gestionar_miembros"])
    assert (
        client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [auditor.pk]}, content_type=JSON).status_code
        == 403
    )
    assert not buyer.roles.exists()
    assert (
        client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [peer.pk]}, content_type=JSON).status_code == 200
    )
    assert list(buyer.roles.all()) == [peer]
    # A role they lack, given by an administrador, they cannot take away either.
    members.membresia_update(membresia=buyer, actor=admin.usuario, roles=[peer.pk, auditor.pk])
    assert (
        client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [peer.pk]}, content_type=JSON).status_code == 403
    )
    assert set(buyer.roles.all()) == {peer, auditor}


# --- History ---------------------------------------------------------------------------------------


def test_role_events_are_on_the_history_page_for_administrators_only(entidad, admin):
    buyer = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    client = logged_in(admin.usuario)
    created = client.post(
        "/api/v1/entidad/roles", {"nombre": "Auditor", "permisos": ["ver_auditoria"]}, content_type=JSON
    ).json()
    client.put(
        f"/api/v1/entidad/roles/{created['id']}",
        {"nombre": "Auditor", "permisos": ["ver_auditoria", "abrir_casos"]},
        content_type=JSON,
    )
    client.patch(f"/api/v1/entidad/miembros/{buyer.pk}", {"roles": [created["id"]]}, content_type=JSON)
    client.delete(f"/api/v1/entidad/roles/{created['id']}")
    tipos = list(entidad.eventos.order_by("id").values_list("tipo", flat=True))
    assert tipos == [
        EventoEntidad.Tipo.ROL_CREADO,
        EventoEntidad.Tipo.ROL_EDITADO,
        EventoEntidad.Tipo.ROLES_ASIGNADOS,
        EventoEntidad.Tipo.ROL_ELIMINADO,
    ]
    assert all(actor == admin.usuario.pk for actor in entidad.eventos.values_list("actor", flat=True))
    page = client.get("/entidad/historial/")
    assert page.status_code == 200
    html = page.content.decode()
    for label in ("Rol creado", "Rol modificado", "Roles de un usuario asignados", "Rol eliminado"):
        assert label in html
    api = client.get("/api/v1/entidad/historial").json()
    assert [e["tipo"] for e in api] == [
        "rol_eliminado",
        "roles_asignados",
        "rol_editado",
        "rol_creado",
    ]
    assert api[1]["detalle"] == {"usuario": buyer.usuario.username, "roles": ["Auditor"]}

    comprador = logged_in(buyer.usuario)
    assert comprador.get("/entidad/historial/").status_code == 403
    assert comprador.get("/api/v1/entidad/historial").status_code == 403
    assert "/entidad/historial/" not in comprador.get("/entidad/").content.decode()
    assert "/entidad/historial/" in client.get("/entidad/").content.decode()
