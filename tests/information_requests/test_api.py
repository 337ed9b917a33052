"""Information requests through /api/v1/: the same rules and guards as the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from registro.entities.information_requests import services
from registro.entities.information_requests.models import AdjuntoRespuesta, InvitacionSolicitud, SolicitudInformacion
from tests.entities.conftest import pdf_upload
from tests.factories import EntidadFactory, MembresiaFactory
from tests.information_requests.conftest import client_for, crear, supplier

pytestmark = pytest.mark.django_db
BASE = "/api/v1/entidad/solicitudes-informacion"


def _create(client, **extra):
    data = {
        "titulo": "Cotización de computadores",
        "descripcion": "40 portátiles",
        "plazo": (timezone.now() + timedelta(days=3)).isoformat(),
        "codigos": ["43210000"],
        **extra,
    }
    return client.post(BASE, data)


def test_create_list_detail(admin, entidad):
    client = client_for(admin)
    response = _create(client, archivos=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["codigos"] == ["43210000"] and body["estado"] == "abierta" and len(body["adjuntos"]) == 2
    assert client.get(BASE).json()[0]["id"] == body["id"]
    assert client.get(f"{BASE}/{body['id']}").json()["invitados"] == 0


def test_create_errors(admin):
    client = client_for(admin)
    response = _create(client, codigos=["99"])
    assert response.status_code == 400 and response.json()["detail"]["fields"]["codigos"]
    response = _create(client, plazo="mañana")
    assert response.status_code == 400 and "ISO 8601" in response.json()["message"]
    response = _create(client, plazo="2021-01-01T10:00")
    assert response.json()["detail"]["fields"]["plazo"] == [
        "La fecha y hora límite debe ser posterior al momento actual."
    ]
    assert not SolicitudInformacion.objects.exists()


def test_naive_deadline_is_bogota_time(admin):
    client = client_for(admin)
    plazo = (
        (timezone.now() + timedelta(days=2))
        .astimezone(services.BOGOTA)
        .replace(hour=16, minute=0, second=0, microsecond=0)
    )
    response = _create(client, plazo=plazo.replace(tzinfo=None).isoformat())
    assert response.status_code == 201
    assert SolicitudInformacion.objects.get().plazo == plazo


def test_permissions(admin, comprador, gestor, solicitud, proveedor_admin):
    assert client_for(comprador).get(BASE).status_code == 403
    assert (
        client_for(comprador)
        .post(f"{BASE}/{solicitud.pk}/cancelar", {"motivo": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert client_for(gestor).get(f"{BASE}/{solicitud.pk}").status_code == 200
    assert client_for(proveedor_admin).get(BASE).status_code == 403
    otro = MembresiaFactory(entidad=EntidadFactory(estado="activa")).usuario
    for method, path, data in (
        ("get", f"{BASE}/{solicitud.pk}", None),
        ("get", f"{BASE}/{solicitud.pk}/invitaciones", None),
        ("post", f"{BASE}/{solicitud.pk}/invitaciones", {"automatica": True}),
        ("post", f"{BASE}/{solicitud.pk}/ampliar", {"plazo": (timezone.now() + timedelta(days=9)).isoformat()}),
        ("post", f"{BASE}/{solicitud.pk}/cancelar", {"motivo": "x"}),
    ):
        kwargs = {"content_type": "application/json", "data": data} if data else {}
        assert getattr(client_for(otro), method)(path, **kwargs).status_code == 404
    anonymous = client_for(admin)
    anonymous.logout()
    assert anonymous.get(BASE).status_code == 401


def test_invite_answer_extend_cancel(admin, solicitud, proveedor, proveedor_admin, proveedor_usuario, sent):
    client = client_for(admin)
    response = sent(
        client.post, f"{BASE}/{solicitud.pk}/invitaciones", {"automatica": True}, content_type="application/json"
    )
    assert response.status_code == 202 and response.json()["origen"] == "automatica"
    assert client.get(f"{BASE}/{solicitud.pk}").json()["envios"][0]["estado"] == "terminado"
    response = client.post(f"{BASE}/{solicitud.pk}/invitaciones", {"cuentas": []}, content_type="application/json")
    assert response.status_code == 400 and response.json()["message"] == "Elija al menos un Proveedor."

    supplier_client = client_for(proveedor_admin)
    recibidas = supplier_client.get("/api/v1/proveedor/invitaciones").json()
    assert [r["solicitud_id"] for r in recibidas] == [solicitud.pk]
    plain = client_for(proveedor_usuario)
    assert plain.get(f"/api/v1/proveedor/invitaciones/{solicitud.pk}").status_code == 200
    assert plain.post(f"/api/v1/proveedor/invitaciones/{solicitud.pk}/respuesta", {"mensaje": "x"}).status_code == 403
    response = supplier_client.post(
        f"/api/v1/proveedor/invitaciones/{solicitud.pk}/respuesta", {"mensaje": "Oferta", "archivos": [pdf_upload()]}
    )
    assert response.status_code == 200 and response.json()["estado"] == "respondida"
    adjunto = AdjuntoRespuesta.objects.get()
    assert client.get(f"/api/v1/solicitudes-informacion/respuestas/adjuntos/{adjunto.pk}").status_code == 200
    assert plain.get(f"/api/v1/solicitudes-informacion/respuestas/adjuntos/{adjunto.pk}").status_code == 200
    assert (
        client_for(MembresiaFactory(entidad=supplier()).usuario)
        .get(f"/api/v1/solicitudes-informacion/respuestas/adjuntos/{adjunto.pk}")
        .status_code
        == 404
    )
    invitaciones = client.get(f"{BASE}/{solicitud.pk}/invitaciones").json()
    assert invitaciones[0]["mensaje"] == "Oferta" and invitaciones[0]["adjuntos"][0]["id"] == adjunto.pk

    nuevo = solicitud.plazo + timedelta(days=1)
    response = sent(
        client.post, f"{BASE}/{solicitud.pk}/ampliar", {"plazo": nuevo.isoformat()}, content_type="application/json"
    )
    assert response.status_code == 200
    solicitud.refresh_from_db()
    assert solicitud.plazo == nuevo
    response = sent(
        client.post, f"{BASE}/{solicitud.pk}/cancelar", {"motivo": "Desierta"}, content_type="application/json"
    )
    assert response.json()["estado"] == "cancelada"
    response = client.post(f"{BASE}/{solicitud.pk}/cancelar", {"motivo": "Otra"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_no_interesado_and_deadline(entidad, admin, proveedor, proveedor_admin, sent, monkeypatch):
    solicitud = crear(entidad, admin, plazo=timezone.now() + timedelta(minutes=10))
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[proveedor.pk])
    otro = supplier()
    sent(services.invitar_manual, solicitud=solicitud, actor=admin, cuentas=[otro.pk])
    otro_admin = MembresiaFactory(entidad=otro).usuario
    response = client_for(proveedor_admin).post(f"/api/v1/proveedor/invitaciones/{solicitud.pk}/no-interesado")
    assert response.status_code == 200 and response.json()["estado"] == "no_interesado"
    later = timezone.now() + timedelta(minutes=11)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client_for(otro_admin).post(
        f"/api/v1/proveedor/invitaciones/{solicitud.pk}/respuesta", {"mensaje": "Tarde"}
    )
    assert response.status_code == 409 and "ya no se reciben respuestas" in response.json()["message"]
    assert InvitacionSolicitud.objects.get(proveedor=otro).estado == "pendiente"
    assert client_for(admin).get(f"{BASE}/{solicitud.pk}").json()["estado"] == "cerrada"
