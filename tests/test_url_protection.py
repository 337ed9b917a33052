"""Whole-project check: every URL is either public on purpose (listed below, with the reason) or refuses an
anonymous visitor. Adding a URL that is neither makes this test fail: protect the view, or list it here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from registro.api.api import api
from registro.notifications.models import OutboundEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Route (as the resolver spells it) → why anyone may open it.
PUBLIC_ROUTES = {
    "": "home page for visitors",
    "healthz": "health check for the load balancer",
    "cuentas/signup/": "Registrar usuario",
    "cuentas/login/": "Entrar",
    "cuentas/inactive/": "notice shown after a login to a deactivated account",
    "cuentas/confirm-email/": "'we sent you an e-mail' notice after signup",
    "cuentas/confirm-email/<str:key>/": "Confirmar registro, reached from the e-mail",
    r"cuentas/^confirm-email/(?P<key>[-:\w]+)/$": "allauth's own confirmation route, shadowed by ours",
    "cuentas/reenviar-confirmacion/": "resend the confirmation e-mail",
    "cuentas/password/reset/": "¿Olvidó su contraseña?",
    "cuentas/password/reset/done/": "password reset requested",
    r"cuentas/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "new password, from the e-mail",
    "cuentas/password/reset/key/done/": "password reset done",
    "terminos/": "text of the terms and conditions",
    "api/v1/docs": "API documentation",
    "api/v1/openapi.json": "API schema",
    "api/v1/auth/openapi.json": "authentication API schema",
    "api/v1/auth/openapi.yaml": "authentication API schema",
    "api/v1/auth/openapi.html": "authentication API documentation",
    "api/v1/reference/document-types": "reference list used by the signup form",
    "api/v1/reference/time-zones": "reference list used by the signup form",
    "api/v1/entidades/buscar": "public list of registered entities, needed to register",
    "api/v1/reference/departamentos": "DIVIPOLA, public reference data for the entity form",
    "api/v1/reference/municipios": "DIVIPOLA, public reference data for the entity form",
    "api/v1/reference/clasificaciones": "entity classification lists, public reference data",
    "dev/correos/": "developer outbox; 404 unless DEV_OUTBOX (see test below)",
    "dev/correos/<int:email_id>/": "developer outbox; 404 unless DEV_OUTBOX",
    "dev/correos/<int:email_id>/html/": "developer outbox; 404 unless DEV_OUTBOX",
    "admin/login/": "the admin's own login",
    "admin/logout/": "the admin's own logout",
}
# allauth's headless endpoints do their own authentication (signup and login must be open).
PUBLIC_PREFIXES = ("api/v1/auth/app/v1/", "api/v1/auth/browser/v1/")

# ninja operations open to anyone: (method, path).
PUBLIC_API_OPERATIONS = {
    ("GET", "/api/v1/reference/document-types"),
    ("GET", "/api/v1/reference/time-zones"),
    ("GET", "/api/v1/entidades/buscar"),
    ("GET", "/api/v1/reference/departamentos"),
    ("GET", "/api/v1/reference/municipios"),
    ("GET", "/api/v1/reference/clasificaciones"),
}

LOGIN_PAGE = "/cuentas/login/"
ADMIN_LOGIN_PAGE = "/admin/login/"
REFUSALS = {401, 403, 404, 405}

_SAMPLE = {"int": "1", "str": "abc", "slug": "abc", "path": "1", "uuid": "00000000-0000-0000-0000-000000000001"}


def _concrete(pattern) -> str:
    """A URL piece that the pattern matches, with sample values for its parameters."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLE[m.group(1) or "str"], str(pattern))
    assert isinstance(pattern, RegexPattern), pattern

    def sample(match):
        body = match.group(1)
        for candidate in ["1", "abc", body.split("|")[0]]:
            if re.fullmatch(body, candidate):
                return candidate
        raise AssertionError(f"No sample value for {body!r} in {pattern}")

    text = re.sub(r"\(\?P<\w+>((?:[^()]|\([^()]*\))*)\)", sample, str(pattern))
    return text.removeprefix("^").removesuffix("$").replace("\\", "")


def _routes(patterns=None, route="", url="/"):
    """(route, sample URL) for every view in the project, through every include()."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here_route, here_url = route + str(entry.pattern), url + _concrete(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, here_route, here_url)
        else:
            assert isinstance(entry, URLPattern)
            yield here_route, here_url


def _is_public(route: str) -> bool:
    return route in PUBLIC_ROUTES or route.startswith(PUBLIC_PREFIXES)


def _api_operations():
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full_path = "/api/v1" + prefix + path
                for method in operation.methods:
                    yield method, full_path, operation


def test_walk_finds_the_projects_urls():
    # Guards the walk itself: if it silently found nothing, every check below would pass.
    routes = dict(_routes())
    assert len(routes) > 60
    for route in ["usuario/accesos/", "entidades/", "api/v1/me", "cuentas/terminos/", "admin/"]:
        assert route in routes, route
    assert routes["dev/correos/<int:email_id>/html/"] == "/dev/correos/1/html/"
    assert routes[r"cuentas/^confirm-email/(?P<key>[-:\w]+)/$"] == "/cuentas/confirm-email/1/"


def test_every_public_entry_names_an_existing_route():
    # Stale entries would hide a new view that reuses the old route.
    routes = {route for route, _ in _routes()}
    assert set(PUBLIC_ROUTES) - routes == set()
    for prefix in PUBLIC_PREFIXES:
        assert any(route.startswith(prefix) for route in routes), prefix


def test_every_url_is_public_on_purpose_or_refuses_anonymous_visitors(client):
    unprotected = []
    for route, url in _routes():
        response = client.get(url)
        if _is_public(route):
            # Public, but still must not break for an anonymous visitor.
            assert response.status_code < 500, (route, response.status_code)
            continue
        location = response.get("Location", "")
        login_page = ADMIN_LOGIN_PAGE if route.startswith("admin/") else LOGIN_PAGE
        if response.status_code == 302 and location.startswith(login_page):
            continue
        if response.status_code in REFUSALS:
            continue
        unprotected.append((route, url, response.status_code, location))
    assert unprotected == [], "Protect these views or add them to PUBLIC_ROUTES with a reason"


def test_protected_pages_send_the_visitor_back_after_login(client):
    for url in ["/usuario/configuracion/", "/usuario/configuracion/editar/", "/usuario/accesos/", "/entidades/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN_PAGE}?next={url}"


def test_every_api_operation_requires_authentication_unless_public():
    operations = list(_api_operations())
    assert len(operations) >= 9
    found = set()
    for method, path, operation in operations:
        found.add((method, path))
        if (method, path) in PUBLIC_API_OPERATIONS:
            continue
        assert operation.auth_callbacks, f"{method} {path} has no authentication"
    assert PUBLIC_API_OPERATIONS <= found, "stale entries in PUBLIC_API_OPERATIONS"


def test_every_protected_api_operation_answers_401_to_anonymous_callers(client):
    for method, path, operation in _api_operations():
        if (method, path) in PUBLIC_API_OPERATIONS:
            continue
        response = client.generic(method, path, "{}", content_type="application/json")
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"


def test_dev_outbox_is_gone_without_dev_outbox(client, settings):
    email = OutboundEmail.objects.create(
        to=["ana@alcaldia.gov.co"], subject="Confirme su registro", text_body="clave", html_body="<p>clave</p>"
    )
    urls = ["/dev/correos/", f"/dev/correos/{email.pk}/", f"/dev/correos/{email.pk}/html/"]
    # Reachable where the developer turned it on...
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # ...and absent everywhere else, even for an administrator.
    settings.DEV_OUTBOX = False
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
