"""Django's own error pages are in English; ours are in Spanish, in the site's layout."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.urls import path

import config.urls


def _boom(request):
    raise RuntimeError("boom")


def _bad(request):
    raise SuspiciousOperation("bad")


urlpatterns = [*config.urls.urlpatterns, path("boom/", _boom), path("bad/", _bad)]
handler400 = getattr(config.urls, "handler400", "django.views.defaults.bad_request")
handler404 = getattr(config.urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(config.urls, "handler500", "django.views.defaults.server_error")


@pytest.mark.django_db
def test_404_page_is_spanish_in_the_layout(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Página no encontrada" in html and 'lang="es-CO"' in html and "Volver al inicio" in html
    assert "Not Found" not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_error_pages")
def test_500_page_is_spanish(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Algo falló de nuestro lado" in html and 'lang="es-CO"' in html
    assert "Server Error" not in html


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_error_pages")
def test_400_page_is_spanish(client):
    response = client.get("/bad/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Solicitud no válida" in html
    assert "Bad Request" not in html


@pytest.mark.django_db
def test_403_page_is_spanish(client, settings):
    # A CSRF failure is a 403 rendered by Django unless the site has its own template.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/cuentas/login/", {"login": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Forbidden" not in html
    assert 'lang="es-CO"' in html and "No pudimos verificar el formulario" in html


def _api_boom(request):
    raise RuntimeError("boom")


def _api_bad(request):
    raise SuspiciousOperation("bad")


urlpatterns += [path("api/v1/boom/", _api_boom), path("api/v1/bad/", _api_bad)]


def _envelope(response, status: int, code: str):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code and body["message"] and body["detail"] == {}


@pytest.mark.django_db
def test_unknown_api_address_answers_the_json_envelope(client):
    _envelope(client.get("/api/v1/no-existe"), 404, "not_found")


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_error_pages")
def test_api_server_error_and_bad_request_answer_the_json_envelope(client):
    client.raise_request_exception = False
    _envelope(client.get("/api/v1/boom/"), 500, "server_error")
    _envelope(client.get("/api/v1/bad/"), 400, "bad_request")
