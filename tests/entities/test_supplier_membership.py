"""The users of a supplier account (issue 10 §6, ADR 0013): the same membership code as a State
entity's (requests, invitations, roles, suspension, the switcher, R1.1 and the history: the tests of
those modules run for both kinds of account), with what differs by kind:

- the role that is not Administrador reads "Usuario del Proveedor" in a supplier account, on the
  pages, in the e-mails and in the API's labels; `comprador` is what is stored;
- roles offer and accept only the permissions that apply to the account (`catalogue.applicable`);
- purchasing units are a State entity's: a supplier account's pages and API refuse them, saying so;
- the console's navigation has a place for the supplier side (`_nav_proveedor.html`)."""

import re

import pytest
from django.core import mail
from django.test import Client

from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.console.models import UnidadContratacion
from registro.entities.membership import catalogue, members
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, RolEntidad, SolicitudAcceso
from tests.factories import EntidadFactory, MembresiaFactory, ProveedorFactory, UserFactory

pytestmark = pytest.mark.django_db

JSON = "application/json"
NAV_PROVEEDOR = "entities/console/_nav_proveedor.html"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def proveedor():
    return ProveedorFactory(nombre="PAPELERIA LOS ANDES SAS")


@pytest.fixture
def admin(proveedor):
    return MembresiaFactory(entidad=proveedor, usuario__username="admin.papeleria")


@pytest.fixture
def usuario(proveedor, admin):
    return MembresiaFactory(entidad=proveedor, rol=Membresia.Rol.COMPRADOR, usuario__username="vendedor.papeleria")


@pytest.fixture
def entidad():
    entidad = EntidadFactory(nombre="ALCALDIA DE CHIA", estado=Entidad.Estado.ACTIVA)
    MembresiaFactory(entidad=entidad, usuario__username="admin.chia")
    return entidad


# --- "Usuario del Proveedor" ------------------------------------------------------------------------


def test_the_supplier_accounts_non_admin_role_reads_usuario_del_proveedor(proveedor, admin, usuario):
    assert usuario.rol == "comprador" and usuario.get_rol_display() == "Usuario del Proveedor"
    assert usuario.rol_titulo == "Usuario del Proveedor" and admin.rol_titulo == "Usuario Administrador"
    own = logged_in(usuario.usuario)
    desk = own.get("/entidad/").content.decode()
    assert "Usted es Usuario del Proveedor de esta cuenta." in desk and "Comprador" not in desk
    assert "Puede actuar a nombre del Proveedor." in desk
    assert "Con acceso (Usuario del Proveedor)" in own.get("/entidades/mis-registros/").content.decode()
    assert "<td>Usuario del Proveedor</td>" in own.get("/entidades/").content.decode()

    console = logged_in(admin.usuario)
    miembros = console.get("/entidad/usuarios/").content.decode()
    assert '<option value="comprador" selected>Usuario del Proveedor</option>' in miembros
    assert ">Comprador<" not in miembros
    invitaciones = console.get("/entidad/invitaciones/").content.decode()
    assert '<option value="comprador" selected>Usuario del Proveedor</option>' in invitaciones
    roles = console.get("/entidad/roles/").content.decode()
    assert "Administrador y Usuario del Proveedor son los roles propios de la plataforma" in roles
    SolicitudAcceso.objects.create(usuario=UserFactory(), entidad=proveedor)
    solicitudes = console.get("/entidad/solicitudes/").content.decode()
    assert '<option value="comprador" selected>Usuario del Proveedor</option>' in solicitudes

    api = {m["usuario"]: m for m in console.get("/api/v1/entidad/miembros").json()}
    assert (api["vendedor.papeleria"]["rol"], api["vendedor.papeleria"]["rol_label"]) == (
        "comprador",
        "Usuario del Proveedor",
    )
    assert api["admin.papeleria"]["rol_label"] == "Administrador"
    [registro] = own.get("/api/v1/me/registros").json()["membresias"]
    assert (registro["rol"], registro["rol_label"]) == ("comprador", "Usuario del Proveedor")
    acting = own.get("/api/v1/me/entidad-activa").json()
    assert acting["rol"] == "comprador" and acting["rol_label"] == "Usuario del Proveedor"
    assert acting["entidad"]["tipo_cuenta"] == "proveedor" and acting["entidad"]["actua_como_proveedor"] is True


def test_a_state_entity_keeps_comprador(entidad):
    comprador = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    assert comprador.get_rol_display() == "Comprador" and comprador.rol_titulo == "Usuario Comprador"
    html = logged_in(comprador.usuario).get("/entidad/").content.decode()
    assert "Usted es Usuario Comprador de esta Entidad." in html and "Usuario del Proveedor" not in html
    # An entity that also supplies is still a State entity: its buyers are Compradores.
    Entidad.objects.filter(pk=entidad.pk).update(es_proveedor=True)
    html = logged_in(comprador.usuario).get("/entidad/").content.decode()
    assert "Usted es Usuario Comprador de esta Entidad." in html
    assert logged_in(comprador.usuario).get("/api/v1/me/entidad-activa").json()["rol_label"] == "Comprador"


def test_the_e_mails_and_the_history_name_the_role_as_the_account_does(proveedor, admin, usuario, sent):
    mail.outbox.clear()
    sent(members.membresia_update, membresia=usuario, actor=admin.usuario, rol=Membresia.Rol.ADMINISTRADOR)
    sent(members.membresia_update, membresia=usuario, actor=admin.usuario, rol=Membresia.Rol.COMPRADOR)
    bodies = [m.body for m in mail.outbox]
    assert any("Ahora es Usuario Administrador." in b for b in bodies)
    assert any("Ahora es Usuario del Proveedor." in b for b in bodies)
    assert not any("Usuario Usuario" in b or "Comprador" in b for b in bodies)
    history = logged_in(admin.usuario).get("/entidad/historial/").content.decode()
    assert "Administrador → Usuario del Proveedor" in history and "Usuario del Proveedor → Administrador" in history
    assert "Comprador" not in history

    mail.outbox.clear()
    invitee = "nuevo.vendedor@papeleria.co"
    response = sent(logged_in(admin.usuario).post, "/entidad/invitaciones/", {"correo": invitee, "rol": "comprador"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert "como Usuario del Proveedor." in message.body and "Comprador" not in message.body
    listing = logged_in(admin.usuario).get("/entidad/invitaciones/").content.decode()
    assert "<td>Usuario del Proveedor</td>" in listing
    [inv] = logged_in(admin.usuario).get("/api/v1/entidad/invitaciones").json()
    assert (inv["rol"], inv["rol_label"]) == ("comprador", "Usuario del Proveedor")
    token = re.search(r"/invitaciones/([A-Za-z0-9_\-]{20,})/", message.body).group(1)
    page = Client().get(f"/invitaciones/{token}/").content.decode()
    assert f"Esta invitación es para {invitee}, como Usuario del Proveedor." in page
    # Accepted: whoever invited is told, with the same words.
    mail.outbox.clear()
    sent(logged_in(UserFactory(email=invitee)).post, f"/invitaciones/{token}/")
    [told] = mail.outbox
    assert "como Usuario del Proveedor (usuario" in told.body


def test_a_wrong_built_in_role_names_the_accounts_roles(proveedor, admin, usuario):
    response = logged_in(admin.usuario).patch(
        f"/api/v1/entidad/miembros/{usuario.pk}", {"rol": "jefe"}, content_type=JSON
    )
    assert response.status_code == 400
    assert response.json()["detail"]["fields"]["rol"] == ["Elija un rol válido: Administrador o Usuario del Proveedor."]


# --- Roles: only the permissions that apply to the account -----------------------------------------


def offered(client) -> set[str]:
    return set(re.findall(r'name="permisos" value="([a-z_]+)"', client.get("/entidad/roles/").content.decode()))


def test_role_forms_offer_what_applies_to_each_kind_of_account(proveedor, admin, entidad):
    supplier_side = {Permiso.EDITAR_PERFIL_COMERCIAL, Permiso.GESTIONAR_BIBLIOTECA, Permiso.RESPONDER_INVITACIONES}
    de_proveedor = offered(logged_in(admin.usuario))
    assert de_proveedor == set(catalogue.applicable(proveedor)) == set(Permiso.values) - catalogue.ENTITY_ONLY
    assert Permiso.GESTIONAR_UNIDADES in catalogue.ENTITY_ONLY
    entity_admin = Membresia.objects.get(entidad=entidad).usuario
    de_entidad = offered(logged_in(entity_admin))
    assert de_entidad == set(Permiso.values) - supplier_side
    # An entity whose supplier profile the desk enabled (R4.3) has both sides.
    Entidad.objects.filter(pk=entidad.pk).update(es_proveedor=True)
    assert offered(logged_in(entity_admin)) == set(Permiso.values)


def test_a_supplier_creates_a_role_with_the_supplier_permissions(proveedor, admin):
    client = logged_in(admin.usuario)
    created = client.post(
        "/api/v1/entidad/roles",
        {"nombre": "Comercial", "permisos": ["editar_perfil_comercial", "gestionar_biblioteca"]},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    assert created.json()["permisos"] == ["editar_perfil_comercial", "gestionar_biblioteca"]
    page = client.post("/entidad/roles/", {"nombre": "Respuestas", "permisos": ["responder_invitaciones"]})
    assert page.status_code == 302
    assert set(RolEntidad.objects.filter(entidad=proveedor).values_list("nombre", flat=True)) == {
        "Comercial",
        "Respuestas",
    }


@pytest.mark.parametrize(
    ("kind", "permiso", "tipo"),
    [
        ("proveedor", "gestionar_unidades", "Proveedor"),
        ("entidad_estatal", "editar_perfil_comercial", "Entidad Estatal"),
        ("entidad_estatal", "gestionar_biblioteca", "Entidad Estatal"),
    ],
)
def test_a_permission_that_does_not_apply_is_refused_with_a_clear_message(
    kind, permiso, tipo, proveedor, admin, entidad
):
    cuenta = proveedor if kind == "proveedor" else entidad
    client = logged_in(Membresia.objects.filter(entidad=cuenta, rol="administrador").first().usuario)
    label = Permiso(permiso).label
    expected = f"Estos permisos no aplican a una cuenta de tipo «{tipo}»: «{label}»."
    api = client.post(
        "/api/v1/entidad/roles", {"nombre": "Mixto", "permisos": ["ver_auditoria", permiso]}, content_type=JSON
    )
    assert api.status_code == 400 and api.json()["code"] == "validation_error"
    assert api.json()["detail"]["fields"]["permisos"] == [expected]
    # The web form does not offer it; sent anyway, it is refused beside the field, with what was typed kept.
    page = client.post("/entidad/roles/", {"nombre": "Mixto", "permisos": ["ver_auditoria", permiso]})
    assert page.status_code == 400
    html = page.content.decode()
    assert f"«{permiso}» no es un permiso que aplique a esta cuenta." in html and 'value="Mixto"' in html
    assert not RolEntidad.objects.filter(entidad=cuenta).exists()
    # Nor can a role be changed to hold it.
    rol = RolEntidad.objects.create(entidad=cuenta, nombre="Auditor", permisos=["ver_auditoria"])
    put = client.put(
        f"/api/v1/entidad/roles/{rol.pk}",
        {"nombre": "Auditor", "permisos": ["ver_auditoria", permiso]},
        content_type=JSON,
    )
    assert put.status_code == 400 and put.json()["detail"]["fields"]["permisos"] == [expected]
    edit = client.post(f"/entidad/roles/{rol.pk}/", {"nombre": "Auditor", "permisos": ["ver_auditoria", permiso]})
    assert edit.status_code == 400
    rol.refresh_from_db()
    assert rol.permisos == ["ver_auditoria"]
    assert not cuenta.eventos.filter(tipo__in=[EventoEntidad.Tipo.ROL_CREADO, EventoEntidad.Tipo.ROL_EDITADO]).exists()


def test_the_built_in_names_of_either_kind_are_not_role_names(proveedor, admin):
    client = logged_in(admin.usuario)
    for nombre in ("Usuario del Proveedor", "usuario del proveedor", "Comprador", "Administrador"):
        response = client.post(
            "/api/v1/entidad/roles", {"nombre": nombre, "permisos": ["ver_auditoria"]}, content_type=JSON
        )
        assert response.status_code == 400
        assert response.json()["detail"]["fields"]["nombre"] == [
            "Administrador y Usuario del Proveedor son los roles propios de la plataforma: use otro nombre."
        ]
    assert not RolEntidad.objects.exists()


def test_what_a_supplier_member_may_do_is_what_applies_to_the_account(proveedor, admin, usuario):
    acting = logged_in(admin.usuario).get("/api/v1/me/entidad-activa").json()
    assert acting["permisos"] == catalogue.applicable(proveedor)
    assert "gestionar_unidades" not in acting["permisos"] and "editar_perfil_comercial" in acting["permisos"]
    # A role that somehow holds a permission that does not apply gives nothing of it.
    rol = RolEntidad.objects.create(entidad=proveedor, nombre="Viejo", permisos=["gestionar_unidades", "ver_auditoria"])
    usuario.roles.add(rol)
    own = logged_in(usuario.usuario).get("/api/v1/me/entidad-activa").json()
    assert own["permisos"] == ["ver_auditoria"]
    # The administrator may still take it out of the role, or delete the role.
    fixed = logged_in(admin.usuario).put(
        f"/api/v1/entidad/roles/{rol.pk}", {"nombre": "Viejo", "permisos": ["ver_auditoria"]}, content_type=JSON
    )
    assert fixed.status_code == 200 and fixed.json()["permisos"] == ["ver_auditoria"]


def test_the_catalogue_says_where_each_permission_applies(proveedor, admin):
    listed = {p["value"]: p["ambito"] for p in logged_in(admin.usuario).get("/api/v1/permisos").json()}
    assert listed["gestionar_unidades"] == "entidad_estatal"
    assert listed["editar_perfil_comercial"] == listed["gestionar_biblioteca"] == "proveedor"
    assert listed["responder_invitaciones"] == "proveedor"
    assert listed["gestionar_miembros"] == listed["ver_auditoria"] == "todas"


# --- Purchasing units stay a State entity's ---------------------------------------------------------

UNITS_REFUSAL = (
    "Las unidades de contratación son de las Entidades Estatales: PAPELERIA LOS ANDES SAS es una cuenta de Proveedor"
)


def test_a_supplier_account_has_no_purchasing_units_on_the_pages(proveedor, admin, usuario, entidad):
    unidad_ajena = UnidadContratacion.objects.create(entidad=entidad, nombre="Compras")
    for membresia in (admin, usuario):
        client = logged_in(membresia.usuario)
        listing = client.get("/entidad/unidades/")
        assert listing.status_code == 403 and UNITS_REFUSAL in listing.content.decode()
        assert client.post("/entidad/unidades/", {"nombre": "Ventas"}).status_code == 403
        assert client.get(f"/entidad/unidades/{unidad_ajena.pk}/").status_code == 403
        assert client.post(f"/entidad/unidades/{unidad_ajena.pk}/eliminar/").status_code == 403
        desk = client.get("/entidad/").content.decode()
        assert 'href="/entidad/unidades/"' not in desk and "Unidades de contratación" not in desk
    assert not UnidadContratacion.objects.filter(entidad=proveedor).exists()
    assert UnidadContratacion.objects.filter(pk=unidad_ajena.pk).exists()
    # A State entity's console keeps them.
    entity_admin = Membresia.objects.get(entidad=entidad).usuario
    assert 'href="/entidad/unidades/"' in logged_in(entity_admin).get("/entidad/").content.decode()
    assert logged_in(entity_admin).get("/entidad/unidades/").status_code == 200


def test_a_supplier_account_has_no_purchasing_units_in_the_api(proveedor, admin):
    client = logged_in(admin.usuario)
    for method, url, body in (
        ("get", "/api/v1/entidad/unidades", None),
        ("post", "/api/v1/entidad/unidades", {"nombre": "Ventas"}),
        ("get", "/api/v1/entidad/unidades/1", None),
        ("put", "/api/v1/entidad/unidades/1", {"nombre": "Ventas"}),
        ("delete", "/api/v1/entidad/unidades/1", None),
    ):
        response = getattr(client, method)(url, *([body] if body else []), content_type=JSON)
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] == "permission_denied"
        assert response.json()["message"].startswith(UNITS_REFUSAL)
        assert response.json()["detail"] == {"rule": "R7.1", "tipo_cuenta": "proveedor"}
    assert not UnidadContratacion.objects.exists()


def test_the_units_service_refuses_a_supplier_account_too(proveedor, admin):
    from registro.core.errors import ApplicationError
    from registro.entities.console import units

    with pytest.raises(ApplicationError) as refused:
        units.unidad_create(entidad=proveedor, actor=admin.usuario, nombre="Ventas")
    assert refused.value.status_code == 403 and refused.value.message.startswith(UNITS_REFUSAL)
    assert not UnidadContratacion.objects.exists()


# --- The console's navigation for the supplier side -------------------------------------------------


def templates_of(response) -> set[str]:
    return {t.name for t in response.templates}


def test_the_supplier_navigation_block_is_rendered_only_for_accounts_that_supply(proveedor, admin, entidad):
    assert NAV_PROVEEDOR in templates_of(logged_in(admin.usuario).get("/entidad/"))
    entity_admin = Membresia.objects.get(entidad=entidad).usuario
    assert NAV_PROVEEDOR not in templates_of(logged_in(entity_admin).get("/entidad/"))
    Entidad.objects.filter(pk=entidad.pk).update(es_proveedor=True)
    assert NAV_PROVEEDOR in templates_of(logged_in(entity_admin).get("/entidad/"))


# --- The switcher between a State entity and a supplier account ------------------------------------


def test_one_user_acts_for_an_entity_and_for_a_supplier_in_turn(proveedor, entidad):
    user = UserFactory()
    en_entidad = MembresiaFactory(usuario=user, entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    en_proveedor = MembresiaFactory(usuario=user, entidad=proveedor, rol=Membresia.Rol.COMPRADOR)
    MembresiaFactory(entidad=proveedor)
    client = logged_in(user)
    html = client.get("/entidad/").content.decode()
    assert f'<option value="{entidad.pk}" selected>ALCALDIA DE CHIA</option>' in html
    assert f'<option value="{proveedor.pk}">PAPELERIA LOS ANDES SAS</option>' in html
    assert "Usted es Usuario Comprador de esta Entidad." in html and 'href="/entidad/unidades/"' in html
    client.post("/entidad/cambiar/", {"entidad": proveedor.pk})
    html = client.get("/entidad/").content.decode()
    assert "Escritorio: PAPELERIA LOS ANDES SAS" in html and "Usted es Usuario del Proveedor de esta cuenta." in html
    assert 'href="/entidad/unidades/"' not in html
    assert client.get("/api/v1/entidad/unidades").status_code == 403
    assert client.get("/api/v1/entidad/unidades", HTTP_X_ENTIDAD=str(entidad.pk)).status_code == 200
    en_proveedor.refresh_from_db()
    en_entidad.refresh_from_db()
    assert en_proveedor.seleccionada_at is not None and en_entidad.seleccionada_at is None
