"""The Mesa de Servicio's "Cuentas" (issue 10 §5): a searchable list of every account of either kind,
each account's page (data, kind, members, history), and "Suspender cuenta" / "Reactivar cuenta",
always with a reason, on the pages and in the API (/api/v1/mesa/cuentas...)."""

import re

import pytest
from django.core import mail

from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership.models import Membresia
from registro.notifications.models import OutboundEmail
from registro.servicedesk import services
from tests.factories import (
    ACCOUNT_KINDS,
    DeskUserFactory,
    EntidadFactory,
    MembresiaFactory,
    ProveedorFactory,
    UserFactory,
    account_factory,
)
from tests.servicedesk.conftest import logged_in

pytestmark = pytest.mark.django_db

JSON = "application/json"
MOTIVO = "Reportó documentos adulterados en un proceso."


@pytest.fixture
def desk(db):
    return logged_in(DeskUserFactory(username="mesa.cuentas", email="mesa.cuentas@cce.gov.co"))


@pytest.fixture(params=ACCOUNT_KINDS)
def cuenta(request):
    """An active account of each kind with two Administradores and a plain member."""
    entidad = account_factory(
        request.param, nombre="CUENTA DE PRUEBA SUSPENSION", correo_notificaciones="avisos@cuenta.co"
    )
    admin = MembresiaFactory(entidad=entidad, usuario__email="admin@cuenta.co")
    MembresiaFactory(entidad=entidad, usuario__email="admin2@cuenta.co")
    MembresiaFactory(entidad=entidad, rol=Membresia.Rol.COMPRADOR, usuario__email="usuario@cuenta.co")
    return entidad, admin


def events(entidad, *tipos):
    return list(entidad.eventos.filter(tipo__in=tipos).values_list("tipo", "motivo", "estado_anterior", "estado_nuevo"))


def nothing_changed(entidad, estado):
    entidad.refresh_from_db()
    assert entidad.estado == estado
    assert not events(entidad, EventoEntidad.Tipo.SUSPENDIDA, EventoEntidad.Tipo.REACTIVADA)
    assert not OutboundEmail.objects.exists() and not mail.outbox


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_searches_by_name_or_nit_and_filters_by_kind_and_state(desk):
    tunja = EntidadFactory(nombre="ALCALDÍA DE TUNJA", nit="891800846", estado=Entidad.Estado.ACTIVA)
    hospital = EntidadFactory(nombre="HOSPITAL DE TUNJA", nit="900111222", estado=Entidad.Estado.PENDIENTE)
    papeleria = ProveedorFactory(nombre="PAPELERIA TUNJA SAS", nit="901222333")
    otra = ProveedorFactory(nombre="CONSTRUCTORA ANDINA SAS", nit="901444555", estado=Entidad.Estado.SUSPENDIDA)

    def names(**params):
        page = desk.get("/mesa/cuentas/", params)
        assert page.status_code == 200
        return re.findall(r'<a href="/mesa/cuentas/\d+/">(.*?)</a>', page.content.decode())

    assert names() == [tunja.nombre, otra.nombre, hospital.nombre, papeleria.nombre]
    assert names(q="tunja") == [tunja.nombre, hospital.nombre, papeleria.nombre]  # accents and case ignored
    assert names(q="alcaldia tunja") == [tunja.nombre]
    assert names(q="891.800.846-1") == [tunja.nombre]  # NIT with dots and check digit
    assert names(q="9012") == [papeleria.nombre]
    assert names(q="tunja", tipo="proveedor") == [papeleria.nombre]
    assert names(tipo="entidad_estatal", estado="pendiente") == [hospital.nombre]
    assert names(estado="suspendida") == [otra.nombre]
    assert names(q="no existe ninguna") == []
    html = desk.get("/mesa/cuentas/", {"q": "tunja"}).content.decode()
    assert "Proveedor" in html and "Entidad Estatal" in html and "Pendiente de activación" in html
    assert 'aria-current="page">Cuentas</a>' in html
    # An unknown filter value is ignored, not an error.
    assert desk.get("/mesa/cuentas/", {"tipo": "otro", "estado": "x"}).status_code == 200


def test_the_list_pages_keep_the_search(desk):
    for i in range(51):
        ProveedorFactory(nombre=f"PROVEEDOR PAGINADO {i:02d} SAS")
    html = desk.get("/mesa/cuentas/", {"q": "paginado", "tipo": "proveedor"}).content.decode()
    assert "Página 1 de 2" in html
    assert 'href="?q=paginado&amp;tipo=proveedor&amp;pagina=2"' in html
    second = desk.get("/mesa/cuentas/", {"q": "paginado", "tipo": "proveedor", "pagina": 2}).content.decode()
    assert "PROVEEDOR PAGINADO 50 SAS" in second and "PROVEEDOR PAGINADO 00 SAS" not in second


def test_the_desks_navigation_leads_to_the_accounts(desk):
    for url in ("/mesa/", "/mesa/tablero/"):
        html = desk.get(url).content.decode()
        assert 'href="/mesa/cuentas/"' in html and 'href="/mesa/tablero/"' in html and 'href="/mesa/"' in html


def test_the_desk_pages_and_operations_are_not_found_for_anyone_else(cuenta):
    entidad, admin = cuenta
    client = logged_in(admin.usuario)
    for url in ("/mesa/cuentas/", f"/mesa/cuentas/{entidad.pk}/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/mesa/cuentas/{entidad.pk}/suspender/", {"motivo": MOTIVO}).status_code == 404
    assert client.get("/api/v1/mesa/cuentas").status_code == 404
    refused = client.post(f"/api/v1/mesa/cuentas/{entidad.pk}/suspender", {"motivo": MOTIVO}, content_type=JSON)
    assert refused.status_code == 404
    nothing_changed(entidad, Entidad.Estado.ACTIVA)


# --- The account's page -----------------------------------------------------------------------------


def test_the_account_page_shows_its_data_kind_members_and_history(desk, cuenta):
    entidad, admin = cuenta
    page = desk.get(f"/mesa/cuentas/{entidad.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<h1>{entidad.nombre}</h1>" in html and entidad.nit_con_dv in html and entidad.tipo_label in html
    assert "avisos@cuenta.co" in html and admin.usuario.username in html
    non_admin = "Comprador" if entidad.es_entidad_estatal else "Usuario del Proveedor"
    assert f"<td>{non_admin}</td>" in html and "<td>Administrador</td>" in html
    assert "Historial de la cuenta" in html
    assert f'action="/mesa/cuentas/{entidad.pk}/suspender/"' in html and "Reactivar cuenta" not in html
    assert '<label for="id_motivo">Motivo de la suspensión' in html
    assert desk.get("/mesa/cuentas/999999/").status_code == 404
    assert desk.post(f"/mesa/cuentas/{entidad.pk}/borrar/", {"motivo": MOTIVO}).status_code == 404


def test_a_pending_account_offers_neither_action(desk):
    pendiente = EntidadFactory(nombre="PERSONERIA DE PAIPA")
    html = desk.get(f"/mesa/cuentas/{pendiente.pk}/").content.decode()
    assert "Solo una cuenta activa se puede suspender" in html and 'name="motivo"' not in html


# --- Suspending and reactivating on the pages -----------------------------------------------------------


def test_suspending_and_reactivating_on_the_pages(desk, cuenta, sent):
    entidad, admin = cuenta
    response = sent(desk.post, f"/mesa/cuentas/{entidad.pk}/suspender/", {"motivo": f"  {MOTIVO} "})
    assert response.status_code == 302 and response["Location"] == f"/mesa/cuentas/{entidad.pk}/"
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.SUSPENDIDA
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.SUSPENDIDA)
    assert (evento.motivo, evento.estado_anterior, evento.estado_nuevo) == (MOTIVO, "activa", "suspendida")
    assert evento.actor.username == "mesa.cuentas"
    # The notification address and the active Administradores; not the plain member.
    [message] = mail.outbox
    assert sorted(message.to) == ["admin2@cuenta.co", "admin@cuenta.co", "avisos@cuenta.co"]
    assert message.subject == f"[Registro SECOP] La cuenta de {entidad.nombre} fue suspendida"
    assert "La Mesa de Servicio suspendió la cuenta" in message.body and f"Motivo: {MOTIVO}" in message.body
    html = desk.get(f"/mesa/cuentas/{entidad.pk}/").content.decode()
    assert "La cuenta quedó «Suspendida»" in html and "Cuenta suspendida" in html and MOTIVO in html
    assert "Reactivar cuenta" in html and "Cuenta suspendida</td>" in html  # the history's row
    assert '<label for="id_motivo">Motivo de la reactivación' in html

    mail.outbox.clear()
    response = sent(desk.post, f"/mesa/cuentas/{entidad.pk}/reactivar/", {"motivo": "Aclaró la situación."})
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.ACTIVA
    assert events(entidad, EventoEntidad.Tipo.REACTIVADA) == [
        (EventoEntidad.Tipo.REACTIVADA, "Aclaró la situación.", "suspendida", "activa")
    ]
    [message] = mail.outbox
    assert sorted(message.to) == ["admin2@cuenta.co", "admin@cuenta.co", "avisos@cuenta.co"]
    assert message.subject == f"[Registro SECOP] La cuenta de {entidad.nombre} está activa de nuevo"
    assert "Aclaró la situación." in message.body and "<strong>Motivo:</strong>" in message.alternatives[0][0]
    assert "La cuenta quedó «Activa» de nuevo" in desk.get(f"/mesa/cuentas/{entidad.pk}/").content.decode()


@pytest.mark.parametrize("motivo", ["", "   "])
def test_without_a_reason_nothing_changes_and_the_page_says_why(desk, cuenta, motivo, sent):
    entidad, _admin = cuenta
    response = sent(desk.post, f"/mesa/cuentas/{entidad.pk}/suspender/", {"motivo": motivo})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="resumen-errores"' in html and 'href="#id_motivo"' in html
    assert html.count("Escriba el motivo de la suspensión.") == 2  # the summary and beside the field
    assert 'aria-describedby="id_motivo-error"' in html or 'id="id_motivo-error"' in html
    nothing_changed(entidad, Entidad.Estado.ACTIVA)
    # The same for reactivating.
    services.cuenta_suspend(entidad=entidad, staff=DeskUserFactory(), motivo=MOTIVO)
    mail.outbox.clear()
    OutboundEmail.objects.all().delete()
    response = sent(desk.post, f"/mesa/cuentas/{entidad.pk}/reactivar/", {"motivo": motivo})
    assert response.status_code == 400 and "Escriba el motivo de la reactivación." in response.content.decode()
    entidad.refresh_from_db()
    assert entidad.estado == Entidad.Estado.SUSPENDIDA
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.REACTIVADA).exists() and not mail.outbox


def test_a_too_long_reason_is_refused(desk, cuenta):
    entidad, _admin = cuenta
    response = desk.post(f"/mesa/cuentas/{entidad.pk}/suspender/", {"motivo": "x" * 5001})
    assert response.status_code == 400 and "no puede tener más de 5000 caracteres" in response.content.decode()
    nothing_changed(entidad, Entidad.Estado.ACTIVA)


def test_wrong_states_are_refused_on_the_pages_with_the_reason(desk, cuenta, sent):
    entidad, _admin = cuenta
    services.cuenta_suspend(entidad=entidad, staff=DeskUserFactory(), motivo=MOTIVO)
    mail.outbox.clear()
    again = sent(desk.post, f"/mesa/cuentas/{entidad.pk}/suspender/", {"motivo": "Otra vez."}, follow=True)
    assert f"La cuenta de {entidad.nombre} ya está suspendida." in again.content.decode()
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.SUSPENDIDA).count() == 1 and not mail.outbox
    pendiente = EntidadFactory(nombre="PERSONERIA DE PAIPA")
    refused = sent(desk.post, f"/mesa/cuentas/{pendiente.pk}/suspender/", {"motivo": MOTIVO}, follow=True)
    assert "Solo se suspende una cuenta activa: la de PERSONERIA DE PAIPA está «Pendiente de activación»." in (
        refused.content.decode()
    )
    pendiente.refresh_from_db()
    assert pendiente.estado == Entidad.Estado.PENDIENTE and not pendiente.eventos.exists() and not mail.outbox


# --- The API ----------------------------------------------------------------------------------------


def test_the_api_lists_searches_and_shows_accounts(desk, cuenta):
    entidad, admin = cuenta
    EntidadFactory(nombre="OTRA ENTIDAD", estado=Entidad.Estado.ACTIVA)
    listed = desk.get("/api/v1/mesa/cuentas", {"q": "suspension"})
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == entidad.pk and item["tipo_cuenta"] == entidad.tipo_cuenta
    assert item["nit_con_dv"] == entidad.nit_con_dv and item["estado"] == "activa" and item["estado_label"] == "Activa"
    kind = "entidad_estatal" if entidad.es_entidad_estatal else "proveedor"
    assert [i["id"] for i in desk.get("/api/v1/mesa/cuentas", {"tipo": kind}).json()["items"]].count(entidad.pk) == 1
    assert desk.get("/api/v1/mesa/cuentas", {"tipo": "otro"}).status_code == 422
    detail = desk.get(f"/api/v1/mesa/cuentas/{entidad.pk}").json()
    assert detail["suspension"] is None and detail["correo_notificaciones"] == "avisos@cuenta.co"
    labels = sorted(m["rol_label"] for m in detail["miembros"])
    non_admin = "Comprador" if entidad.es_entidad_estatal else "Usuario del Proveedor"
    assert labels == sorted(["Administrador", "Administrador", non_admin])
    assert {m["rol"] for m in detail["miembros"]} == {"administrador", "comprador"}  # stored as it was
    assert admin.usuario.username in {m["usuario"] for m in detail["miembros"]}
    assert desk.get("/api/v1/mesa/cuentas/999999").status_code == 404


def test_the_api_suspends_and_reactivates_with_a_reason(desk, cuenta, sent):
    entidad, _admin = cuenta
    url = f"/api/v1/mesa/cuentas/{entidad.pk}"
    for body in ({}, {"motivo": ""}, {"motivo": "  "}):
        refused = sent(desk.post, f"{url}/suspender", body, content_type=JSON)
        assert refused.status_code == 400, refused.json()
        assert refused.json()["code"] == "validation_error"
        assert refused.json()["detail"]["fields"]["motivo"] == ["Escriba el motivo de la suspensión."]
    nothing_changed(entidad, Entidad.Estado.ACTIVA)

    done = sent(desk.post, f"{url}/suspender", {"motivo": MOTIVO}, content_type=JSON)
    assert done.status_code == 200, done.json()
    body = done.json()
    assert body["estado"] == "suspendida" and body["suspension"]["motivo"] == MOTIVO
    assert body["suspension"]["actor"] == "mesa.cuentas"
    assert body["historial"][0]["tipo"] == "suspendida" and body["historial"][0]["motivo"] == MOTIVO
    assert len(mail.outbox) == 1

    again = desk.post(f"{url}/suspender", {"motivo": MOTIVO}, content_type=JSON)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert again.json()["message"] == f"La cuenta de {entidad.nombre} ya está suspendida."
    assert again.json()["detail"] == {"estado": "suspendida", "permitidos": ["activa"]}
    assert entidad.eventos.filter(tipo=EventoEntidad.Tipo.SUSPENDIDA).count() == 1

    no_reason = desk.post(f"{url}/reactivar", {"motivo": ""}, content_type=JSON)
    assert no_reason.status_code == 400 and no_reason.json()["detail"]["fields"]["motivo"]
    back = sent(desk.post, f"{url}/reactivar", {"motivo": "Aclaró la situación."}, content_type=JSON)
    assert back.status_code == 200 and back.json()["estado"] == "activa" and back.json()["suspension"] is None
    assert len(mail.outbox) == 2
    twice = desk.post(f"{url}/reactivar", {"motivo": "Otra vez."}, content_type=JSON)
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    assert "Solo se reactiva una cuenta suspendida" in twice.json()["message"]
    assert events(entidad, EventoEntidad.Tipo.SUSPENDIDA, EventoEntidad.Tipo.REACTIVADA) == [
        (EventoEntidad.Tipo.REACTIVADA, "Aclaró la situación.", "suspendida", "activa"),
        (EventoEntidad.Tipo.SUSPENDIDA, MOTIVO, "activa", "suspendida"),
    ]


@pytest.mark.parametrize(
    "estado", [Entidad.Estado.PENDIENTE, Entidad.Estado.REQUIERE_CORRECCION, Entidad.Estado.RECHAZADA]
)
def test_only_active_accounts_can_be_suspended(desk, estado):
    entidad = EntidadFactory(estado=estado)
    MembresiaFactory(entidad=entidad)
    refused = desk.post(f"/api/v1/mesa/cuentas/{entidad.pk}/suspender", {"motivo": MOTIVO}, content_type=JSON)
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    assert f"«{entidad.get_estado_display()}»" in refused.json()["message"]
    assert refused.json()["detail"]["estado"] == estado
    reactivate = desk.post(f"/api/v1/mesa/cuentas/{entidad.pk}/reactivar", {"motivo": MOTIVO}, content_type=JSON)
    assert reactivate.status_code == 409
    nothing_changed(entidad, estado)


def test_the_e_mails_skip_addresses_that_are_not_there(desk, sent):
    """No notification address and an Administrador without e-mail: only who can be reached."""
    entidad = ProveedorFactory(correo_notificaciones="")
    MembresiaFactory(entidad=entidad, usuario=UserFactory(email="", verified=False))
    MembresiaFactory(entidad=entidad, usuario__email="jefa@proveedor.co")
    sent(desk.post, f"/api/v1/mesa/cuentas/{entidad.pk}/suspender", {"motivo": MOTIVO}, content_type=JSON)
    assert [m.to for m in mail.outbox] == [["jefa@proveedor.co"]]
    other = ProveedorFactory(correo_notificaciones="")
    MembresiaFactory(entidad=other, usuario=UserFactory(email="", username="sin.correo", verified=False))
    mail.outbox.clear()
    sent(desk.post, f"/api/v1/mesa/cuentas/{other.pk}/suspender", {"motivo": MOTIVO}, content_type=JSON)
    other.refresh_from_db()
    assert other.estado == Entidad.Estado.SUSPENDIDA and mail.outbox == []
