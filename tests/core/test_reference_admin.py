"""The supplier pre-form's types of organisation are edited in Django's admin (R9.1); the UNSPSC
classifier is there to be looked up, not edited: it ships with the project."""

import pytest
from django.test import Client

from registro.core.models import TipoEmpresa
from registro.core.services import tipos_empresa_load
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_types_of_organisation_are_listed_and_can_be_deactivated_in_admin(admin_client):
    tipos_empresa_load()
    page = admin_client.get("/admin/core/tipoempresa/")
    assert page.status_code == 200
    assert "Sociedad por Acciones Simplificada" in page.content.decode()
    otro = TipoEmpresa.objects.get(codigo="otro")
    response = admin_client.post(
        f"/admin/core/tipoempresa/{otro.pk}/change/",
        {"codigo": "otro", "nombre": "Otra forma", "persona": "juridica", "activo": "", "posicion": "9"},
    )
    assert response.status_code == 302
    otro.refresh_from_db()
    assert (otro.nombre, otro.activo) == ("Otra forma", False)
    assert tipos_empresa_load() == 0  # a reload keeps the desk's edit
    otro.refresh_from_db()
    assert otro.nombre == "Otra forma"


def test_the_classifier_is_searchable_in_admin_but_read_only(admin_client):
    page = admin_client.get("/admin/core/codigounspsc/", {"q": "Software"})
    assert page.status_code == 200 and "43230000" in page.content.decode()
    detail = admin_client.get("/admin/core/codigounspsc/43230000/change/")
    assert detail.status_code == 200 and 'name="nombre"' not in detail.content.decode()
    assert admin_client.get("/admin/core/codigounspsc/add/").status_code == 403
    assert admin_client.post("/admin/core/codigounspsc/43230000/delete/", {"post": "yes"}).status_code == 403
