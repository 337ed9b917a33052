"""The headers every response carries (CSP, Permissions-Policy, nosniff, framing), the HTTPS ones
the production configuration turns on, and templates with no inline script or style for the CSP
to block."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.entities.conftest import pdf_bytes
from tests.factories import EntidadFactory, MembresiaFactory

ROOT = Path(__file__).resolve().parents[2]


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def _assert_common(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def _assert_page_policy(response):
    csp = _csp(response)
    assert csp["script-src"] == "script-src 'self'"
    assert csp["style-src"] == "style-src 'self'"
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_html_page_headers(client):
    response = client.get("/cuentas/login/")
    assert response.status_code == 200
    _assert_common(response)
    _assert_page_policy(response)


@pytest.mark.django_db
def test_api_response_headers(client):
    response = client.get("/api/v1/reference/departamentos")
    assert response.status_code == 200
    _assert_common(response)
    _assert_page_policy(response)


@pytest.mark.django_db
def test_download_headers(client, user):
    from registro.entities.registration.services import documento_stored

    entidad = EntidadFactory()
    MembresiaFactory(usuario=user, entidad=entidad)
    uploaded = SimpleUploadedFile("rut.pdf", pdf_bytes(), content_type="application/pdf")
    with documento_stored(tipo="rut", uploaded=uploaded, user=user) as documento:
        documento.entidad = entidad
        documento.save()
    client.force_login(user)
    response = client.get(f"/entidades/documentos/{documento.pk}/")
    assert response.status_code == 200
    _assert_common(response)
    # The file's own policy: a browser that renders it anyway runs nothing from it.
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.django_db
def test_https_redirect_and_hsts_when_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/cuentas/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    secure = client.get("/cuentas/login/", secure=True)
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    # A load balancer's health probe over plain HTTP is not redirected.
    assert client.get("/healthz").status_code == 200


def _settings_with(env: dict) -> dict:
    code = (
        "import json, config.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_PROXY_SSL_HEADER')}))"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("HTTPS", "BEHIND_TLS_PROXY", "SECURE_COOKIES")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "SECRET_KEY": "x", "DEBUG": "0", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_production_https_turns_on_redirect_hsts_and_secure_cookies():
    off = _settings_with({})
    assert off["SECURE_SSL_REDIRECT"] is False and off["SECURE_HSTS_SECONDS"] == 0
    assert off["SESSION_COOKIE_SECURE"] is False
    for env in ({"HTTPS": "1"}, {"BEHIND_TLS_PROXY": "1"}):
        on = _settings_with(env)
        assert on["SECURE_SSL_REDIRECT"] is True
        assert on["SECURE_HSTS_SECONDS"] >= 31536000
        assert on["SESSION_COOKIE_SECURE"] is True and on["CSRF_COOKIE_SECURE"] is True
    assert _settings_with({"BEHIND_TLS_PROXY": "1"})["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"")


def test_templates_have_no_inline_script_or_style():
    """E-mails are not served pages: their inline styles are what mail clients need."""
    offenders = []
    for path in (ROOT / "registro" / "templates").rglob("*.html"):
        if "email" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if INLINE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert offenders == []


def test_inline_pattern_catches_what_the_csp_blocks():
    for snippet in ("<script>alert(1)</script>", '<div style="color:red">', "<style>p{}</style>", '<a onclick="x()">'):
        assert INLINE.search(snippet)
    for snippet in ('<script src="/static/x.js" defer></script>', '<script type="application/json" id="s">'):
        assert not INLINE.search(snippet)
