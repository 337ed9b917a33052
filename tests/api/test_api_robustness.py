"""Malformed input the API must refuse with a 4xx in its error envelope, never a server error: page
numbers and ids beyond 64 bits, NUL characters and lone surrogates in text, and request bodies
Django itself refuses (multipart without a boundary, JSON over the size limit, too many files)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import DeskUserFactory, MembresiaFactory, UserFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # 20 digits: beyond a signed 64-bit integer


def _client(user) -> Client:
    # Server errors come back as the production 500 page instead of being raised in the test.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture
def admin():
    return MembresiaFactory(entidad__estado="activa").usuario


def assert_envelope(response, status: int | None = None):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    return body


# --- Integers beyond 64 bits ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/me/access-events", "/api/v1/mesa/casos"])
def test_a_page_number_beyond_64_bits_is_a_validation_error(path):
    body = assert_envelope(_client(DeskUserFactory()).get(path, {"page": HUGE}), 422)
    assert body["code"] == "validation_error"


def test_a_page_beyond_the_last_is_still_an_empty_page():
    response = _client(UserFactory()).get("/api/v1/me/access-events", {"page": 1000})
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "18446744073709551616"])
def test_an_x_entidad_beyond_64_bits_is_an_unknown_entity(admin, value):
    response = _client(admin).get("/api/v1/entidad/unidades", headers={"X-Entidad": value})
    assert assert_envelope(response, 404)["code"] == "not_found"


def test_an_entidad_activa_beyond_64_bits_is_a_validation_error(admin):
    response = _client(admin).put(
        "/api/v1/me/entidad-activa", f'{{"entidad_id": {HUGE}}}', content_type="application/json"
    )
    assert assert_envelope(response, 422)["code"] == "validation_error"


def test_the_web_switcher_takes_an_entity_beyond_64_bits_as_unknown(admin):
    # The same parsing serves the header's switcher: a 404 page, not a server error.
    response = _client(admin).post("/entidad/cambiar/", {"entidad": HUGE})
    assert response.status_code == 404


def test_ids_beyond_64_bits_in_a_list_are_a_validation_error(admin):
    response = _client(admin).post(
        "/api/v1/entidad/unidades",
        f'{{"nombre": "Unidad", "miembros": [{HUGE}]}}',
        content_type="application/json",
    )
    assert assert_envelope(response, 422)["code"] == "validation_error"


def test_a_path_id_beyond_64_bits_is_a_validation_error(admin):
    response = _client(admin).get(f"/api/v1/entidad/roles/{HUGE}")
    assert assert_envelope(response, 422)["code"] == "validation_error"


def test_a_query_id_beyond_64_bits_is_a_validation_error(admin):
    response = _client(admin).get("/api/v1/entidad/historial", {"desde_id": HUGE})
    assert assert_envelope(response, 422)["code"] == "validation_error"


# --- Text the database cannot store -----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\\u0000", "\\udb28", "a\\ud800b"], ids=["nul", "low-surrogate", "high-surrogate"])
def test_nul_and_lone_surrogates_in_a_json_body_are_a_validation_error(admin, bad):
    # Written as JSON escapes: that is how a client sends them.
    body = '{"nombre": "Unidad ' + bad + '", "descripcion": "x"}'
    response = _client(admin).post("/api/v1/entidad/unidades", body, content_type="application/json")
    body = assert_envelope(response, 422)
    assert body["code"] == "validation_error"
    assert body["detail"]["errors"][0]["loc"][-1] == "nombre"


def test_a_raw_nul_in_json_is_a_bad_request():
    # JSON does not allow control characters unescaped in a string.
    response = _client(UserFactory()).patch("/api/v1/me", b'{"first_name": "a\x00"}', content_type="application/json")
    assert_envelope(response, 400)


def test_nul_in_a_nested_dict_is_a_validation_error():
    client = _client(UserFactory())
    created = client.post(
        "/api/v1/entidades/registros",
        {"registrada_siif": "no", "area_negocio": "publico", "tipo_organizacion": "decreto_1082"},
        content_type="application/json",
    )
    assert created.status_code == 201
    response = client.patch(
        f"/api/v1/entidades/registros/{created.json()['id']}",
        '{"datos": {"nombre\\u0000": "x\\u0000"}}',
        content_type="application/json",
    )
    assert assert_envelope(response, 422)["code"] == "validation_error"


def test_nul_in_a_query_is_a_validation_error():
    # A lone surrogate cannot come in a URL: Django decodes its bytes as UTF-8, replacing errors.
    response = Client(raise_request_exception=False).get("/api/v1/entidades/buscar", {"q": "a\x00b"})
    assert assert_envelope(response, 422)["code"] == "validation_error"


def test_nul_in_a_path_parameter_is_refused():
    response = _client(DeskUserFactory()).get("/api/v1/casos/C%00X")
    assert_envelope(response)


def test_nul_in_a_form_field_is_a_validation_error():
    client = _client(UserFactory())
    response = client.post("/api/v1/casos/C-1/mensajes", {"texto": "hola\x00"})
    assert assert_envelope(response, 422)["code"] == "validation_error"


@pytest.mark.parametrize("header", ["X-Entidad", "X-Session-Token"])
def test_nul_in_a_header_is_a_validation_error(admin, header):
    response = _client(admin).get("/api/v1/entidad/unidades", headers={header: "1\x00"})
    assert assert_envelope(response, 422)["code"] == "validation_error"


def test_nul_in_the_session_cookie_is_a_validation_error():
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abc\x00"
    assert assert_envelope(client.get("/api/v1/me"), 422)["code"] == "validation_error"


# --- Bodies Django refuses before the API parses them --------------------------------------------


def test_multipart_without_a_boundary_is_a_bad_request_in_the_envelope():
    client = _client(UserFactory())
    response = client.generic("POST", "/api/v1/casos/C-1/mensajes", b"texto=hola", content_type="multipart/form-data")
    assert assert_envelope(response, 400)["code"] == "bad_request"


def test_json_over_the_size_limit_is_a_bad_request_in_the_envelope(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = _client(UserFactory())
    payload = json.dumps({"first_name": "a" * 2000})
    response = client.patch("/api/v1/me", payload, content_type="application/json")
    assert assert_envelope(response, 413)["code"] == "request_too_large"


def test_too_many_file_parts_is_a_bad_request_in_the_envelope(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    client = _client(UserFactory())
    files = {f"f{i}": (f"f{i}.txt", b"x") for i in range(3)}
    data = {"texto": "hola", **{name: SimpleUploadedFile(n, c) for name, (n, c) in files.items()}}
    response = client.post("/api/v1/casos/C-1/mensajes", data)
    assert assert_envelope(response, 400)["code"] == "bad_request"


def test_too_many_fields_is_a_bad_request_in_the_envelope(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    client = _client(UserFactory())
    response = client.post("/api/v1/casos/C-1/mensajes", {"texto": "hola", "a": "1", "b": "2"})
    assert assert_envelope(response, 400)["code"] == "bad_request"


def test_web_pages_keep_their_html_error_page():
    # Outside /api/ the same refusal is Django's HTML 400 page.
    client = _client(UserFactory())
    response = client.generic("POST", "/usuario/configuracion/editar/", b"x", content_type="multipart/form-data")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_the_authentication_api_answers_a_body_too_large_in_its_own_json(settings):
    # allauth's views read the body outside ninja: Django's handler400, in allauth's error shape.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client = Client(raise_request_exception=False)
    payload = json.dumps({"username": "a" * 200, "password": "x"})
    response = client.post("/api/v1/auth/app/v1/auth/login", payload, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"
