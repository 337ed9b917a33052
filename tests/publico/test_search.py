"""The public search: the Directorio's search without login, through its page and its API
operation: name words, NIT, department and municipality, UNSPSC codes, kinds of account, keyset
pages; only active accounts, only public fields; the API's anonymous budget per IP address."""

import dataclasses
import re

import pytest
from django.test import Client

from registro.publico import busqueda
from registro.publico.visibility import CAMPOS, Nivel
from tests.factories import EntidadFactory, MembresiaFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/publico/cuentas"
PAGE = "/publico/"


def api(client=None, **params):
    return (client or Client()).get(API, params)


def found(**params) -> set[str]:
    """The names the API finds, every page followed, checked against the page's own results."""
    names, cursor = [], ""
    while True:
        response = api(**params, cursor=cursor) if cursor else api(**params)
        assert response.status_code == 200, response.content
        data = response.json()
        names += [r["nombre"] for r in data["resultados"]]
        cursor = data["siguiente"]
        if not cursor:
            break
    page = Client().get(PAGE, params).content.decode() if params else ""
    for name in names[:20] if params else ():  # without a query the page shows the form only
        assert name in page, name
    assert len(names) == len(set(names))
    return set(names)


def test_the_page_without_a_query_shows_the_form_only(mundo):
    response = Client().get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Buscar Entidades Estatales y Proveedores</h1>" in html
    for label in ("Nombre o NIT", "Código UNSPSC", "Departamento", "Municipio", "Tipo de cuenta"):
        assert label in html
    assert "Resultados" not in html and "Tamaño de la empresa" not in html
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]


def test_by_words_of_the_name(mundo):
    assert found(q="soluciones andinas") == {mundo.empresa.nombre}
    assert found(q="HOSPITAL itagüí") == {mundo.hospital.nombre}
    assert found(q="municipal medel") == {mundo.alcaldia.nombre}  # the last word, being typed, is a prefix
    assert found(q="andinas hospital") == set()


def test_by_nit_with_or_without_check_digit(mundo):
    e = mundo.empresa
    assert found(q=e.nit) == {e.nombre}
    assert found(q=f"{e.nit}-{e.dv}") == {e.nombre}
    # A natural person's NIT is their identity number: not searchable.
    assert found(q=mundo.persona.nit) == set()
    assert api(q=e.nit).json()["nit"] is True


def test_by_department_and_municipality(mundo):
    assert found(departamento="05") == {mundo.alcaldia.nombre, mundo.hospital.nombre}
    assert found(departamento="05", municipio="05360") == {mundo.hospital.nombre}
    assert found(municipio="11001") == {mundo.empresa.nombre}
    html = Client().get(PAGE, {"departamento": "05", "municipio": "05360"}).content.decode()
    assert (
        '<option value="05360" selected>ITAGÜÍ</option>' in html and html.count(" selected>") == 2
    )  # the department and its municipality


def test_a_municipality_of_another_department_is_a_clear_error(mundo):
    html = Client().get(PAGE, {"departamento": "05", "municipio": "11001"}).content.decode()
    assert "no es un municipio de" in html and "Resultados" not in html
    response = api(departamento="05", municipio="11001")
    assert response.status_code == 422
    assert "no es un municipio de" in response.json()["detail"]["fields"]["municipio"][0]


def test_an_unspsc_segment_finds_its_descendants(mundo):
    # The alcaldía's area is the segment 43, the company's the family 4321.
    assert found(unspsc="43") == {mundo.alcaldia.nombre, mundo.empresa.nombre}
    assert found(unspsc="4321") == {mundo.empresa.nombre}
    assert found(unspsc="43211500") == set()
    assert found(unspsc="81") == {mundo.empresa.nombre}  # not only the main area
    response = api(unspsc="4")
    assert response.status_code == 422 and "unspsc" in response.json()["detail"]["fields"]
    assert "Escriba un código UNSPSC" in Client().get(PAGE, {"unspsc": "4"}).content.decode()


def test_by_kind_of_account(mundo):
    assert found(tipo="proveedor") == {mundo.empresa.nombre, mundo.persona.nombre}
    assert found(tipo="entidad_proveedor") == {mundo.hospital.nombre}


def test_suspended_pending_and_rejected_accounts_are_never_found(mundo):
    everything = found()
    assert everything == {e.nombre for e in (mundo.alcaldia, mundo.hospital, mundo.empresa, mundo.persona)}
    for e in (mundo.suspendida, *mundo.no_publicas):
        assert found(q=e.nombre) == set()
        assert found(q=e.nit) == set()


def test_results_link_to_the_public_page_of_each_account(mundo):
    html = Client().get(PAGE, {"q": "soluciones"}).content.decode()
    assert f'href="/publico/cuentas/{mundo.empresa.pk}/"' in html
    assert "/directorio/" not in html


def test_keyset_pages_through_the_page_and_the_api(mundo):
    for n in range(25):
        EntidadFactory(nombre=f"FERRETERIA NUMERO {n:02d}", estado="activa")
    html = Client().get(PAGE, {"q": "ferreteria"}).content.decode()
    assert "25 cuentas encontradas" in html and html.count("FERRETERIA NUMERO") == 20
    siguiente = re.search(r'href="(\?[^"]+)#resultados" rel="next"', html).group(1).replace("&amp;", "&")
    second = Client().get(PAGE + siguiente).content.decode()
    assert second.count("FERRETERIA NUMERO") == 5 and "FERRETERIA NUMERO 24" in second
    assert 'rel="prev"' in second and 'rel="next"' not in second

    first = api(q="ferreteria").json()
    assert len(first["resultados"]) == 20 and first["total"] == 25 and first["anterior"] is None
    second = api(q="ferreteria", cursor=first["siguiente"]).json()
    assert [r["nombre"] for r in second["resultados"]] == [f"FERRETERIA NUMERO {n:02d}" for n in range(20, 25)]
    back = api(q="ferreteria", cursor=second["anterior"]).json()
    assert back["resultados"] == first["resultados"]
    assert found(q="ferreteria") == {f"FERRETERIA NUMERO {n:02d}" for n in range(25)}


def test_a_wrong_cursor_is_a_clear_error(mundo):
    response = api(cursor="no-es-un-cursor")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    html = Client().get(PAGE, {"cursor": "no-es-un-cursor"}).content.decode()
    assert "La página pedida no es válida" in html


def test_results_hold_only_public_fields(mundo):
    data = api().json()
    by_name = {r["nombre"]: r for r in data["resultados"]}
    for r in data["resultados"]:
        assert set(r) == {"id", *busqueda.CAMPOS_RESULTADO}
    empresa = by_name[mundo.empresa.nombre]
    assert empresa["nit"] == mundo.empresa.nit_con_dv and empresa["mipyme"] is True
    assert empresa["categoria_codigo"] == "43210000" and empresa["municipio"]
    # A natural person's NIT is their document number (Ley 1581 de 2012).
    assert by_name[mundo.persona.nombre]["nit"] == ""
    assert mundo.persona.nit not in api().content.decode()
    assert mundo.persona.nit not in Client().get(PAGE, {"q": "juana"}).content.decode()


def test_the_visibility_table_decides_what_a_result_shows(mundo, monkeypatch):
    """A field the table made private would leave the results: they read the table."""
    for nombre in ("departamento", "espyme"):
        restricted = dataclasses.replace(CAMPOS[nombre], organizacion=Nivel.CUENTA_Y_MESA)
        monkeypatch.setitem(CAMPOS, nombre, restricted)
    [empresa] = api(q="soluciones").json()["resultados"]
    assert empresa["departamento"] == "" and empresa["mipyme"] is False
    assert empresa["municipio"]


def test_every_result_field_is_in_the_table_and_public_for_organisations():
    for campo in busqueda.CAMPOS_RESULTADO.values():
        assert CAMPOS[campo].organizacion == Nivel.PUBLICO, campo


def test_cache_headers_public_for_anonymous_private_for_users(mundo):
    assert "public" in api()["Cache-Control"]
    client = Client()
    client.force_login(MembresiaFactory(entidad=mundo.alcaldia).usuario)
    for response in (api(client), client.get(PAGE, {"q": "hospital"})):
        assert response.status_code == 200
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    # Logged in, the public search still shows public fields only.
    assert api(client).json()["resultados"] == api().json()["resultados"]


def test_the_search_api_shares_the_anonymous_budget_per_ip(mundo, settings):
    settings.RATE_LIMIT_PUBLIC_API = "3/m/ip"
    client = Client(REMOTE_ADDR="203.0.113.21")
    assert [api(client, q="hospital").status_code for _ in range(2)] == [200, 200]
    # The account operation spends the same budget.
    assert client.get(f"{API}/{mundo.empresa.pk}").status_code == 200
    refused = api(client, q="hospital")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts" and "Espere" in refused.json()["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert api(Client(REMOTE_ADDR="203.0.113.22")).status_code == 200
    client.force_login(MembresiaFactory(entidad=mundo.alcaldia).usuario)
    assert api(client).status_code == 200


def test_anonymous_visitors_find_the_search_from_the_header_and_the_open_data(mundo):
    for path in ("/datos/", f"/publico/cuentas/{mundo.empresa.pk}/"):
        assert 'href="/publico/"' in Client().get(path).content.decode()
