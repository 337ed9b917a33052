import pytest
from django.test import Client

from registro.entities.registration import services as entity_services
from tests.entities.conftest import MANDATORY, entidad_data, pdf_upload, pre_data, valores  # noqa: F401
from tests.entities.supplier_world import world  # noqa: F401
from tests.factories import DeskUserFactory, UserFactory


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin.entidad", email="admin@alcaldia.gov.co")


@pytest.fixture
def desk_user(db):
    return DeskUserFactory(username="mesa1", email="mesa1@cce.gov.co")


@pytest.fixture
def entidad(admin_user, pre_data, entidad_data, django_capture_on_commit_callbacks):  # noqa: F811
    """A registered entity, pending activation, with its four documents."""
    registro = entity_services.registro_create(user=admin_user, data=pre_data)
    entity_services.registro_update(registro=registro, data=entidad_data)
    for tipo in MANDATORY:
        entity_services.documento_attach(
            registro=registro, tipo=tipo, uploaded=pdf_upload(f"{tipo}.pdf"), user=admin_user
        )
    with django_capture_on_commit_callbacks(execute=True):
        return entity_services.registro_finalize(registro=registro, user=admin_user)


def case_data(user, entidad=None, **extra) -> dict:
    """The "Crear caso" fields as the pre-filled form sends them."""
    from registro.servicedesk.services import case_initial

    data = case_initial(user=user, entidad=entidad)
    data.update(tipo_solicitud="solicitud", asunto="registro_entidad", tipo_usuario="comprador", descripcion="x")
    data.update(extra)
    return data


@pytest.fixture
def caso_correccion(admin_user, desk_user, entidad):
    """The entity's activation case after the desk asked for corrections: the entity is «Requiere
    corrección» and the case waits for its administrators."""
    from registro.servicedesk import services

    caso = services.caso_create(user=admin_user, data=case_data(admin_user, entidad), entidad=entidad)
    services.caso_take(caso=caso, staff=desk_user)
    services.caso_request_corrections(caso=caso, staff=desk_user, motivo="Corrija el nombre y el teléfono.")
    caso.refresh_from_db()
    entidad.refresh_from_db()
    return caso
