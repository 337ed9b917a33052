"""An account the Mesa de Servicio suspended (ADR 0013): its users cannot act for it, on the pages or
in the API, and are told why; the header's switcher does not offer it; its desktop says it is
suspended and why; it takes no access requests and its invitations cannot be accepted. Reactivated,
everything works again."""

import pytest
from django.test import Client

from registro.entities.account.models import Entidad
from registro.entities.membership import invitations
from registro.entities.membership.models import Membresia, SolicitudAcceso
from registro.servicedesk import services
from tests.factories import (
    ACCOUNT_KINDS,
    DeskUserFactory,
    EntidadFactory,
    MembresiaFactory,
    UserFactory,
    account_factory,
)

pytestmark = pytest.mark.django_db

MOTIVO = "Documentos adulterados en el proceso CO1.PCCNTR.123."
JSON = "application/json"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk_member(db):
    return DeskUserFactory(username="mesa.suspende")


@pytest.fixture(params=ACCOUNT_KINDS)
def suspendida(request, desk_member):
    """An account of each kind, suspended by the desk, with its Administrador and a plain member."""
    entidad = account_factory(request.param, nombre="CUENTA SUSPENDIDA DE PRUEBA")
    admin = MembresiaFactory(entidad=entidad)
    member = MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR)
    services.cuenta_suspend(entidad=entidad, staff=desk_member, motivo=MOTIVO)
    entidad.refresh_from_db()
    return entidad, admin, member


CONSOLE_PAGES = [
    "/entidad/usuarios/",
    "/entidad/invitaciones/",
    "/entidad/solicitudes/",
    "/entidad/roles/",
    "/entidad/historial/",
    "/entidad/unidades/",
]


def test_the_desktop_says_the_account_is_suspended_and_why(suspendida):
    entidad, admin, member = suspendida
    for membresia in (admin, member):
        page = logged_in(membresia.usuario).get("/entidad/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "La cuenta está suspendida" in html and f"Motivo: {MOTIVO}" in html
        assert "Suspendida el" in html
        # Nothing to act on: no console tabs but the desktop, no "leave", no supplier-profile request.
        for url in CONSOLE_PAGES:
            assert f'href="{url}"' not in html, url
        assert "Salir de la Entidad" not in html and "Pedir el perfil de Proveedor" not in html
    # Its own address leads to the registration page, which says so too.
    followed = logged_in(admin.usuario).get(f"/entidades/{entidad.pk}/", follow=True).content.decode()
    assert "La cuenta está suspendida" in followed and MOTIVO in followed


@pytest.mark.parametrize("url", CONSOLE_PAGES)
def test_every_other_console_page_leads_to_the_desktop_with_the_reason(suspendida, url):
    entidad, admin, _member = suspendida
    client = logged_in(admin.usuario)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/entidad/"
    followed = client.get(url, follow=True).content.decode()
    assert f"La cuenta de {entidad.nombre} está suspendida por la Mesa de Servicio" in followed
    assert MOTIVO in followed


def test_no_change_can_be_made_for_a_suspended_account(suspendida):
    entidad, admin, member = suspendida
    client = logged_in(admin.usuario)
    before = list(Membresia.objects.filter(entidad=entidad).values_list("pk", "rol", "activa"))
    for action in ("suspender", "roles", "retirar"):
        response = client.post(f"/entidad/usuarios/{member.pk}/{action}/", {"rol": "administrador"})
        assert response.status_code == 302 and response["Location"] == "/entidad/"
    assert client.post("/entidad/roles/", {"nombre": "Nuevo", "permisos": ["ver_auditoria"]}).status_code == 302
    assert client.post("/entidad/invitaciones/", {"correo": "x@y.co", "rol": "comprador"}).status_code == 302
    assert list(Membresia.objects.filter(entidad=entidad).values_list("pk", "rol", "activa")) == before
    assert not entidad.roles.exists() and not entidad.invitaciones.exists()


def test_the_api_refuses_with_account_suspended_and_the_reason(suspendida):
    entidad, admin, _member = suspendida
    client = logged_in(admin.usuario)
    for method, url in (
        ("get", "/api/v1/entidad/miembros"),
        ("get", "/api/v1/entidad/historial"),
        ("get", "/api/v1/entidad/roles"),
        ("post", "/api/v1/entidad/invitaciones"),
    ):
        response = getattr(client, method)(
            url, *([{"correo": "x@y.co"}] if method == "post" else []), content_type=JSON
        )
        assert response.status_code == 409, (url, response.json())
        body = response.json()
        assert body["code"] == "account_suspended"
        assert body["message"].startswith(f"La cuenta de {entidad.nombre} está suspendida por la Mesa de Servicio")
        assert body["message"].endswith(f"Motivo: {MOTIVO}")
        assert body["detail"]["estado"] == "suspendida" and body["detail"]["motivo"] == MOTIVO
        assert body["detail"]["suspendida_at"]
    # Naming it in X-Entidad is the same refusal; what the user acts for can still be read.
    named = client.get("/api/v1/entidad/miembros", HTTP_X_ENTIDAD=str(entidad.pk))
    assert named.status_code == 409 and named.json()["code"] == "account_suspended"
    current = client.get("/api/v1/me/entidad-activa").json()
    assert current["entidad"]["id"] == entidad.pk and current["entidad"]["estado"] == "suspendida"
    assert not entidad.invitaciones.exists()


@pytest.fixture
def two_accounts(suspendida):
    """The suspended account's Administrador also belongs to an active entity."""
    entidad, admin, _member = suspendida
    otra = MembresiaFactory(
        usuario=admin.usuario, entidad=EntidadFactory(nombre="ALCALDIA ACTIVA", estado=Entidad.Estado.ACTIVA)
    )
    return entidad, admin, otra


def test_the_switcher_does_not_offer_a_suspended_account(two_accounts):
    entidad, admin, otra = two_accounts
    client = logged_in(admin.usuario)
    client.post("/entidad/cambiar/", {"entidad": otra.entidad_id})
    html = client.get("/entidad/").content.decode()
    assert f'<option value="{otra.entidad_id}" selected>ALCALDIA ACTIVA</option>' in html
    assert f'<option value="{entidad.pk}" disabled>{entidad.nombre} (cuenta suspendida)</option>' in html
    # Choosing it anyway (a crafted form, the API) is refused with the reason; nothing changes.
    otra.refresh_from_db()
    chosen_at = otra.seleccionada_at
    refused = client.post("/entidad/cambiar/", {"entidad": entidad.pk}, follow=True)
    assert refused.redirect_chain == [("/entidad/", 302)]
    assert "está suspendida por la Mesa de Servicio" in refused.content.decode()
    assert "Escritorio: ALCALDIA ACTIVA" in refused.content.decode()
    api = client.put("/api/v1/me/entidad-activa", {"entidad_id": entidad.pk}, content_type=JSON)
    assert api.status_code == 409 and api.json()["code"] == "account_suspended"
    otra.refresh_from_db()
    assert otra.seleccionada_at == chosen_at
    assert not Membresia.objects.get(usuario=admin.usuario, entidad=entidad).seleccionada_at
    # The other account is unaffected.
    assert client.get("/api/v1/entidad/miembros").status_code == 200


def test_a_suspended_account_takes_no_access_requests_nor_accepts_invitations(suspendida, desk_member):
    entidad, admin, _member = suspendida
    requester = UserFactory()
    page = logged_in(requester).post(f"/entidades/{entidad.pk}/solicitar/", {"mensaje": "Hola"})
    assert page.status_code == 400
    assert (
        "La cuenta está suspendida por la Mesa de Servicio: no recibe solicitudes de acceso." in page.content.decode()
    )
    api = logged_in(requester).post(f"/api/v1/entidades/{entidad.pk}/solicitudes", {}, content_type=JSON)
    assert api.status_code == 409
    assert not SolicitudAcceso.objects.filter(entidad=entidad).exists()
    # An invitation sent before the suspension waits: it cannot be accepted meanwhile.
    entidad = services.cuenta_reactivate(entidad=entidad, staff=desk_member, motivo="Revisión")
    invitee = UserFactory(email="invitada@proveedor.co")
    inv = invitations.invitacion_create(entidad=entidad, actor=admin.usuario, correo=invitee.email)
    services.cuenta_suspend(entidad=entidad, staff=desk_member, motivo=MOTIVO)
    refused = logged_in(invitee).post(f"/api/v1/invitaciones/{inv.pk}/aceptar")
    assert refused.status_code == 409 and "suspendida" in refused.json()["message"]
    assert not Membresia.objects.filter(usuario=invitee).exists()


def test_once_reactivated_its_users_act_for_it_again(suspendida, desk_member):
    entidad, admin, _member = suspendida
    services.cuenta_reactivate(entidad=entidad, staff=desk_member, motivo="Aclaró la situación.")
    client = logged_in(admin.usuario)
    assert client.get("/entidad/usuarios/").status_code == 200
    assert client.get("/api/v1/entidad/miembros").status_code == 200
    html = client.get("/entidad/").content.decode()
    assert "La cuenta está suspendida" not in html and 'href="/entidad/usuarios/"' in html
    historial = client.get("/entidad/historial/").content.decode()
    assert "Cuenta suspendida" in historial and "Cuenta reactivada" in historial and MOTIVO in historial
