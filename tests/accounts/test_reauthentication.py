"""Sensitive actions ask for a recent proof of identity (allauth's reauthentication, ADR 0018): the
desk's activating, rejecting, suspending and reactivating accounts and appointing an administrator
from a case; naming or removing an Administrador and changing roles in the console; changing the
e-mail. Without one, the page sends the user to confirm their password and then finishes the very
POST; the API answers 401 `reauthentication_required` and the client reauthenticates through
allauth's headless API. A sign-in within the window counts; password and username changes ask for
the current password on the form itself."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from registro.accounts.models import AccessEvent
from registro.accounts.reauthentication import PROOFS, Proof, SensitiveAction
from registro.entities.account.models import Entidad
from registro.entities.membership import access
from registro.entities.membership.models import Invitacion, Membresia
from registro.servicedesk import services
from registro.servicedesk.models import Caso
from tests.factories import PASSWORD, DeskUserFactory, EntidadFactory, MembresiaFactory, UserFactory, totp_code
from tests.proofs import expire_proofs, mark_signed_in
from tests.servicedesk.conftest import case_data

pytestmark = pytest.mark.django_db

REAUTH = "/cuentas/reauthenticate/"
JSON = "application/json"


def stale(user) -> Client:
    """A client logged in longer ago than the window."""
    client = Client()
    client.force_login(user)
    expire_proofs(client)
    return client


@pytest.fixture
def w(db):
    desk = DeskUserFactory(username="mesa.sensible")
    activa = EntidadFactory(estado=Entidad.Estado.ACTIVA)
    admin = MembresiaFactory(entidad=activa, usuario__username="admin.sensible").usuario
    otro_admin = MembresiaFactory(entidad=activa, usuario__username="otro.admin")
    comprador = MembresiaFactory(entidad=activa, rol=Membresia.Rol.COMPRADOR, usuario__username="comprador.x")
    suspendida = EntidadFactory(estado=Entidad.Estado.SUSPENDIDA)
    MembresiaFactory(entidad=suspendida)
    pendiente = EntidadFactory(estado=Entidad.Estado.PENDIENTE)
    solicitante = MembresiaFactory(entidad=pendiente).usuario
    caso = services.caso_create(user=solicitante, data=case_data(solicitante, pendiente), entidad=pendiente)
    services.caso_take(caso=caso, staff=desk)
    solicitud = access.solicitud_create(user=UserFactory(username="quiere.entrar"), entidad=activa)
    return type(
        "World",
        (),
        dict(
            desk=desk,
            activa=activa,
            admin=admin,
            otro_admin=otro_admin,
            comprador=comprador,
            suspendida=suspendida,
            pendiente=pendiente,
            caso=caso,
            solicitud=solicitud,
        ),
    )


def _state(w):
    """Everything the sensitive actions below would change."""
    w.caso.refresh_from_db()
    return (
        w.caso.estado,
        Entidad.objects.get(pk=w.pendiente.pk).estado,
        Entidad.objects.get(pk=w.activa.pk).estado,
        Entidad.objects.get(pk=w.suspendida.pk).estado,
        sorted(Membresia.objects.filter(entidad=w.activa).values_list("usuario__username", "rol", "activa")),
        Invitacion.objects.count(),
        sorted(EmailAddress.objects.values_list("email", flat=True)),
    )


# (kind, actor, web path, web data, API method, API path, API body)
ACTIONS = [
    ("activar", "desk", lambda w: f"/mesa/casos/{w.caso.numero}/activar/", {}, "post",
     lambda w: f"/api/v1/mesa/casos/{w.caso.numero}/acciones/activar", {}),
    ("rechazar", "desk", lambda w: f"/mesa/casos/{w.caso.numero}/rechazar/", {"motivo": "No."}, "post",
     lambda w: f"/api/v1/mesa/casos/{w.caso.numero}/acciones/rechazar", {"motivo": "No."}),
    ("suspender", "desk", lambda w: f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "Fraude."}, "post",
     lambda w: f"/api/v1/mesa/cuentas/{w.activa.pk}/suspender", {"motivo": "Fraude."}),
    ("reactivar", "desk", lambda w: f"/mesa/cuentas/{w.suspendida.pk}/reactivar/", {"motivo": "Aclarado."}, "post",
     lambda w: f"/api/v1/mesa/cuentas/{w.suspendida.pk}/reactivar", {"motivo": "Aclarado."}),
    ("designar", "desk", lambda w: f"/mesa/casos/{w.caso.numero}/designar-administrador/",
     {"usuario": "comprador.x", "motivo": "x"}, "post",
     lambda w: f"/api/v1/mesa/casos/{w.caso.numero}/designar-administrador", {"usuario": "comprador.x", "motivo": "x"}),
    ("roles", "admin", lambda w: f"/entidad/usuarios/{w.comprador.pk}/roles/", {"rol": "comprador"}, "patch",
     lambda w: f"/api/v1/entidad/miembros/{w.comprador.pk}", {"rol": "comprador", "roles": []}),
    ("nombrar", "admin", lambda w: f"/entidad/usuarios/{w.comprador.pk}/roles/", {"rol": "administrador"}, "patch",
     lambda w: f"/api/v1/entidad/miembros/{w.comprador.pk}", {"rol": "administrador"}),
    ("retirar", "admin", lambda w: f"/entidad/usuarios/{w.otro_admin.pk}/retirar/", {}, "delete",
     lambda w: f"/api/v1/entidad/miembros/{w.otro_admin.pk}", None),
    ("suspender_admin", "admin", lambda w: f"/entidad/usuarios/{w.otro_admin.pk}/suspender/", {}, "post",
     lambda w: f"/api/v1/entidad/miembros/{w.otro_admin.pk}/suspender", {}),
    ("aprobar_admin", "admin", lambda w: f"/entidad/solicitudes/{w.solicitud.pk}/aprobar/", {"rol": "administrador"},
     "post", lambda w: f"/api/v1/entidad/solicitudes/{w.solicitud.pk}/aprobar", {"rol": "administrador"}),
    ("invitar_admin", "admin", lambda w: "/entidad/invitaciones/",
     {"correo": "nuevo@entidad.gov.co", "rol": "administrador", "mensaje": ""}, "post",
     lambda w: "/api/v1/entidad/invitaciones", {"correo": "nuevo@entidad.gov.co", "rol": "administrador"}),
]  # fmt: skip
IDS = [action[0] for action in ACTIONS]


@pytest.mark.parametrize(("kind", "actor", "path", "data", "_m", "_p", "_b"), ACTIONS, ids=IDS)
def test_the_page_asks_to_confirm_identity_and_changes_nothing(w, kind, actor, path, data, _m, _p, _b):
    client = stale(w.desk if actor == "desk" else w.admin)
    before = _state(w)
    response = client.post(path(w), data)
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith(f"{REAUTH}?next=")
    assert _state(w) == before
    page = client.get(response["Location"]).content.decode()
    assert "Confirme su identidad" in page and "es una acción sensible" in page


@pytest.mark.parametrize(("kind", "actor", "_path", "_data", "method", "path", "body"), ACTIONS, ids=IDS)
def test_the_api_answers_401_reauthentication_required(w, kind, actor, _path, _data, method, path, body):
    client = stale(w.desk if actor == "desk" else w.admin)
    before = _state(w)
    kwargs = {"content_type": JSON, "data": body} if body is not None else {}
    response = getattr(client, method)(path(w), **kwargs)
    assert response.status_code == 401, response.content
    answer = response.json()
    assert answer["code"] == "reauthentication_required"
    # The password always; the second factor too for whoever has one (the desk does).
    assert answer["detail"]["flows"][0] == "reauthenticate"
    assert set(answer["detail"]["flows"]) <= {"reauthenticate", "mfa_reauthenticate"}
    assert answer["detail"]["reauthenticate"]["app"] == "/api/v1/auth/app/v1/auth/reauthenticate"
    assert answer["detail"]["action"] in SensitiveAction.values
    assert _state(w) == before


def test_modifying_or_deleting_a_role_asks_too(w):
    from registro.entities.membership.models import RolEntidad

    rol = RolEntidad.objects.create(entidad=w.activa, nombre="Revisor", permisos=[])
    client = stale(w.admin)
    edit = client.post(
        f"/entidad/roles/{rol.pk}/", {"nombre": "Otro", "descripcion": "", "permisos": ["ver_auditoria"]}
    )
    assert edit["Location"].startswith(REAUTH)
    assert client.post(f"/entidad/roles/{rol.pk}/eliminar/")["Location"].startswith(REAUTH)
    api = client.put(
        f"/api/v1/entidad/roles/{rol.pk}", {"nombre": "Otro", "permisos": ["ver_auditoria"]}, content_type=JSON
    )
    assert api.status_code == 401 and api.json()["code"] == "reauthentication_required"
    assert client.delete(f"/api/v1/entidad/roles/{rol.pk}").status_code == 401
    assert RolEntidad.objects.get(pk=rol.pk).nombre == "Revisor"


def test_a_sign_in_within_the_window_is_proof_enough(w, settings):
    client = Client()
    client.force_login(w.desk)  # signed in just now (tests/conftest.py)
    response = client.post(f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "Fraude."})
    assert response["Location"] == f"/mesa/cuentas/{w.activa.pk}/"
    assert Entidad.objects.get(pk=w.activa.pk).estado == Entidad.Estado.SUSPENDIDA


def test_the_window_is_configurable(w, settings):
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 30
    client = Client()
    client.force_login(w.desk)
    expire_proofs(client)  # 31 s ago
    assert client.post(f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "x"})["Location"].startswith(REAUTH)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
    response = client.post(f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "x"})
    assert response["Location"] == f"/mesa/cuentas/{w.activa.pk}/"


def test_actions_that_are_not_sensitive_do_not_ask(w):
    client = stale(w.desk)
    response = client.post(f"/mesa/casos/{w.caso.numero}/tomar/")
    assert not response["Location"].startswith(REAUTH)
    admin = stale(w.admin)
    comprador = MembresiaFactory(entidad=w.activa, rol=Membresia.Rol.COMPRADOR)
    response = admin.post(f"/entidad/usuarios/{comprador.pk}/suspender/")
    assert response["Location"] == "/entidad/usuarios/"
    assert not Membresia.objects.get(pk=comprador.pk).activa


def test_after_confirming_the_password_the_page_finishes_the_action(w):
    client = stale(w.desk)
    prompt = client.post(f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "Documentos falsos."})
    wrong = client.post(prompt["Location"], {"password": "no-es-esta"})
    assert wrong.status_code == 200 and "incorrecta" in wrong.content.decode().lower()
    assert Entidad.objects.get(pk=w.activa.pk).estado == Entidad.Estado.ACTIVA
    done = client.post(prompt["Location"], {"password": PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == f"/mesa/cuentas/{w.activa.pk}/"
    assert "quedó «Suspendida»" in done.content.decode()
    entidad = Entidad.objects.get(pk=w.activa.pk)
    assert entidad.estado == Entidad.Estado.SUSPENDIDA
    assert entidad.eventos.filter(motivo="Documentos falsos.").exists()
    event = AccessEvent.objects.get(user=w.desk, kind=AccessEvent.Kind.REAUTHENTICATED)
    assert event.detail == {"method": "password"}
    # Within the window the next sensitive action goes straight through.
    response = client.post(f"/mesa/cuentas/{w.suspendida.pk}/reactivar/", {"motivo": "Aclarado."})
    assert response["Location"] == f"/mesa/cuentas/{w.suspendida.pk}/"


def test_after_confirming_the_console_finishes_naming_an_administrator(w):
    client = stale(w.admin)
    prompt = client.post(f"/entidad/usuarios/{w.comprador.pk}/roles/", {"rol": "administrador"})
    client.post(prompt["Location"], {"password": PASSWORD})
    assert Membresia.objects.get(pk=w.comprador.pk).rol == Membresia.Rol.ADMINISTRADOR


def _expire_token(token: str) -> None:
    session = SessionStore(session_key=token)
    from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY

    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**r, "at": r["at"] - 10_000} for r in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()


def test_the_api_client_reauthenticates_through_allauth_and_repeats(w):
    client = Client()
    login = client.post(
        "/api/v1/auth/app/v1/auth/login", {"username": w.desk.username, "password": PASSWORD}, content_type=JSON
    )
    token = login.json()["meta"]["session_token"]
    headers = {"X-Session-Token": token}
    # The desk has a second factor (ADR 0017): the login's second step.
    step = client.post(
        "/api/v1/auth/app/v1/auth/2fa/authenticate", {"code": totp_code()}, content_type=JSON, headers=headers
    )
    assert step.status_code == 200, step.content
    token = step.json()["meta"]["session_token"]  # the signed-in session's
    headers = {"X-Session-Token": token}
    suspend = f"/api/v1/mesa/cuentas/{w.activa.pk}/suspender"
    # Just signed in: no prompt yet. Later, a prompt.
    _expire_token(token)
    refused = client.post(suspend, {"motivo": "Fraude."}, content_type=JSON, headers=headers)
    assert refused.status_code == 401 and refused.json()["code"] == "reauthentication_required"
    bad = client.post(
        "/api/v1/auth/app/v1/auth/reauthenticate", {"password": "otra"}, content_type=JSON, headers=headers
    )
    assert bad.status_code == 400
    ok = client.post(
        "/api/v1/auth/app/v1/auth/reauthenticate", {"password": PASSWORD}, content_type=JSON, headers=headers
    )
    assert ok.status_code == 200, ok.content
    done = client.post(suspend, {"motivo": "Fraude."}, content_type=JSON, headers=headers)
    assert done.status_code == 200 and done.json()["estado"] == Entidad.Estado.SUSPENDIDA
    assert AccessEvent.objects.filter(user=w.desk, kind=AccessEvent.Kind.REAUTHENTICATED).count() == 1


def test_the_email_change_asks_through_allauth_on_the_page_and_in_the_api(w):
    client = stale(w.comprador.usuario)
    prompt = client.post("/cuentas/email/", {"email": "nuevo.correo@entidad.gov.co", "action_add": ""})
    assert prompt.status_code == 302 and prompt["Location"].startswith(f"{REAUTH}?next=")
    assert not EmailAddress.objects.filter(email="nuevo.correo@entidad.gov.co").exists()
    client.post(prompt["Location"], {"password": PASSWORD})
    assert EmailAddress.objects.filter(email="nuevo.correo@entidad.gov.co", verified=False).exists()

    api = Client()
    login = api.post(
        "/api/v1/auth/app/v1/auth/login",
        {"username": w.admin.username, "password": PASSWORD},
        content_type=JSON,
    )
    token = login.json()["meta"]["session_token"]
    _expire_token(token)
    response = api.post(
        "/api/v1/auth/app/v1/account/email",
        {"email": "otro.correo@entidad.gov.co"},
        content_type=JSON,
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 401
    assert {"id": "reauthenticate"} in response.json()["data"]["flows"]


def test_password_and_username_changes_take_the_current_password_as_the_proof(w):
    assert PROOFS[SensitiveAction.CONTRASENA_CAMBIAR] == PROOFS[SensitiveAction.USUARIO_CAMBIAR]
    assert PROOFS[SensitiveAction.USUARIO_CAMBIAR] == Proof.CURRENT_PASSWORD
    client = stale(w.comprador.usuario)
    renamed = client.post("/usuario/accesos/", {"new_username": "comprador.nuevo", "current_password": PASSWORD})
    assert renamed["Location"] == "/usuario/accesos/"
    changed = client.post(
        "/cuentas/password/change/",
        {"oldpassword": PASSWORD, "password1": "Otra#Clave2027", "password2": "Otra#Clave2027"},
    )
    assert changed.status_code == 302 and not changed["Location"].startswith(REAUTH)


def test_a_refusal_is_never_a_prompt(w):
    """The permission checks come first: someone who may not act is refused, not prompted."""
    outsider = stale(UserFactory())
    assert outsider.post(f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "x"}).status_code == 404
    api = outsider.post(f"/api/v1/mesa/cuentas/{w.activa.pk}/suspender", {"motivo": "x"}, content_type=JSON)
    assert api.status_code == 404
    assert Caso.objects.get(pk=w.caso.pk).estado == Caso.Estado.EN_REVISION


def test_the_recorded_sign_in_must_be_the_users(w):
    client = stale(w.desk)
    mark_signed_in(client, w.admin)  # another user's record does not count
    assert client.post(f"/mesa/cuentas/{w.activa.pk}/suspender/", {"motivo": "x"})["Location"].startswith(REAUTH)
