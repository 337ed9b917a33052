"""The Directorio's pages: who gets them, the search page, the commercial profile (what it shows
and what it never shows), the documents visible there and their recorded downloads."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from registro.core.models import ClasificacionEntidad, Municipio
from registro.entities.directory.models import DescargaDocumento
from tests.entities.directory_data import cuenta, documento
from tests.factories import DeskUserFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference(reference_data):
    pass


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def comprador():
    """A plain member (Comprador) of an active Entidad Estatal."""
    entidad = cuenta("ALCALDIA DE MEDELLIN", tipo="entidad_estatal", municipio="05001")
    return MembresiaFactory(entidad=entidad, rol="comprador").usuario


@pytest.fixture
def proveedor_user():
    """The Administrador of an active supplier account."""
    return MembresiaFactory(entidad=cuenta("SUMINISTROS DEL VALLE SAS")).usuario


@pytest.fixture
def perfil():
    e = cuenta(
        "COMPUTADORES DEL SUR SAS",
        nit="900123456",
        municipio="05001",
        areas=("43211503", "72101507"),
        tamano="pequena",
        mipyme=True,
        tipo_empresa="sas",
        telefono="6043855555",
        correo_notificaciones="ventas@computadoresdelsur.com.co",
    )
    e.perfil.direccion = "Calle 10 # 43-12"
    e.perfil.sitio_web = "https://computadoresdelsur.com.co"
    e.perfil.representante_nombre = "Laura Restrepo"
    e.perfil.representante_numero_documento = "43555666"
    e.perfil.representante_correo = "laura.restrepo@gmail.com"
    e.perfil.representante_telefono = "3105556677"
    e.perfil.anio_fiscal = 2025
    e.perfil.activos = 1500000000
    e.perfil.save()
    return e


# --- Who gets the directory -------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, perfil):
    for path in ("/directorio/", f"/directorio/{perfil.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/cuentas/login/")


def test_users_of_no_account_and_the_desk_are_sent_to_section_3(perfil):
    for user in (UserFactory(), DeskUserFactory()):
        response = client_for(user).get("/directorio/")
        assert response.status_code == 302 and response["Location"] == "/entidades/"
        assert client_for(user).get(f"/directorio/{perfil.pk}/")["Location"] == "/entidades/"


@pytest.mark.parametrize("estado", ["pendiente", "suspendida", "requiere_correccion"])
def test_users_acting_for_an_account_not_active_get_no_directory(estado, perfil):
    e = cuenta("CUENTA NO ACTIVA", estado=estado)
    client = client_for(MembresiaFactory(entidad=e).usuario)
    for path in ("/directorio/", f"/directorio/{perfil.pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == f"/entidades/{e.pk}/registrada/"


def test_entity_and_supplier_users_both_search(comprador, proveedor_user, perfil):
    for user in (comprador, proveedor_user):
        response = client_for(user).get("/directorio/", {"q": "computadores"})
        assert response.status_code == 200
        assert "COMPUTADORES DEL SUR SAS" in response.content.decode()


def test_the_header_links_to_the_directory_for_active_accounts_only(comprador):
    assert 'href="/directorio/"' in client_for(comprador).get("/entidad/").content.decode()
    pending = MembresiaFactory(entidad=cuenta("PENDIENTE SAS", estado="pendiente")).usuario
    assert 'href="/directorio/"' not in client_for(pending).get("/entidades/").content.decode()


# --- The search page ----------------------------------------------------------------------------


def test_the_search_page_shows_each_result_and_a_count(comprador, perfil):
    html = client_for(comprador).get("/directorio/", {"q": "Computadores Sur"}).content.decode()
    assert f'href="/directorio/{perfil.pk}/"' in html
    assert perfil.nit_con_dv in html and "MEDELLÍN, ANTIOQUIA" in html
    assert "43211503" in html and "Computadores notebook" in html
    assert '<span class="badge">MiPyme</span>' in html
    assert "1 cuenta encontrada." in html


def test_thousands_are_written_with_a_dot(comprador, monkeypatch):
    from registro.entities.directory import search

    monkeypatch.setattr(search, "COUNT_LIMIT", 1500)
    monkeypatch.setattr(search, "GATHER_LIMIT", 1500)
    monkeypatch.setattr(search, "WALK_BUDGET", 1)
    page = search.Pagina(resultados=[], total=1500, total_exacto=False)
    monkeypatch.setattr(search, "search", lambda *a, **k: page)
    assert "Más de 1.500 cuentas encontradas." in client_for(comprador).get("/directorio/").content.decode()


def test_more_than_the_limit_is_shown_as_more_than(comprador, monkeypatch):
    from registro.entities.directory import search

    monkeypatch.setattr(search, "COUNT_LIMIT", 1)
    monkeypatch.setattr(search, "GATHER_LIMIT", 1)
    cuenta("OTRA CUENTA SAS")
    html = client_for(comprador).get("/directorio/").content.decode()
    assert "Más de 1 cuentas encontradas." in html


def test_pages_link_to_the_next_and_previous_page_keeping_the_filters(comprador, monkeypatch):
    from registro.entities.directory import search

    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    for n in range(5):
        cuenta(f"SUMINISTROS {n}", departamento="05")
    client = client_for(comprador)
    first = client.get("/directorio/", {"q": "suministros", "departamento": "05"})
    nxt = first.context["siguiente_url"]
    assert "q=suministros" in nxt and "departamento=05" in nxt and "cursor=" in nxt
    assert first.context["anterior_url"] == ""
    second = client.get("/directorio/" + nxt)
    assert [r.nombre for r in second.context["pagina"].resultados] == ["SUMINISTROS 2", "SUMINISTROS 3"]
    back = client.get("/directorio/" + second.context["anterior_url"])
    assert [r.nombre for r in back.context["pagina"].resultados] == ["SUMINISTROS 0", "SUMINISTROS 1"]
    html = second.content.decode()
    assert "Anterior" in html and "Siguiente" in html


def test_bad_filters_are_listed_in_the_error_summary_and_nothing_is_searched(comprador):
    response = client_for(comprador).get(
        "/directorio/", {"q": "x", "unspsc": "19", "departamento": "11", "municipio": "05001"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and response.context["pagina"] is None
    assert 'id="resumen-errores"' in html
    assert 'href="#id_unspsc"' in html and "El código UNSPSC 19 no existe en el clasificador." in html
    assert 'href="#id_municipio"' in html and "MEDELLÍN no es un municipio de BOGOTÁ, D.C.." in html


def test_a_unspsc_name_matching_several_codes_offers_each_as_a_link_keeping_the_search(comprador):
    response = client_for(comprador).get(
        "/directorio/", {"q": "cultivos", "unspsc": "amsterdam organica", "cursor": "x", "mipyme": "on"}
    )
    html = response.content.decode()
    assert response.context["pagina"] is None
    assert "4 códigos UNSPSC tienen «amsterdam organica» en su nombre" in html
    links = [url for _c, url in response.context["unspsc_opciones"]]
    assert links[0] == "?q=cultivos&unspsc=50412501&mipyme=on"
    assert f'<a href="{links[0].replace("&", "&amp;")}">Producto 50412501: Zanahoria amsterdam orgánica</a>' in html
    chosen = client_for(comprador).get("/directorio/" + links[0])
    assert chosen.context["pagina"] is not None
    assert "Producto 50412501: Zanahoria amsterdam orgánica" in chosen.content.decode()


def test_a_tampered_cursor_is_a_clear_error(comprador):
    html = client_for(comprador).get("/directorio/", {"cursor": "no-es-un-cursor"}).content.decode()
    assert "La página pedida no es válida. Vuelva a buscar desde la primera página." in html


def test_municipalities_offered_are_those_of_the_department_chosen(comprador):
    client = client_for(comprador)
    assert list(client.get("/directorio/").context["municipios"]) == []
    offered = client.get("/directorio/", {"departamento": "05"}).context["municipios"]
    assert {m.departamento_id for m in offered} == {"05"} and len(offered) == 125
    html = client.get("/directorio/", {"departamento": "05", "municipio": "05360"}).content.decode()
    select = html[
        html.index('<select name="municipio"') : html.index("</select>", html.index('<select name="municipio"'))
    ]
    assert select.count("<option") == 126 and select.count(" selected") == 1
    assert '<option value="05360" selected>ITAGÜÍ</option>' in select
    assert '<option value="05001">MEDELLÍN</option>' in select


def test_a_departments_municipalities_come_from_the_kept_list(comprador):
    """Offered by name, like the rest; read with the list, not once a page."""
    client = client_for(comprador)
    client.get("/directorio/", {"departamento": "05"})
    with CaptureQueriesContext(connection) as ctx:
        offered = client.get("/directorio/", {"municipio": "05360"}).context["municipios"]
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "core_municipio"')]
    by_name = Municipio.objects.filter(departamento_id="05").order_by("nombre").values_list("pk", flat=True)
    assert [m.pk for m in offered] == list(by_name) and len(offered) == 125


# --- The commercial profile ---------------------------------------------------------------------------


def test_the_profile_shows_public_fields_areas_and_contact(comprador, perfil):
    html = client_for(comprador).get(f"/directorio/{perfil.pk}/").content.decode()
    for text in (
        "COMPUTADORES DEL SUR SAS",
        perfil.nit_con_dv,
        "Sociedad por Acciones Simplificada",
        "Pequeña empresa",
        "MEDELLÍN, ANTIOQUIA",
        "Calle 10 # 43-12",
        "https://computadoresdelsur.com.co",
        "Laura Restrepo",
        "ventas@computadoresdelsur.com.co",
        "6043855555",
        "43211503",
        "Computadores notebook",
        "72101507",
        "Servicio de mantenimiento de edificios",
        "$ 1.500.000.000",
    ):
        assert text in html, text
    # The legal representative's own document and contacts are personal data.
    for text in ("43555666", "laura.restrepo@gmail.com", "3105556677"):
        assert text not in html


def test_an_entity_shows_its_classification(comprador):
    orden = ClasificacionEntidad.objects.get(campo="orden", valor="Territorial")
    rama = ClasificacionEntidad.objects.get(campo="rama", valor="Ejecutiva")
    sector = ClasificacionEntidad.objects.filter(campo="sector").first()
    e = cuenta("GOBERNACION DE CALDAS", tipo="entidad_estatal", orden=orden, rama=rama, sector=sector)
    html = client_for(comprador).get(f"/directorio/{e.pk}/").content.decode()
    assert "Clasificación de la Entidad" in html
    for value in ("Territorial", "Ejecutiva", sector.valor):
        assert f"<dd>{value}</dd>" in html


def test_a_natural_persons_number_and_contacts_are_never_shown(comprador):
    e = cuenta(
        "MARIA PEREZ GOMEZ",
        nit="52123456",
        persona="natural",
        tipo_empresa="persona-natural-colombiana",
        telefono="3001112233",
        correo_notificaciones="maria.perez@gmail.com",
    )
    e.perfil.numero_documento = "52123456"
    e.perfil.tipo_documento = "CC"
    e.perfil.direccion = "Carrera 7 # 1-2 apto 301"
    e.perfil.save()
    html = client_for(comprador).get(f"/directorio/{e.pk}/").content.decode()
    assert "MARIA PEREZ GOMEZ" in html and "Persona natural" in html
    for text in ("52123456", "3001112233", "maria.perez@gmail.com", "Carrera 7"):
        assert text not in html, text
    api = client_for(comprador).get(f"/api/v1/directorio/cuentas/{e.pk}").content.decode()
    for text in ("52123456", "3001112233", "maria.perez@gmail.com", "Carrera 7"):
        assert text not in api, text


@pytest.mark.parametrize("estado", ["pendiente", "suspendida", "rechazada", "requiere_correccion"])
def test_profiles_of_accounts_not_active_are_not_found(comprador, estado):
    e = cuenta("CUENTA OCULTA", estado=estado)
    assert client_for(comprador).get(f"/directorio/{e.pk}/").status_code == 404
    assert client_for(comprador).get("/directorio/999999999/").status_code == 404


def test_the_invitation_action_is_for_entity_users_who_manage_requests(comprador, proveedor_user, perfil):
    """The form itself is tested with information requests (tests/information_requests)."""
    admin = MembresiaFactory(entidad=cuenta("ALCALDIA DE ITAGUI", tipo="entidad_estatal")).usuario
    assert 'id="invitar-solicitud"' in client_for(admin).get(f"/directorio/{perfil.pk}/").content.decode()
    for user in (comprador, proveedor_user):  # a Comprador lacks "gestionar solicitudes de información"
        assert 'id="invitar-solicitud"' not in client_for(user).get(f"/directorio/{perfil.pk}/").content.decode()


# --- Documents ----------------------------------------------------------------------------------------


@pytest.fixture
def docs(perfil):
    rut = documento(perfil, "rut")
    exp_v1 = documento(perfil, "experiencia", titulo="Contratos 2024", version=1, vigente=False)
    exp_v2 = documento(perfil, "experiencia", titulo="Contratos 2024", version=2)
    privado = documento(perfil, "estados_financieros", titulo="Balance 2025", visibilidad="privado")
    # Hidden now: its current version is private, so its earlier public version is hidden too.
    oculto_v1 = documento(perfil, "otro", titulo="Portafolio", version=1, vigente=False)
    oculto_v2 = documento(perfil, "otro", titulo="Portafolio", version=2, visibilidad="privado")
    return {
        "rut": rut,
        "exp_v1": exp_v1,
        "exp_v2": exp_v2,
        "privado": privado,
        "oculto_v1": oculto_v1,
        "oculto_v2": oculto_v2,
    }


def test_the_profile_lists_visible_documents_with_their_versions(comprador, perfil, docs):
    html = client_for(comprador).get(f"/directorio/{perfil.pk}/").content.decode()
    for key in ("rut", "exp_v1", "exp_v2"):
        assert f'href="/directorio/documentos/{docs[key].pk}/"' in html
    assert "1 versión anterior" in html and "Experiencia: Contratos 2024" in html
    for key in ("privado", "oculto_v1", "oculto_v2"):
        assert f"/directorio/documentos/{docs[key].pk}/" not in html
    assert "Balance 2025" not in html and "Portafolio" not in html


def test_a_download_is_recorded_with_the_user_and_the_acting_account(comprador, perfil, docs):
    response = client_for(comprador).get(f"/directorio/documentos/{docs['exp_v1'].pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    (descarga,) = DescargaDocumento.objects.all()
    acting_account = comprador.membresias.get().entidad
    assert (descarga.documento, descarga.usuario, descarga.cuenta_actuante) == (
        docs["exp_v1"],
        comprador,
        acting_account,
    )


def test_private_and_hidden_documents_never_download_through_the_directory(comprador, proveedor_user, perfil, docs):
    for user in (comprador, proveedor_user):
        for key in ("privado", "oculto_v1", "oculto_v2"):
            assert client_for(user).get(f"/directorio/documentos/{docs[key].pk}/").status_code == 404
    assert not DescargaDocumento.objects.exists()


def test_documents_of_an_account_suspended_later_no_longer_download(comprador, perfil, docs):
    from registro.entities.account.models import Entidad

    Entidad.objects.filter(pk=perfil.pk).update(estado="suspendida")  # as the desk's transition leaves it
    assert client_for(comprador).get(f"/directorio/documentos/{docs['rut'].pk}/").status_code == 404
    assert not DescargaDocumento.objects.exists()


def test_users_of_accounts_not_active_and_anonymous_cannot_download(client, perfil, docs):
    pending = MembresiaFactory(entidad=cuenta("PENDIENTE SAS", estado="pendiente")).usuario
    assert client_for(pending).get(f"/directorio/documentos/{docs['rut'].pk}/").status_code == 302
    assert client.get(f"/directorio/documentos/{docs['rut'].pk}/").status_code == 302
    assert client_for(UserFactory()).get(f"/directorio/documentos/{docs['rut'].pk}/")["Location"] == "/entidades/"
    assert not DescargaDocumento.objects.exists()


def test_the_registration_download_still_serves_only_the_owner_and_the_desk(comprador, perfil, docs):
    """The directory's reader is passed by the directory's download only: the registration's own
    address stays for the account's users and the desk."""
    assert client_for(comprador).get(f"/entidades/documentos/{docs['rut'].pk}/").status_code == 404
    owner = MembresiaFactory(entidad=perfil, rol="comprador").usuario
    assert client_for(owner).get(f"/entidades/documentos/{docs['privado'].pk}/").status_code == 200
