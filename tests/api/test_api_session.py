"""The ninja API (/api/v1/) as the site's own pages call it: with the browser's session cookie, where
CSRF protects every unsafe method; plus its public parts (documentation, reference lists, entity search)."""

import json
import re

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from config.api import api
from registro.accounts import api_auth
from registro.accounts.models import AccessEvent, DocumentType, User
from tests.factories import PASSWORD, DeskUserFactory, EntidadFactory, UserFactory

pytestmark = pytest.mark.django_db


def profile_payload(user, **overrides):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "document_type": user.document_type,
        "document_number": user.document_number,
        "phone": user.phone,
        "time_zone": user.time_zone,
    }
    data.update(overrides)
    return data


@pytest.fixture
def browser(user):
    """A logged-in browser whose requests go through Django's real CSRF checks."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_pair() -> tuple[str, str]:
    """A CSRF cookie and the matching masked token a page would embed, as Django itself makes them."""
    request = RequestFactory().get("/")
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


# --- Session cookie and CSRF ----------------------------------------------------------------------


def test_safe_methods_need_no_csrf_token(browser, user):
    response = browser.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_unsafe_method_without_csrf_token_is_refused(browser, user):
    cookie, _ = csrf_pair()
    browser.cookies["csrftoken"] = cookie  # the cookie alone (sent by any site) is not enough

    response = browser.patch("/api/v1/me", profile_payload(user, last_name="Atacante"), content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert "X-CSRFToken" in response.json()["message"]
    user.refresh_from_db()
    assert user.last_name == "Pérez Gómez"
    assert not AccessEvent.objects.filter(user=user, kind=AccessEvent.Kind.PROFILE_UPDATED).exists()


def test_unsafe_method_with_a_wrong_csrf_token_is_refused(browser, user):
    cookie, _ = csrf_pair()
    _, other_token = csrf_pair()
    browser.cookies["csrftoken"] = cookie
    response = browser.post(
        "/api/v1/me/username",
        {"new_username": "robado", "current_password": PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": other_token},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.username != "robado"


def test_unsafe_method_with_csrf_token_works(browser, user):
    cookie, token = csrf_pair()
    browser.cookies["csrftoken"] = cookie

    response = browser.patch(
        "/api/v1/me",
        profile_payload(user, last_name="Pérez de la Torre"),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.last_name == "Pérez de la Torre"


def test_username_change_through_the_session_keeps_the_browser_logged_in(browser, user):
    cookie, token = csrf_pair()
    browser.cookies["csrftoken"] = cookie
    response = browser.post(
        "/api/v1/me/username",
        {"new_username": "ana.nueva", "current_password": PASSWORD},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    assert browser.get("/api/v1/me").json()["username"] == "ana.nueva"


def test_session_token_header_needs_no_csrf(user):
    # A header cannot be set by another site's form, so the token path is not exposed to CSRF.
    client = Client(enforce_csrf_checks=True)
    login = client.post(
        "/api/v1/auth/app/v1/auth/login",
        {"username": user.username, "password": PASSWORD},
        content_type="application/json",
    )
    token = login.json()["meta"]["session_token"]
    response = client.patch(
        "/api/v1/me",
        profile_payload(user, first_name="Ana Lucía"),
        content_type="application/json",
        headers={"X-Session-Token": token},
    )
    assert response.status_code == 200
    assert response.json()["first_name"] == "Ana Lucía"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me"),
        ("patch", "/api/v1/me"),
        ("post", "/api/v1/me/username"),
        ("get", "/api/v1/me/access-events"),
        ("get", "/api/v1/me/terms"),
        ("post", "/api/v1/me/terms"),
    ],
)
def test_anonymous_gets_401_not_authenticated(client, method, path):
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": "Debe iniciar sesión.", "detail": {}}


def test_inactive_user_session_is_not_authenticated(browser, user):
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = browser.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_user_without_current_terms_is_asked_to_accept(browser, user, settings):
    settings.TERMS_VERSION = "2030-01-01"
    response = browser.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "terms_not_accepted"
    # The terms endpoints themselves stay reachable.
    assert browser.get("/api/v1/me/terms").json()["accepted"] is False


def test_the_terms_are_declared_on_every_authenticated_operation_but_a_few():
    # On the operation's auth, so a new operation cannot forget them in its body. Exempt: the
    # terms' own operations, and the permission catalogue, which shows no one's data.
    exempt = {"me_terms", "me_accept_terms", "permisos"}
    checked = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.auth_callbacks:
                    name = operation.view_func.__name__
                    needs = {api_auth.current_terms in auth.checks for auth in operation.auth_callbacks}
                    assert needs == {name not in exempt}, name
                    checked.add(name)
    assert exempt < checked and len(checked) > 50


def test_the_desk_api_stays_hidden_from_others_without_current_terms(browser, settings):
    # The desk's rule comes before the terms: a 403 asking for them would reveal the operation.
    desk = Client()
    desk.force_login(DeskUserFactory())
    settings.TERMS_VERSION = "2030-01-01"
    response = browser.get("/api/v1/mesa/casos")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = desk.get("/api/v1/mesa/casos")
    assert (response.status_code, response.json()["code"]) == (403, "terms_not_accepted")


# --- Documentation --------------------------------------------------------------------------------


def test_openapi_schema_lists_the_operations_and_their_security(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    for path in [
        "/api/v1/me",
        "/api/v1/me/username",
        "/api/v1/me/access-events",
        "/api/v1/me/terms",
        "/api/v1/reference/document-types",
        "/api/v1/reference/time-zones",
        "/api/v1/entidades/buscar",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/me"]) == {"get", "patch"}
    # Protected operations declare how to authenticate; the public ones declare nothing.
    assert paths["/api/v1/me"]["patch"]["security"]
    assert "security" not in paths["/api/v1/entidades/buscar"]["get"]
    assert paths["/api/v1/me"]["get"]["summary"] == "Configuración del usuario: datos personales"


def test_auth_openapi_schema_documents_our_signup_fields(client):
    response = client.get("/api/v1/auth/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/auth/{client}/v1/auth/signup" in schema["paths"]
    text = response.content.decode()
    for field in ["document_type", "document_number", "entity_name", "time_zone"]:
        assert field in text, field
    yaml = client.get("/api/v1/auth/openapi.yaml")
    assert yaml.status_code == 200
    assert "document_number" in yaml.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/auth/openapi.html"])
def test_documentation_pages_load_nothing_from_other_sites(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=[\"']([^\"']+)", html)
    assert assets, "the page should load its viewer from /static/"
    external = [url for url in assets if re.match(r"(?:https?:)?//", url)]
    assert external == []
    assert "cdn." not in html and "unpkg.com" not in html and "jsdelivr" not in html


# --- Reference lists ------------------------------------------------------------------------------


def test_document_types(client):
    response = client.get("/api/v1/reference/document-types")
    assert response.status_code == 200
    assert response.json() == [{"value": value, "label": str(label)} for value, label in DocumentType.choices]
    assert {"value": "CC", "label": "Cédula de ciudadanía"} in response.json()


def test_time_zones(client):
    response = client.get("/api/v1/reference/time-zones")
    assert response.status_code == 200
    zones = response.json()
    assert zones[0] == {"value": "America/Bogota", "label": "(UTC-05:00) Bogotá, Lima, Quito"}
    values = [zone["value"] for zone in zones]
    assert len(values) == len(set(values))
    assert "Europe/Madrid" in values
    # Every value offered is accepted by the profile.
    user = UserFactory()
    client.force_login(user)
    response = client.patch(
        "/api/v1/me", profile_payload(user, time_zone=zones[-1]["value"]), content_type="application/json"
    )
    assert response.status_code == 200


# --- Entity search --------------------------------------------------------------------------------


@pytest.fixture
def entidades():
    return {
        "pasto": EntidadFactory(nombre="ALCALDÍA MUNICIPAL DE PASTO", nit="891280000"),
        "narino": EntidadFactory(nombre="GOBERNACIÓN DE NARIÑO", nit="800103923"),
        "hospital": EntidadFactory(nombre="E.S.E. Hospital Universitario San Rafael", nit="891280001"),
    }


def search(client, q):
    response = client.get("/api/v1/entidades/buscar", {"q": q})
    assert response.status_code == 200, response.json()
    return [item["nit"] for item in response.json()]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("pasto", ["891280000"]),
        ("Pasto alcaldia", ["891280000"]),  # every word, in any order
        ("ALCALDÍA municipal", ["891280000"]),
        ("gobernacion", ["800103923"]),  # accents typed or not
        ("nariño", ["800103923"]),
        ("hospital rafael", ["891280001"]),
        ("e.s.e. HOSPITAL", ["891280001"]),  # punctuation is ignored on both sides
        ("alcaldia bogota", []),
    ],
)
def test_search_by_name_words_ignoring_case_and_accents(client, entidades, q, expected):
    assert search(client, q) == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("891280000", ["891280000"]),
        ("891.280.000", ["891280000"]),
        ("891280000-1", ["891280000"]),  # with its check digit
        ("891.280.000-1", ["891280000"]),
        (" 891 280 000 ", ["891280000"]),
        ("8912800", ["891280000", "891280001"]),  # a prefix, ordered by NIT
        ("999999999", []),
    ],
)
def test_search_by_nit_with_or_without_dots_dash_and_check_digit(client, entidades, q, expected):
    assert search(client, q) == expected


def test_search_result_fields(client, entidades):
    response = client.get("/api/v1/entidades/buscar", {"q": "pasto"})
    [row] = response.json()
    assert (
        row
        == [
            {
                "id": row["id"],
                "nombre": "ALCALDÍA MUNICIPAL DE PASTO",
                "nit": "891280000",
                "dv": "3",
                "estado": "pendiente",
                "estado_label": "Pendiente de activación",
                "tipo_cuenta": "entidad_estatal",
                "tipo_label": "Entidad Estatal",
                "pais": "CO",
                "id_tributario": "",
            }
        ][0]
    )


def test_search_returns_at_most_twenty(client):
    EntidadFactory.create_batch(25)
    response = client.get("/api/v1/entidades/buscar", {"q": "alcaldia prueba"})
    assert len(response.json()) == 20


@pytest.mark.parametrize("params", [{"q": ""}, {}, {"q": "x" * 256}])
def test_search_without_a_usable_query_is_a_validation_error(client, params):
    response = client.get("/api/v1/entidades/buscar", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["message"] == "Revise los datos enviados."
    assert body["detail"]["errors"][0]["loc"] == ["query", "q"]


def test_objects_not_found_answer_in_the_apis_error_envelope(db):
    from django.test import Client

    from registro.entities.account.models import Entidad
    from tests.factories import EntidadFactory, MembresiaFactory

    own = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    other = MembresiaFactory(entidad=EntidadFactory(estado=Entidad.Estado.ACTIVA))
    client = Client()
    client.force_login(own.usuario)
    for url in [
        "/api/v1/entidad/roles/99999",
        f"/api/v1/entidad/miembros/{other.pk}/suspender",
        "/api/v1/entidades/99999",
    ]:
        response = client.post(url) if url.endswith("suspender") else client.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found" and response.json()["message"], url
    other.refresh_from_db()
    assert other.activa
