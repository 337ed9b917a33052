"""Registering a supplier through the JSON API (R9): "Registrar Proveedor" (POST
/api/v1/proveedores/registros), then the same draft operations as an entity's registration
(/api/v1/entidades/registros/{id}: PATCH with the areas of interest, documents, verification,
"Finalizar"), the reference lists the form needs, and "Validar" over both kinds of account. The same
services as the pages (test_supplier_registration_web.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial, TipoCuenta
from registro.entities.membership.models import Membresia
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.models import OutboundEmail
from tests.entities.conftest import SUPPLIER_DOCS_JURIDICA, SUPPLIER_DOCS_NATURAL, SUPPLIER_NIT, pdf_upload
from tests.factories import EntidadFactory, UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROVEEDORES = f"{API}/proveedores/registros"
REGISTROS = f"{API}/entidades/registros"


@pytest.fixture
def api(user):
    client = Client()
    client.force_login(user)
    return client


def create(api, pre, **extra) -> dict:
    response = api.post(PROVEEDORES, {**pre, **extra}, content_type="application/json")
    assert response.status_code == 201, response.json()
    return response.json()


def patch(api, registro_id, datos=None, **extra):
    return api.patch(f"{REGISTROS}/{registro_id}", {"datos": datos or {}, **extra}, content_type="application/json")


def attach(api, registro_id, tipo, upload=None):
    return api.post(f"{REGISTROS}/{registro_id}/documentos", {"tipo": tipo, "archivo": upload or pdf_upload()})


def nothing_created():
    assert not Entidad.objects.filter(tipo_cuenta=TipoCuenta.PROVEEDOR).exists()
    assert not PerfilComercial.objects.exists() and not AreaInteres.objects.exists()
    assert not Membresia.objects.exists() and not OutboundEmail.objects.exists()


def test_registrar_proveedor_creates_a_supplier_draft(api, user, proveedor_pre):
    body = create(api, proveedor_pre, nombre="Soluciones del Café", nit=SUPPLIER_NIT)
    assert body["tipo_cuenta"] == "proveedor" and body["estado"] == "borrador"
    assert body["datos"] == {
        "tipo_cuenta": "proveedor",
        "pais": "CO",
        "area_negocio": "privado",
        "tipo_empresa": "sas",
        "nombre": "Soluciones del Café",
        "nit": SUPPLIER_NIT,
    }
    assert body["areas"] == [] and body["areas_desconocidas"] == []
    assert RegistroEntidad.objects.get(pk=body["id"]).usuario == user
    # Listed with the user's other drafts, of either kind.
    assert [r["tipo_cuenta"] for r in api.get(REGISTROS).json()] == ["proveedor"]


def test_a_wrong_supplier_pre_form_is_a_400_naming_each_field_and_creates_nothing(api, proveedor_pre):
    response = api.post(
        PROVEEDORES,
        {**proveedor_pre, "pais": "ZZ", "area_negocio": "publico", "tipo_empresa": "inventado"},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["detail"]["fields"]
    assert set(fields) == {"pais", "area_negocio", "tipo_empresa"}
    foreign_in_colombia = api.post(
        PROVEEDORES, {**proveedor_pre, "tipo_empresa": "persona-natural-extranjera"}, content_type="application/json"
    )
    assert "es de otro país" in foreign_in_colombia.json()["detail"]["fields"]["pais"][0]
    missing = api.post(PROVEEDORES, {"pais": "CO"}, content_type="application/json")
    assert missing.status_code == 422  # tipo_empresa is required by the schema
    assert not RegistroEntidad.objects.exists()


def test_the_kind_of_a_draft_cannot_be_changed_by_a_patch(api, proveedor_pre, pre_data):
    registro = create(api, proveedor_pre)
    body = patch(api, registro["id"], {"tipo_cuenta": "entidad_estatal", "nombre": "Algo"}).json()
    assert body["tipo_cuenta"] == "proveedor" and body["datos"]["nombre"] == "Algo"
    entity = api.post(REGISTROS, pre_data, content_type="application/json").json()
    assert patch(api, entity["id"], {"tipo_cuenta": "proveedor"}).json()["tipo_cuenta"] == "entidad_estatal"


def test_patch_keeps_the_areas_as_typed_and_names_the_valid_ones(api, proveedor_pre):
    registro = create(api, proveedor_pre)
    response = patch(api, registro["id"], {"categoria_principal": "4323"}, areas=["43230000", "81", "99999999", "4323"])
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["datos"]["areas"] == "43230000,81,99999999,4323"
    assert body["areas"] == [
        {"codigo": "43230000", "nivel": "familia", "nombre": "Software", "principal": True},
        {"codigo": "81000000", "nivel": "segmento", "nombre": body["areas"][1]["nombre"], "principal": False},
    ]
    assert body["areas_desconocidas"] == ["99999999"]
    # As text in `datos` works too; a PATCH without areas leaves them alone.
    assert patch(api, registro["id"], {"areas": "80111600"}).json()["datos"]["areas"] == "80111600"
    assert patch(api, registro["id"], {"telefono": "3001234567"}).json()["datos"]["areas"] == "80111600"
    too_long = patch(api, registro["id"], areas=["4" * 21])
    assert too_long.status_code == 422


def test_verificacion_and_finalizar_list_every_problem_of_a_supplier_at_once(api, proveedor_pre, juridica_data):
    registro = create(api, proveedor_pre)
    data = {**juridica_data, "municipio": "05001", "areas": "43000000,12345678", "representante_correo": "x"}
    patch(api, registro["id"], data)
    attach(api, registro["id"], "rut")
    body = api.get(f"{REGISTROS}/{registro['id']}/verificacion").json()
    assert body["ok"] is False
    assert set(body["errors"]) == {"municipio", "areas", "representante_correo"}
    assert "12345678" in body["errors"]["areas"][0]
    assert body["missing_documents"] == ["certificado_existencia"]
    response = api.post(f"{REGISTROS}/{registro['id']}/finalizar")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert set(detail["fields"]) == {"municipio", "areas", "representante_correo"}
    assert detail["missing_labels"] == ["Certificado de existencia y representación legal"]
    nothing_created()


def test_finalizar_creates_an_active_supplier_with_its_profile_areas_and_administrator(
    api, user, proveedor_pre, juridica_data, sent
):
    registro = create(api, proveedor_pre)
    assert patch(api, registro["id"], juridica_data).status_code == 200
    for tipo in SUPPLIER_DOCS_JURIDICA:
        assert attach(api, registro["id"], tipo).status_code == 201
    assert api.get(f"{REGISTROS}/{registro['id']}/verificacion").json() == {
        "ok": True,
        "errors": {},
        "missing_documents": [],
    }
    response = sent(api.post, f"{REGISTROS}/{registro['id']}/finalizar")
    assert response.status_code == 201, response.json()
    body = response.json()
    entidad = Entidad.objects.get()
    assert body["id"] == entidad.pk
    assert (body["tipo_cuenta"], body["tipo_label"], body["estado"]) == ("proveedor", "Proveedor", "activa")
    assert body["activada_at"] is not None
    assert (body["nit"], body["dv"], body["nombre"]) == (SUPPLIER_NIT, "1", "SOLUCIONES TECNOLOGICAS DEL CAFE SAS")
    assert body["area_negocio"] == "privado" and body["telefono"] == "6063334455"
    assert entidad.perfil.representante_nombre == "Carlos Andrés Gómez Ríos"
    assert AreaInteres.objects.filter(entidad=entidad).count() == 2
    assert AreaInteres.objects.get(principal=True).codigo_id == "81111500"
    assert Membresia.objects.get().usuario == user
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, "licitaciones@soltec.com.co"])
    assert api.get(f"{API}/entidades/{entidad.pk}").json()["tipo_cuenta"] == "proveedor"
    again = api.post(f"{REGISTROS}/{registro['id']}/finalizar")
    assert again.status_code == 409 and Entidad.objects.count() == 1


def test_a_natural_person_through_the_api(api, proveedor_pre, natural_data, sent):
    registro = create(api, proveedor_pre, tipo_empresa="persona-natural-colombiana")
    patch(api, registro["id"], natural_data)
    for tipo in SUPPLIER_DOCS_NATURAL:
        attach(api, registro["id"], tipo)
    response = sent(api.post, f"{REGISTROS}/{registro['id']}/finalizar")
    assert response.status_code == 201, response.json()
    assert (response.json()["nit"], response.json()["dv"]) == ("52345678", "3")


def test_a_foreign_supplier_without_nit_through_the_api_and_in_validar(api, proveedor_pre, juridica_data, sent):
    registro = create(api, proveedor_pre, pais="ES", tipo_empresa="persona-juridica-extranjera")
    data = {**juridica_data, "nombre": "Tecnologías Ibéricas, S.L.", "nit": "", "telefono": "+34 912 345 678"}
    bad = patch(api, registro["id"], {**data, "id_tributario": "B1234"}).json()
    assert bad["datos"]["id_tributario"] == "B1234"  # kept as typed
    errors = api.get(f"{REGISTROS}/{registro['id']}/verificacion").json()["errors"]
    assert "no es una identificación tributaria válida de España" in errors["id_tributario"][0]
    patch(api, registro["id"], {"id_tributario": "B-12345674"})
    for tipo in SUPPLIER_DOCS_JURIDICA:
        attach(api, registro["id"], tipo)
    body = sent(api.post, f"{REGISTROS}/{registro['id']}/finalizar").json()
    assert (body["nit"], body["pais"], body["id_tributario"]) == (None, "ES", "B12345674")
    assert body["nombre"] == "Tecnologías Ibéricas, S.L."
    found = Client().get(f"{API}/entidades/buscar", {"q": "ibericas"}).json()
    assert found == [
        {
            "id": body["id"],
            "nombre": "Tecnologías Ibéricas, S.L.",
            "nit": None,
            "dv": "",
            "estado": "activa",
            "estado_label": "Activa",
            "tipo_cuenta": "proveedor",
            "tipo_label": "Proveedor",
            "pais": "ES",
            "id_tributario": "B12345674",
        }
    ]


def test_a_registered_nit_points_to_the_access_request_of_that_account(api, proveedor_pre, juridica_data):
    existente = EntidadFactory(nit=SUPPLIER_NIT, estado=Entidad.Estado.ACTIVA)
    registro = create(api, proveedor_pre)
    patch(api, registro["id"], juridica_data)
    for tipo in SUPPLIER_DOCS_JURIDICA:
        attach(api, registro["id"], tipo)
    response = api.post(f"{REGISTROS}/{registro['id']}/finalizar")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "Ya hay una cuenta registrada con el NIT 900373215-1" in detail["fields"]["nit"][0]
    assert detail["cuenta_registrada"] == {
        "id": existente.pk,
        "nombre": existente.nombre,
        "tipo_cuenta": "entidad_estatal",
        "tipo_label": "Entidad Estatal",
        "solicitud_acceso": f"/entidades/{existente.pk}/solicitar/",
    }
    assert Entidad.objects.count() == 1
    nothing_created()


def test_a_certificate_older_than_the_setting_is_refused(api, proveedor_pre, juridica_data, settings):
    settings.PROVEEDOR_CERTIFICADO_MAX_DIAS = 30
    registro = create(api, proveedor_pre)
    old = (timezone.localdate() - timedelta(days=31)).isoformat()
    patch(api, registro["id"], {**juridica_data, "certificado_fecha_expedicion": old})
    errors = api.get(f"{REGISTROS}/{registro['id']}/verificacion").json()["errors"]
    assert list(errors) == ["certificado_fecha_expedicion"]
    assert "en los últimos 30 días" in errors["certificado_fecha_expedicion"][0]
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    patch(api, registro["id"], {"certificado_fecha_expedicion": future})
    assert "certificado_fecha_expedicion" in api.get(f"{REGISTROS}/{registro['id']}/verificacion").json()["errors"]


def test_a_supplier_draft_refuses_the_documents_of_an_entity(api, proveedor_pre, settings):
    registro = create(api, proveedor_pre)
    response = attach(api, registro["id"], "acto_estructura")
    assert response.status_code == 400
    assert "El registro de un Proveedor lleva el RUT" in response.json()["detail"]["fields"]["tipo"][0]
    assert attach(api, registro["id"], "experiencia").status_code == 400  # the library comes later
    assert not Documento.objects.exists()
    assert attach(api, registro["id"], "rup").status_code == 201


def test_someone_elses_supplier_draft_is_not_found(api, proveedor_pre):
    registro = create(api, proveedor_pre)
    other = Client()
    other.force_login(UserFactory())
    assert other.get(f"{REGISTROS}/{registro['id']}").status_code == 404
    assert (
        other.patch(f"{REGISTROS}/{registro['id']}", {"areas": ["43"]}, content_type="application/json").status_code
        == 404
    )
    assert other.post(f"{REGISTROS}/{registro['id']}/finalizar").status_code == 404
    assert Client().post(PROVEEDORES, proveedor_pre, content_type="application/json").status_code == 401


def test_reference_countries_and_types_of_organisation(client, reference_data):
    paises = client.get(f"{API}/reference/paises").json()
    assert len(paises) > 240
    assert {"value": "CO", "label": "Colombia"} in paises and {"value": "US", "label": "Estados Unidos"} in paises
    tipos = client.get(f"{API}/reference/tipos-empresa").json()
    assert tipos[0] == {
        "value": "persona-natural-colombiana",
        "label": "Persona natural colombiana",
        "persona": "natural",
        "extranjera": False,
    }
    assert [t["value"] for t in tipos] == [
        "persona-natural-colombiana",
        "sas",
        "sociedad-anonima",
        "ltda",
        "esal",
        "persona-natural-extranjera",
        "persona-juridica-extranjera",
        "otro",
    ]
