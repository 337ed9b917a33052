"""Structured logs (docs/adr/0020): every record carries the request id (the trusted proxy's, or
one of ours, echoed in X-Request-ID), the user and the acting account; passwords and tokens never
reach the output."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils.module_loading import import_string

from tests.factories import PASSWORD, MembresiaFactory, UserFactory, account_factory

ROOT = Path(__file__).resolve().parents[2]
SECRETS = ("Secreta-Contrasena-987", "tok-abcdef123456789", "sess-0123456789abcdef", "pw-in-dsn-4242")


@pytest.fixture
def log_output():
    """The console handler as settings.LOGGING builds it in production (JSON formatter, context and
    redaction filters), writing to a buffer; yields a function returning the parsed lines."""
    buffer = io.StringIO()
    config = settings.LOGGING
    spec = dict(config["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(formatter)
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(import_string(config["filters"][name]["()"])())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: (buffer.getvalue(), [json.loads(line) for line in buffer.getvalue().splitlines() if line])
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)


def _requests(lines):
    return [line for line in lines if line["logger"] == "registro.request"]


@pytest.mark.django_db
def test_each_request_is_one_json_line_with_its_id_method_path_status_and_duration(client, log_output):
    response = client.get("/healthz?token=abc")
    _text, lines = log_output()
    [line] = _requests(lines)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] is None and line["account_id"] is None
    assert {"time", "level", "message"} <= set(line)


@pytest.mark.django_db
def test_djangos_own_records_of_the_response_carry_the_request_id(client, log_output):
    # django.request logs 4xx and 5xx after every middleware has returned.
    response = client.get("/no-existe/")
    assert response.status_code == 404
    _text, lines = log_output()
    [warning] = [line for line in lines if line["logger"] == "django.request"]
    assert warning["request_id"] == response["X-Request-ID"]
    assert warning["request"] == "GET /no-existe/"


@pytest.mark.django_db
def test_the_request_id_of_a_trusted_proxy_is_kept_and_anyone_elses_replaced(log_output):
    # The test client's REMOTE_ADDR is 127.0.0.1, one of TRUSTED_PROXIES.
    kept = Client().get("/healthz", HTTP_X_REQUEST_ID="proxy-id-42")
    assert kept["X-Request-ID"] == "proxy-id-42"
    forged = Client(REMOTE_ADDR="203.0.113.9").get("/healthz", HTTP_X_REQUEST_ID="forged-id")
    assert forged["X-Request-ID"] not in ("forged-id", "")
    # A value that could break a log line is never taken, even from the proxy.
    odd = Client().get("/healthz", HTTP_X_REQUEST_ID='x" injected\nline')
    assert odd["X-Request-ID"] != 'x" injected\nline' and len(odd["X-Request-ID"]) == 32
    _text, lines = log_output()
    assert [line["request_id"] for line in _requests(lines)] == [
        "proxy-id-42",
        forged["X-Request-ID"],
        odd["X-Request-ID"],
    ]


@pytest.mark.django_db
def test_records_name_the_user_and_the_account_acted_for(log_output):
    membresia = MembresiaFactory(entidad=account_factory("entidad_estatal"))
    client = Client()
    client.force_login(membresia.usuario)
    client.get("/entidad/usuarios/")
    assert client.get("/api/v1/entidad/miembros").status_code == 200
    # A page outside the console: the user, and no account.
    assert client.get("/usuario/configuracion/").status_code == 200
    _text, lines = log_output()
    web, api, settings_page = _requests(lines)
    assert (web["user_id"], web["account_id"]) == (membresia.usuario_id, membresia.entidad_id)
    assert (api["user_id"], api["account_id"]) == (membresia.usuario_id, membresia.entidad_id)
    assert settings_page["user_id"] == membresia.usuario_id


@pytest.mark.django_db
def test_records_written_during_the_request_carry_its_context(log_output, monkeypatch):
    membresia = MembresiaFactory(entidad=account_factory("entidad_estatal"))
    client = Client()
    client.force_login(membresia.usuario)
    from registro.entities.membership import acting

    real = acting.resolve

    def resolve_and_log(request, **kwargs):
        result = real(request, **kwargs)
        logging.getLogger("registro.test").warning("inside the view")
        return result

    monkeypatch.setattr(acting, "resolve", resolve_and_log)
    response = client.get("/api/v1/entidad/miembros")
    _text, lines = log_output()
    [inside] = [line for line in lines if line["logger"] == "registro.test"]
    assert inside["request_id"] == response["X-Request-ID"]
    assert (inside["user_id"], inside["account_id"]) == (membresia.usuario_id, membresia.entidad_id)


@pytest.mark.django_db
def test_passwords_and_tokens_never_reach_the_logs(log_output):
    user = UserFactory()
    client = Client()
    # A failed login with its password, an API call with a bearer token, a session token and a cookie.
    client.post("/cuentas/login/", {"login": user.username, "password": SECRETS[0]})
    client.cookies["sessionid"] = SECRETS[2]
    client.get(
        "/api/v1/me",
        HTTP_AUTHORIZATION=f"Bearer {SECRETS[1]}",
        HTTP_X_SESSION_TOKEN=SECRETS[1],
    )
    log = logging.getLogger("registro.test")
    log.warning("login failed for %s with password=%s", user.username, SECRETS[0])
    log.warning("headers %s", {"Authorization": f"Bearer {SECRETS[1]}", "Cookie": f"sessionid={SECRETS[2]}"})
    log.warning(
        "call",
        extra={
            "password": SECRETS[0],
            "headers": {"authorization": f"Bearer {SECRETS[1]}", "accept": "text/html"},
            "form": {"login": "ana", "password": SECRETS[0], "csrfmiddlewaretoken": SECRETS[2]},
            "request": RequestFactory().post(f"/cuentas/login/?token={SECRETS[1]}", {"password": SECRETS[0]}),
        },
    )
    try:
        raise ConnectionError(f"could not connect to postgres://registro:{SECRETS[3]}@db/registro")
    except ConnectionError:
        log.exception("database down, token: %s", SECRETS[1])
    text, lines = log_output()
    for secret in SECRETS:
        assert secret not in text, secret
    assert "[REDACTED]" in text
    call = next(line for line in lines if line["message"] == "call")
    assert call["password"] == "[REDACTED]"
    assert call["headers"] == {"authorization": "[REDACTED]", "accept": "text/html"}
    assert call["form"]["login"] == "ana"
    assert call["request"] == "POST /cuentas/login/"
    down = next(line for line in lines if line["message"].startswith("database down"))
    assert "ConnectionError" in down["exc_info"] and "postgres://registro:[REDACTED]@db" in down["exc_info"]
    assert user.check_password(PASSWORD)  # the failed login above did happen with the wrong one


def _settings_value(env: dict, name: str):
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "LOG_FORMAT")}
    code = f"import json, config.settings as s; print(json.dumps(s.{name}))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, "SECRET_KEY": "x", **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_json_in_production_and_readable_text_with_debug():
    assert _settings_value({"DEBUG": "0"}, "LOG_FORMAT") == "json"
    assert _settings_value({"DEBUG": "1"}, "LOG_FORMAT") == "text"  # `make run`
    assert _settings_value({"DEBUG": "0", "LOG_FORMAT": "text"}, "LOG_FORMAT") == "text"
    assert _settings_value({"DEBUG": "0"}, "LOGGING")["handlers"]["console"]["formatter"] == "json"


def test_the_text_format_also_carries_the_request_id():
    from registro.core.observability import context
    from registro.core.observability.logs import RedactingFilter, RequestContextFilter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["text"]["format"]))
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactingFilter())
    log = logging.getLogger("registro.test.text")
    log.addHandler(handler)
    try:
        with context.scope(request_id="req-7"):
            log.warning("token=%s", SECRETS[1])
        log.warning("outside")
    finally:
        log.removeHandler(handler)
    first, second = buffer.getvalue().splitlines()
    assert "[req-7] token=[REDACTED]" in first
    assert "[None] outside" in second


@pytest.mark.django_db
def test_secret_parts_of_paths_are_redacted(client, log_output):
    token = "tok-de-invitacion-0123456789"
    response = client.get(f"/invitaciones/{token}/")
    text, lines = log_output()
    assert token not in text
    [line] = _requests(lines)
    assert line["path"] == "/invitaciones/[REDACTED]/"
    assert line["status"] == response.status_code


@pytest.mark.django_db
def test_server_timing_is_sent_only_when_configured_and_equals_the_logged_duration(client, log_output, settings):
    assert "Server-Timing" not in client.get("/healthz")
    settings.SERVER_TIMING = True
    response = client.get("/healthz")
    _text, lines = log_output()
    line = _requests(lines)[-1]
    name, _sep, duration = response["Server-Timing"].partition(";dur=")
    assert name == "app"
    assert abs(float(duration) - line["duration_ms"]) <= 0.1
