"""Inviting from the Directorio (issue 11, items 2 and 3): from a commercial profile, from the
results one by one, and "invitar a todos los resultados" (every page of the search, with its
filters, up to the cap) — on the pages and through the API, with the same service and guards."""

import pytest
from django.urls import reverse

from registro.core.services import reference_data_load
from registro.entities.information_requests.models import EnvioInvitaciones, InvitacionSolicitud
from tests.entities.directory_data import cuenta
from tests.factories import MembresiaFactory
from tests.information_requests.conftest import client_for, crear

pytestmark = pytest.mark.django_db
BASE = "/api/v1/entidad/solicitudes-informacion"


@pytest.fixture(autouse=True)
def _reference(db):
    reference_data_load()


@pytest.fixture
def cuentas():
    """The search "computadores" in Medellín under segment 43 matches A, B, C (suppliers) and the
    entity that also supplies; not the entity that does not supply, the suspended supplier, the
    one elsewhere or the one in another segment."""
    return {
        "a": cuenta("COMPUTADORES ANDINOS SAS", municipio="05001", areas=("43211503",)),
        "b": cuenta("COMPUTADORES DEL BAJO CAUCA SAS", municipio="05001", areas=("43211507",)),
        "c": cuenta("COMPUTADORES DEL CENTRO SAS", municipio="05001", areas=("43211500",)),
        "ep": cuenta(
            "COMPUTADORES EMPRESA DE MEDELLIN",
            tipo="entidad_estatal",
            es_proveedor=True,
            municipio="05001",
            areas=("43211503",),
        ),
        "e": cuenta("COMPUTADORES ENTIDAD DE MEDELLIN", tipo="entidad_estatal", municipio="05001", areas=("43211503",)),
        "s": cuenta("COMPUTADORES SUSPENDIDOS SAS", estado="suspendida", municipio="05001", areas=("43211503",)),
        "bogota": cuenta("COMPUTADORES DE BOGOTA SAS", municipio="11001", areas=("43211503",)),
        "obras": cuenta("COMPUTADORES Y OBRAS SAS", municipio="05001", areas=("72101507",)),
    }


SEARCH = {"q": "computadores", "unspsc": "43", "departamento": "05", "municipio": "05001"}


def _invited(solicitud) -> set[int]:
    return set(solicitud.invitaciones.values_list("proveedor_id", flat=True))


# --- The profile page -------------------------------------------------------------------------


def test_invite_from_a_profile(admin, solicitud, cuentas, sent):
    client = client_for(admin)
    page = client.get(reverse("directorio:perfil", args=[cuentas["a"].pk])).content.decode()
    assert "Invitar a una solicitud de información" in page
    assert f'action="{reverse("information_requests:invitar", args=[solicitud.pk])}"' in page
    assert f'<option value="{solicitud.pk}">Cotización de computadores' in page
    assert f'name="cuentas" value="{cuentas["a"].pk}"' in page

    response = sent(
        client.post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"solicitud": solicitud.pk, "cuentas": cuentas["a"].pk, "accion": "manual"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("information_requests:detalle", args=[solicitud.pk]), 302)]
    assert "Invitación en curso para 1 cuenta; el avance se ve en esta página." in response.content.decode()
    # The run ran after the commit: the request's page shows it done.
    page = client.get(reverse("information_requests:detalle", args=[solicitud.pk])).content.decode()
    assert '<dd id="n-invitados">1</dd>' in page and "1 de 1" in page
    assert _invited(solicitud) == {cuentas["a"].pk}


def test_the_profile_form_names_the_request_chosen(admin, entidad, solicitud, cuentas, sent):
    otra = crear(entidad, admin, titulo="Cotización de impresoras")
    page = client_for(admin).get(reverse("directorio:perfil", args=[cuentas["a"].pk])).content.decode()
    assert f'<option value="{otra.pk}">Cotización de impresoras' in page
    response = sent(
        client_for(admin).post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"solicitud": otra.pk, "cuentas": cuentas["a"].pk, "accion": "manual"},
    )
    assert response["Location"] == reverse("information_requests:detalle", args=[otra.pk])
    assert _invited(otra) == {cuentas["a"].pk} and _invited(solicitud) == set()


def test_without_open_requests_the_profile_links_to_a_new_one(admin, cuentas):
    page = client_for(admin).get(reverse("directorio:perfil", args=[cuentas["a"].pk])).content.decode()
    assert "Su Entidad no tiene solicitudes de información abiertas." in page
    assert f'href="{reverse("information_requests:nueva")}">Nueva solicitud</a>' in page
    assert 'name="cuentas"' not in page


def test_an_account_that_does_not_supply_offers_no_invitation(admin, solicitud, cuentas):
    page = client_for(admin).get(reverse("directorio:perfil", args=[cuentas["e"].pk])).content.decode()
    assert "Esta cuenta no actúa como Proveedor" in page and 'name="cuentas"' not in page


def test_without_the_permission_there_is_no_form_and_the_post_is_refused(comprador, gestor, solicitud, cuentas):
    for path in (reverse("directorio:perfil", args=[cuentas["a"].pk]), reverse("directorio:buscar") + "?q=comp"):
        assert "Invitar a una solicitud de información" not in client_for(comprador).get(path).content.decode()
        assert "Invitar a una solicitud de información" in client_for(gestor).get(path).content.decode()
    supplier_user = MembresiaFactory(entidad=cuentas["a"]).usuario
    assert (
        "Invitar a una solicitud"
        not in client_for(supplier_user).get(reverse("directorio:perfil", args=[cuentas["b"].pk])).content.decode()
    )
    url = reverse("information_requests:invitar", args=[solicitud.pk])
    for data in (
        {"solicitud": solicitud.pk, "cuentas": cuentas["a"].pk, "accion": "manual"},
        {"solicitud": solicitud.pk, "accion": "todos", **SEARCH},
    ):
        assert client_for(comprador).post(url, data).status_code == 403
    assert not InvitacionSolicitud.objects.exists() and not EnvioInvitaciones.objects.exists()


def test_another_entitys_request_is_not_found(admin, entidad, solicitud, cuentas):
    otra_entidad = cuenta("ALCALDIA DE BELLO", tipo="entidad_estatal", municipio="05088")
    otro_admin = MembresiaFactory(entidad=otra_entidad).usuario
    ajena = crear(otra_entidad, otro_admin, titulo="Ajena")
    client = client_for(admin)
    # The request named in the form, or in the address: neither is found.
    for pk, named in ((solicitud.pk, ajena.pk), (ajena.pk, solicitud.pk), (ajena.pk, "")):
        response = client.post(
            reverse("information_requests:invitar", args=[pk]),
            {"solicitud": named, "cuentas": cuentas["a"].pk, "accion": "manual"},
        )
        assert response.status_code == 404
    page = client.get(reverse("directorio:perfil", args=[cuentas["a"].pk])).content.decode()
    assert "Ajena" not in page
    assert not InvitacionSolicitud.objects.exists()


# --- The results page -------------------------------------------------------------------------


def test_results_have_checkboxes_for_suppliers_only(admin, solicitud, cuentas):
    page = client_for(admin).get(reverse("directorio:buscar"), {"q": "computadores"}).content.decode()
    assert 'id="invitar-resultados"' in page
    for key in ("a", "b", "ep", "bogota"):
        assert (
            f'name="cuentas" value="{cuentas[key].pk}" id="invitar-{cuentas[key].pk}" form="invitar-resultados"' in page
        )
    assert f'name="cuentas" value="{cuentas["e"].pk}"' not in page
    # The search travels with the form (never its page cursor).
    assert '<input type="hidden" name="q" value="computadores">' in page


def test_invite_the_results_chosen(admin, solicitud, cuentas, sent):
    response = sent(
        client_for(admin).post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"solicitud": solicitud.pk, "accion": "manual", "cuentas": [cuentas["a"].pk, cuentas["bogota"].pk], **SEARCH},
    )
    assert response.status_code == 302
    assert _invited(solicitud) == {cuentas["a"].pk, cuentas["bogota"].pk}


def test_choosing_none_is_refused_clearly(admin, solicitud, cuentas):
    response = client_for(admin).post(
        reverse("information_requests:invitar", args=[solicitud.pk]), {"solicitud": solicitud.pk, "accion": "manual"}
    )
    assert response.status_code == 400 and "Elija al menos un Proveedor." in response.content.decode()
    assert not EnvioInvitaciones.objects.exists()


def test_invite_all_the_results_with_their_filters(admin, solicitud, cuentas, sent, monkeypatch):
    import registro.entities.directory.search as search

    monkeypatch.setattr(search, "PAGE_SIZE", 1)  # all the results, not the page
    response = sent(
        client_for(admin).post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"solicitud": solicitud.pk, "accion": "todos", **SEARCH, "tipo": ["proveedor", "entidad_proveedor"]},
        follow=True,
    )
    page = response.content.decode()
    assert "Invitaciones en curso para 4 Proveedores de los resultados del Directorio" in page
    assert "se invitó a los primeros" not in page
    assert _invited(solicitud) == {cuentas[k].pk for k in ("a", "b", "c", "ep")}


def test_all_the_results_are_capped_in_the_results_order(admin, solicitud, cuentas, sent, settings):
    settings.SOLICITUD_INVITACIONES_MANUALES_MAX = 2
    page = client_for(admin).get(reverse("directorio:buscar"), SEARCH).content.decode()
    assert "se invitarán los primeros 2 Proveedores" in page
    response = sent(
        client_for(admin).post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"solicitud": solicitud.pk, "accion": "todos", **SEARCH},
        follow=True,
    )
    page = response.content.decode()
    assert "Los resultados pasaban de 2: se invitó a los primeros 2." in page
    # By name: ANDINOS, BAJO CAUCA (the entity that does not supply is skipped wherever it sorts).
    assert _invited(solicitud) == {cuentas["a"].pk, cuentas["b"].pk}


def test_below_the_cap_no_warning(admin, solicitud, cuentas):
    page = client_for(admin).get(reverse("directorio:buscar"), SEARCH).content.decode()
    assert "se invitarán los primeros" not in page and "Invitar a todos los resultados" in page


def test_all_the_results_by_nit_and_by_relevance(admin, solicitud, cuentas, sent):
    nit = cuentas["c"].nit
    sent(
        client_for(admin).post,
        reverse("information_requests:invitar", args=[solicitud.pk]),
        {"solicitud": solicitud.pk, "accion": "todos", "q": nit},
    )
    assert _invited(solicitud) == {cuentas["c"].pk}


def test_results_without_suppliers_or_with_bad_filters_are_refused(admin, solicitud, cuentas):
    client = client_for(admin)
    url = reverse("information_requests:invitar", args=[solicitud.pk])
    response = client.post(url, {"solicitud": solicitud.pk, "accion": "todos", "q": "computadores entidad"})
    assert response.status_code == 400
    assert "Ninguno de los resultados de la búsqueda es un Proveedor activo." in response.content.decode()
    response = client.post(url, {"solicitud": solicitud.pk, "accion": "todos", "unspsc": "4"})
    assert (
        response.status_code == 400 and "Escriba un código UNSPSC de 2, 4, 6 u 8 dígitos" in response.content.decode()
    )
    assert not EnvioInvitaciones.objects.exists()


def test_without_open_requests_the_results_link_to_a_new_one(admin, cuentas):
    page = client_for(admin).get(reverse("directorio:buscar"), {"q": "computadores"}).content.decode()
    assert "Su Entidad no tiene solicitudes de información abiertas." in page
    assert 'form="invitar-resultados"' not in page


# --- The API ----------------------------------------------------------------------------------


def test_api_invites_the_results_of_a_directory_search(admin, solicitud, cuentas, sent, settings):
    client = client_for(admin)
    url = f"{BASE}/{solicitud.pk}/invitaciones"
    response = sent(client.post, url, {"directorio": SEARCH}, content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["origen"] == "manual" and body["total"] == 4 and body["excedio_tope"] is False
    assert _invited(solicitud) == {cuentas[k].pk for k in ("a", "b", "c", "ep")}

    settings.SOLICITUD_INVITACIONES_MANUALES_MAX = 1
    otra = crear(solicitud.entidad, admin, titulo="Otra")
    response = sent(
        client.post, f"{BASE}/{otra.pk}/invitaciones", {"directorio": SEARCH}, content_type="application/json"
    )
    assert response.status_code == 202 and response.json()["excedio_tope"] is True
    assert _invited(otra) == {cuentas["a"].pk}


def test_api_directory_filters_are_validated(admin, comprador, solicitud, cuentas):
    client = client_for(admin)
    url = f"{BASE}/{solicitud.pk}/invitaciones"
    response = client.post(url, {"directorio": {"unspsc": "4"}}, content_type="application/json")
    assert response.status_code == 422 and "unspsc" in response.json()["detail"]["fields"]
    response = client.post(url, {"directorio": SEARCH, "cuentas": [cuentas["a"].pk]}, content_type="application/json")
    assert response.status_code == 422
    assert client_for(comprador).post(url, {"directorio": SEARCH}, content_type="application/json").status_code == 403
    otro = MembresiaFactory(entidad=cuenta("ALCALDIA DE BELLO", tipo="entidad_estatal")).usuario
    assert client_for(otro).post(url, {"directorio": SEARCH}, content_type="application/json").status_code == 404
    assert not EnvioInvitaciones.objects.exists()
