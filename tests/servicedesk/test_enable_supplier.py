"""R4.3 (issue 10 §7): when the desk enables an entity's supplier profile, the same account gains the
commercial profile of a supplier, in the same transaction, and its users act on the supplier side
from it. No second account is created."""

import pytest
from django.test import Client

from registro.entities.account.models import Entidad, EventoEntidad, PerfilComercial
from registro.entities.membership import catalogue
from registro.servicedesk import services
from registro.servicedesk.models import Caso
from registro.servicedesk.services import decisions
from tests.factories import DeskUserFactory, EntidadFactory, MembresiaFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def desk_user(db):
    return DeskUserFactory(username="mesa.proveedor")


@pytest.fixture
def caso(desk_user):
    """An active entity's case asking for the supplier profile, taken by the desk."""
    entidad = EntidadFactory(nombre="IMPRENTA NACIONAL DE COLOMBIA", estado=Entidad.Estado.ACTIVA)
    admin = MembresiaFactory(entidad=entidad).usuario
    data = services.case_initial(user=admin, entidad=entidad)
    data.update(
        tipo_solicitud="solicitud", asunto="perfil_proveedor", tipo_usuario="comprador", descripcion="Habilitar."
    )
    caso = services.caso_create(user=admin, data=data, entidad=entidad)
    services.caso_take(caso=caso, staff=desk_user)
    return Caso.objects.get(pk=caso.pk)


def test_enabling_the_supplier_profile_creates_the_commercial_profile(caso, desk_user, sent):
    entidad = caso.entidad
    assert not PerfilComercial.objects.filter(entidad=entidad).exists()
    cuentas = Entidad.objects.count()
    response = sent(logged_in(desk_user).post, f"/mesa/casos/{caso.numero}/proveedor/", {"motivo": "Convenio."})
    assert response.status_code == 302
    entidad.refresh_from_db()
    assert entidad.es_proveedor and entidad.actua_como_proveedor and entidad.es_entidad_estatal
    perfil = PerfilComercial.objects.get(entidad=entidad)
    assert perfil.persona == "juridica" and entidad.perfil == perfil
    assert Entidad.objects.count() == cuentas  # the same account, no second one
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.PERFIL_PROVEEDOR)
    assert evento.detalle == {"caso": caso.numero, "perfil_comercial": "creado"} and evento.motivo == "Convenio."
    # Its users now have the supplier side: the permissions, and the navigation's place for it.
    admin = entidad.membresias.get().usuario
    acting = logged_in(admin).get("/api/v1/me/entidad-activa").json()
    assert acting["permisos"] == catalogue.applicable(entidad)
    assert {"editar_perfil_comercial", "gestionar_biblioteca", "gestionar_unidades"} <= set(acting["permisos"])
    page = logged_in(admin).get("/entidad/")
    assert "entities/console/_nav_proveedor.html" in {t.name for t in page.templates}
    assert "También actúa como Proveedor" in page.content.decode()


def test_an_existing_commercial_profile_is_kept(caso, desk_user):
    entidad = caso.entidad
    PerfilComercial.objects.create(entidad=entidad, persona="juridica", direccion="Carrera 66 # 24-09")
    services.caso_enable_supplier(caso=caso, staff=desk_user)
    perfil = PerfilComercial.objects.get(entidad=entidad)
    assert perfil.direccion == "Carrera 66 # 24-09"
    evento = entidad.eventos.get(tipo=EventoEntidad.Tipo.PERFIL_PROVEEDOR)
    assert evento.detalle["perfil_comercial"] == "existente"


def test_through_the_api_too(caso, desk_user):
    response = logged_in(desk_user).post(
        f"/api/v1/mesa/casos/{caso.numero}/acciones/proveedor", {"motivo": ""}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["estado"] == "resuelto"
    assert PerfilComercial.objects.filter(entidad_id=caso.entidad_id).exists()


def test_the_profile_is_created_in_the_decisions_transaction(caso, desk_user, monkeypatch):
    """A failure after the profile was created (here, queuing the e-mails) leaves nothing: no profile,
    no flag, no event, the case still under review."""

    def broken(**kwargs):
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(decisions, "_notify", broken)
    with pytest.raises(RuntimeError):
        services.caso_enable_supplier(caso=caso, staff=desk_user)
    entidad = Entidad.objects.get(pk=caso.entidad_id)
    assert not entidad.es_proveedor and not PerfilComercial.objects.filter(entidad=entidad).exists()
    assert not entidad.eventos.filter(tipo=EventoEntidad.Tipo.PERFIL_PROVEEDOR).exists()
    assert Caso.objects.get(pk=caso.pk).estado == Caso.Estado.EN_REVISION


def test_a_refused_decision_creates_no_profile(caso, desk_user):
    from registro.core.errors import ApplicationError

    Entidad.objects.filter(pk=caso.entidad_id).update(estado=Entidad.Estado.SUSPENDIDA)
    with pytest.raises(ApplicationError) as refused:
        services.caso_enable_supplier(caso=caso, staff=desk_user)
    assert refused.value.status_code == 409
    assert not PerfilComercial.objects.filter(entidad_id=caso.entidad_id).exists()
