"""Malformed input the API must refuse with a 4xx in its error envelope, never a server error: page
numbers and ids beyond 64 bits, NUL characters and lone surrogates in text, and request bodies
Django itself refuses (multipart without a boundary, JSON over the size limit, too many files)."""

import pytest
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
