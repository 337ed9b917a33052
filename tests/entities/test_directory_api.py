"""The Directorio in the API: the same search (keyset cursor in the response), profile and
recorded downloads as the pages, with the same permissions and the same Spanish refusals."""

import pytest
from django.test import Client

from registro.entities.directory.models import DescargaDocumento
from tests.entities.directory_data import cuenta, documento
from tests.factories import DeskUserFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/directorio/cuentas"


@pytest.fixture(autouse=True)
def _reference(reference_data):
    pass


def api_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def lector():
    """The Administrador of an active supplier account."""
    return MembresiaFactory(entidad=cuenta("LECTOR SAS", municipio="11001")).usuario


def test_search_returns_rows_count_and_cursors(lector):
    for n in range(5):
        cuenta(f"SUMINISTROS {n}", municipio="05001", areas=("43211503",), mipyme=True, tamano="micro")
    client = api_for(lector)
    body = client.get(SEARCH, {"q": "suministros", "departamento": "05", "unspsc": "43"}).json()
    assert body["total"] == 5 and body["total_exacto"] is True and body["nit"] is False
    first = body["resultados"][0]
    assert set(first) == {
        "id",
        "nombre",
        "nit",
        "tipo",
        "municipio",
        "departamento",
        "categoria_codigo",
        "categoria_nombre",
        "mipyme",
    }
    assert (first["nombre"], first["municipio"], first["categoria_codigo"], first["mipyme"]) == (
        "SUMINISTROS 0",
        "MEDELLÍN",
        "43211503",
        True,
    )
    assert body["siguiente"] is None and body["anterior"] is None


def test_the_api_pages_with_the_cursor_of_its_responses(lector, monkeypatch):
    from registro.entities.directory import search

    monkeypatch.setattr(search, "PAGE_SIZE", 3)
    made = [cuenta(f"OMEGA {n}").pk for n in range(4)] + [cuenta(f"ALFA OMEGA {n}").pk for n in range(4)]
    client, seen, cursor = api_for(lector), [], ""
    while True:
        body = client.get(SEARCH, {"q": "omega", "cursor": cursor}).json()
        seen += [r["id"] for r in body["resultados"]]
        if not body["siguiente"]:
            break
        cursor = body["siguiente"]
    assert seen == made
    back = client.get(SEARCH, {"q": "omega", "cursor": body["anterior"]}).json()
    assert [r["id"] for r in back["resultados"]] == made[3:6]


def test_kinds_repeat_in_the_query(lector):
    cuenta("ALCALDIA X", tipo="entidad_estatal")
    cuenta("HOSPITAL X", tipo="entidad_estatal", es_proveedor=True)
    body = api_for(lector).get(f"{SEARCH}?q=x&tipo=entidad_estatal&tipo=entidad_proveedor").json()
    assert [r["nombre"] for r in body["resultados"]] == ["ALCALDIA X", "HOSPITAL X"]


def test_the_nit_is_searched_as_a_nit(lector):
    e = cuenta("PROVEEDOR CON NIT", nit="900123456")
    body = api_for(lector).get(SEARCH, {"q": e.nit_con_dv}).json()
    assert body["nit"] is True and [r["id"] for r in body["resultados"]] == [e.pk]


def test_bad_parameters_are_a_422_with_each_fields_spanish_message(lector):
    response = api_for(lector).get(SEARCH, {"unspsc": "4", "departamento": "11", "municipio": "05001", "cursor": "zz"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["message"] == "Revise los parámetros de la búsqueda."
    fields = body["detail"]["fields"]
    assert fields["unspsc"] == ["Escriba un código UNSPSC de 2, 4, 6 u 8 dígitos, por ejemplo 43 o 43211500."]
    assert fields["municipio"] == ["MEDELLÍN no es un municipio de BOGOTÁ, D.C.."]
    assert "Vuelva a buscar" in fields["cursor"][0]


def test_a_unspsc_name_is_a_filter_or_a_422_listing_the_codes_it_matches(lector):
    cuenta("CULTIVOS SAS", areas=["50402501"])
    cuenta("SISTEMAS SAS", areas=["43211503"])
    body = api_for(lector).get(SEARCH, {"unspsc": "Zanahoria amsterdam"}).json()
    assert [r["nombre"] for r in body["resultados"]] == ["CULTIVOS SAS"]
    response = api_for(lector).get(SEARCH, {"unspsc": "amsterdam organica"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["fields"]["unspsc"][0].startswith("4 códigos UNSPSC tienen «amsterdam organica»")
    assert [o["codigo"] for o in detail["unspsc_opciones"]] == ["50412501", "50432501", "50452501", "50472501"]


def test_who_gets_the_api(client):
    assert client.get(SEARCH).status_code == 401
    for user in (UserFactory(), DeskUserFactory()):
        response = api_for(user).get(SEARCH)
        assert response.status_code == 404 and response.json()["detail"]["rule"] == "R5.4"
    pending = MembresiaFactory(entidad=cuenta("PENDIENTE", estado="pendiente")).usuario
    response = api_for(pending).get(SEARCH)
    assert response.status_code == 409 and response.json()["detail"]["rule"] == "R3.9"


def test_the_x_entidad_header_chooses_the_account_acted_for(lector):
    pending = cuenta("OTRA PENDIENTE", estado="pendiente")
    MembresiaFactory(usuario=lector, entidad=pending)
    client = api_for(lector)
    assert client.get(SEARCH, headers={"X-Entidad": str(pending.pk)}).status_code == 409
    active = lector.membresias.get(entidad__nombre="LECTOR SAS").entidad
    assert client.get(SEARCH, headers={"X-Entidad": str(active.pk)}).status_code == 200


def test_profile_and_its_documents(lector):
    e = cuenta(
        "COMPUTADORES DEL SUR SAS",
        areas=("43211503",),
        tamano="micro",
        mipyme=True,
        correo_notificaciones="ventas@sur.com.co",
    )
    rut = documento(e, "rut")
    documento(e, "estados_financieros", titulo="Balance", visibilidad="privado")
    body = api_for(lector).get(f"/api/v1/directorio/cuentas/{e.pk}").json()
    assert body["nombre"] == "COMPUTADORES DEL SUR SAS" and body["nit"] == e.nit_con_dv
    assert body["areas"] == [
        {"codigo": "43211503", "nombre": "Computadores notebook", "nivel": "producto", "principal": True}
    ]
    assert {"etiqueta": "Correo electrónico para notificaciones SECOP II", "valor": "ventas@sur.com.co"} in body[
        "contacto"
    ]
    assert [(d["tipo"], [v["id"] for v in d["versiones"]]) for d in body["documentos"]] == [("rut", [rut.pk])]


def test_profiles_of_accounts_not_active_are_404(lector):
    e = cuenta("SUSPENDIDA SAS", estado="suspendida")
    response = api_for(lector).get(f"/api/v1/directorio/cuentas/{e.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_download_through_the_api_is_the_same_response_and_is_recorded(lector):
    e = cuenta("COMPUTADORES DEL SUR SAS")
    rut = documento(e, "rut")
    privado = documento(e, "estados_financieros", titulo="Balance", visibilidad="privado")
    client = api_for(lector)
    response = client.get(f"/api/v1/directorio/documentos/{rut.pk}/archivo")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    assert DescargaDocumento.objects.get().cuenta_actuante.nombre == "LECTOR SAS"
    assert client.get(f"/api/v1/directorio/documentos/{privado.pk}/archivo").status_code == 404
    assert client.get("/api/v1/directorio/documentos/99999999/archivo").status_code == 404
    assert DescargaDocumento.objects.count() == 1
