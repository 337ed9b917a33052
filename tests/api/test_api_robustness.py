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
