"""deploy/ cannot drift from the application: gunicorn's config loads and matches `manage.py serve`,
the systemd units parse and start real commands, and nginx's limits equal the settings'
(docs/adr/0012, docs/adr/0020)."""

import configparser
import io
import json
import logging
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALL_DIR = "/srv/registro-secop"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
WEB_ENV = ("HOST", "PORT", "WEB_BIND", "WEB_WORKERS", "WEB_THREADS", "WEB_TIMEOUT", "PROMETHEUS_MULTIPROC_DIR")


def env_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "registro-secop.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def gunicorn_conf(monkeypatch, tmp_path, **env) -> dict:
    for name in WEB_ENV:
        # Recorded first, so whatever the config file sets (os.environ.setdefault) is undone.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def production_settings(names: tuple[str, ...]) -> dict:
    """The settings the sample env file gives (with a secret key, which it leaves to be filled)."""
    code = f"import json, config.settings as s; print(json.dumps({{n: str(getattr(s, n)) for n in {names!r}}}))"
    env = {"PATH": os.environ["PATH"], **env_file(), "SECRET_KEY": "x" * 50}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# --- gunicorn -------------------------------------------------------------------------------------


def test_gunicorn_config_is_the_worker_model_of_serve(monkeypatch, tmp_path):
    from registro.core.management.commands.serve import Command

    conf = gunicorn_conf(monkeypatch, tmp_path)
    serve = Command().create_parser("manage.py", "serve").parse_args([])
    assert conf["worker_class"] == "gthread"
    assert (conf["workers"], conf["threads"], conf["timeout"]) == (serve.workers, serve.threads, serve.timeout)
    assert conf["bind"] == f"{serve.host}:{serve.port}"
    assert conf["accesslog"] == "-"
    assert conf["logger_class"].__name__ == "JsonAccessLogger"
    assert conf["control_socket_disable"] is True
    # Multiprocess metrics on by default, in the data directory.
    assert conf["PROMETHEUS_DIR"] == tmp_path.resolve() / "prometheus-web"
    # The env file's values are read.
    conf = gunicorn_conf(monkeypatch, tmp_path, WEB_BIND="127.0.0.1:8123", WEB_THREADS="4", WEB_TIMEOUT="45")
    assert (conf["bind"], conf["threads"], conf["timeout"]) == ("127.0.0.1:8123", 4, 45)


def test_gunicorn_checks_the_config_and_loads_the_application(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in WEB_ENV},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "check-config",
        "DEBUG": "0",
        "VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--check-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def _access_logger(monkeypatch, tmp_path):
    """The config's access logger, also writing to a buffer (the caller removes that handler)."""
    from gunicorn.config import Config

    conf = gunicorn_conf(monkeypatch, tmp_path)
    cfg = Config()
    cfg.set("accesslog", "-")
    access_logger = conf["JsonAccessLogger"](cfg)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    access_logger.access_log.addHandler(handler)
    return access_logger, buffer, handler


def test_the_access_log_is_one_json_object_a_line_without_the_query_string(monkeypatch, tmp_path):
    access_logger, buffer, handler = _access_logger(monkeypatch, tmp_path)
    try:
        response = SimpleNamespace(status="200 OK", headers=[("X-Request-ID", "abc123")], sent=512)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/v1/me",
            "QUERY_STRING": "token=secret-in-query",
            "RAW_URI": "/api/v1/me?token=secret-in-query",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_X_FORWARDED_FOR": "198.51.100.4",
        }
        access_logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
        # A request Django answered: the path it logged, with the invitation token redacted.
        environ = {**environ, "PATH_INFO": "/invitaciones/tok-123/", "registro.log_path": "/invitaciones/[REDACTED]/"}
        access_logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    finally:
        access_logger.access_log.removeHandler(handler)
    first, line = (json.loads(text) for text in buffer.getvalue().strip().splitlines()[-2:])
    assert line["path"] == "/invitaciones/[REDACTED]/" and "tok-123" not in buffer.getvalue()
    line = first
    assert line["request_id"] == "abc123"
    assert (line["method"], line["path"], line["status"], line["bytes"]) == ("GET", "/api/v1/me", 200, 512)
    assert line["forwarded_for"] == "198.51.100.4" and line["duration_ms"] == 12.0
    assert "secret-in-query" not in buffer.getvalue()


def test_gunicorn_own_messages_are_json_too(monkeypatch, tmp_path, capsys):
    from gunicorn.config import Config

    conf = gunicorn_conf(monkeypatch, tmp_path)
    cfg = Config()
    cfg.set("errorlog", "-")
    gunicorn_logger = conf["JsonAccessLogger"](cfg)
    gunicorn_logger.error("Worker (pid:%s) was sent SIGKILL", 1234)
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["level"], line["logger"]) == ("ERROR", "gunicorn.error")
    assert line["message"] == "Worker (pid:1234) was sent SIGKILL" and "time" in line
    # When the application fails without an answer gunicorn names the request itself: redacted too.
    gunicorn_logger.error("Error handling request %s", "/invitaciones/tok-9876543/?token=abc")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "Error handling request /invitaciones/[REDACTED]/"


def test_the_access_log_redacts_paths_django_never_answered(monkeypatch, tmp_path):
    access_logger, buffer, handler = _access_logger(monkeypatch, tmp_path)
    try:
        response = SimpleNamespace(status="500 Internal Server Error", headers=[], sent=0)
        environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": "127.0.0.1"}  # no PATH_INFO: gunicorn's error path
        request = SimpleNamespace(headers=[], path="/cuentas/confirm-email/clave-secreta-77/")
        access_logger.access(response, request, environ, timedelta(milliseconds=3))
    finally:
        access_logger.access_log.removeHandler(handler)
    line = json.loads(buffer.getvalue().strip().splitlines()[-1])
    assert line["path"] == "/cuentas/confirm-email/[REDACTED]/"


def test_gunicorn_hooks_empty_the_metrics_directory_and_forget_dead_workers(monkeypatch, tmp_path):
    conf = gunicorn_conf(monkeypatch, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"))
    stale = tmp_path / "prom" / "counter_999.db"
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"old run")
    conf["on_starting"](None)
    assert (tmp_path / "prom").is_dir() and not stale.exists()
    live = tmp_path / "prom" / "gauge_livesum_4242.db"
    live.write_bytes(b"")
    conf["child_exit"](None, SimpleNamespace(pid=4242))
    assert not live.exists()


# --- systemd --------------------------------------------------------------------------------------


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


def test_there_are_units_for_web_worker_and_scheduler():
    assert [path.name for path in UNITS] == [
        "registro-secop-scheduler.service",
        "registro-secop-web.service",
        "registro-secop-worker.service",
    ]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.stem)
def test_each_unit_runs_hardened_as_its_own_user_with_the_env_file(path):
    service = unit(path)["Service"]
    assert service["User"] == service["Group"] == "registro-secop"
    assert service["EnvironmentFile"] == "/etc/registro-secop/registro-secop.env"
    assert service["WorkingDirectory"] == INSTALL_DIR
    assert service["Restart"] in {"on-failure", "always"}
    for option in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "RestrictSUIDSGID"):
        assert service[option] == "yes", option
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/registro-secop"
    assert service["CapabilityBoundingSet"] == ""
    assert unit(path)["Install"]["WantedBy"] == "multi-user.target"


def _exec_start(path: Path) -> list[str]:
    argv = shlex.split(unit(path)["Service"]["ExecStart"])
    assert argv[0].startswith(f"{INSTALL_DIR}/.venv/bin/")
    return argv


def test_the_web_unit_starts_gunicorn_with_the_repositorys_config():
    web = DEPLOY / "systemd/registro-secop-web.service"
    argv = _exec_start(web)
    assert argv == [f"{INSTALL_DIR}/.venv/bin/gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"]
    assert (ROOT / argv[2]).is_file() and (ROOT / ".venv/bin/gunicorn").exists()
    service = unit(web)["Service"]
    assert service["Type"] == "notify"  # gunicorn's arbiter sends READY=1
    assert service["Environment"] == "PROMETHEUS_MULTIPROC_DIR=/run/registro-secop-web/prometheus"
    assert service["RuntimeDirectory"] == "registro-secop-web"


@pytest.mark.parametrize(("name", "command"), [("worker", "run_worker"), ("scheduler", "run_scheduler")])
def test_the_worker_and_scheduler_units_run_manage_py(name, command):
    argv = _exec_start(DEPLOY / f"systemd/registro-secop-{name}.service")
    assert argv == [f"{INSTALL_DIR}/.venv/bin/python", "manage.py", command]
    assert (ROOT / "manage.py").is_file()


@pytest.mark.parametrize("command", ["run_worker", "run_scheduler"])
def test_the_units_commands_exist(command):
    assert command in get_commands()


def test_systemd_analyze_verifies_the_units(tmp_path):
    # .ci/run installs systemd's tools (Debian package systemd) where they are missing.
    assert shutil.which("systemd-analyze"), "systemd-analyze is not installed (Debian package systemd)"
    # Installed where the repository is, so the executables it checks exist.
    for path in UNITS:
        (tmp_path / path.name).write_text(path.read_text().replace(INSTALL_DIR, str(ROOT)))
    out = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
        env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"},
    )
    assert out.returncode == 0, out.stderr
    assert [line for line in out.stderr.splitlines() if "registro-secop" in line] == [], out.stderr


# --- nginx ----------------------------------------------------------------------------------------


def nginx_directives(text: str) -> list[tuple[tuple[str, ...], list[str]]]:
    """(block path, [directive, args...]) for every simple directive, e.g.
    (("server", "location /static/"), ["alias", "/var/lib/…/"])."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r"'[^']*'|\"[^\"]*\"|[{};]|[^\s{};]+", text)
    stack: list[str] = []
    current: list[str] = []
    directives = []
    for token in tokens:
        if token == "{":
            stack.append(" ".join(current))
            current = []
        elif token == "}":
            stack.pop()
        elif token == ";":
            directives.append((tuple(stack), current))
            current = []
        else:
            current.append(token)
    assert not stack and not current, "unbalanced configuration"
    return directives


NGINX = nginx_directives((DEPLOY / "nginx/registro-secop.conf").read_text())


def tls_server(name: str) -> list[list[str]]:
    return [args for path, args in NGINX if path == ("server",) and args[0] == name]


def _single(name: str) -> list[str]:
    [found] = tls_server(name)
    return found[1:]


def _bytes(size: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit_.lower()]


def _seconds(value: str) -> int:
    number, unit_ = re.fullmatch(r"(\d+)(s|m)?", value).groups()
    return int(number) * (60 if unit_ == "m" else 1)


def test_nginx_body_limit_is_the_applications(monkeypatch, tmp_path):
    values = production_settings(("UPLOAD_REQUEST_MAX_BYTES", "DOCUMENT_MAX_BYTES"))
    assert _bytes(_single("client_max_body_size")[0]) == int(values["UPLOAD_REQUEST_MAX_BYTES"])
    # nginx reads slow uploads itself (docs/adr/0012): gunicorn's threads get the body at once.
    assert _single("proxy_request_buffering") == ["on"]


def test_nginx_waits_for_the_checks_of_a_whole_registration(monkeypatch, tmp_path):
    from django.conf import settings

    values = production_settings(("UPLOAD_REQUEST_MAX_BYTES", "DOCUMENT_MAX_BYTES", "FILE_CHECK_TIMEOUT_SECONDS"))
    documents = (int(values["UPLOAD_REQUEST_MAX_BYTES"]) - 1024 * 1024) // int(values["DOCUMENT_MAX_BYTES"])
    assert documents == 7
    env = env_file()
    gunicorn_timeout = gunicorn_conf(monkeypatch, tmp_path, WEB_TIMEOUT=env["WEB_TIMEOUT"])["timeout"]
    expected = documents * int(values["FILE_CHECK_TIMEOUT_SECONDS"]) + gunicorn_timeout
    assert _seconds(_single("proxy_read_timeout")[0]) == expected
    assert settings.FILE_CHECK_TIMEOUT_SECONDS == int(values["FILE_CHECK_TIMEOUT_SECONDS"])
    # A stalled client is cut off; one on a slow line (one read a second or more) never is.
    assert 10 <= _seconds(_single("client_body_timeout")[0]) <= 120


def test_nginx_passes_the_client_the_scheme_and_a_request_id():
    headers = {args[1]: args[2] for args in tls_server("proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["X-Request-ID"] == "$request_id"
    assert headers["Host"] == "$host"
    # Every location inherits them: none sets headers of its own.
    assert not [path for path, args in NGINX if args[0] == "proxy_set_header" and len(path) > 1]
    # …and the application believes them from this proxy.
    env = env_file()
    assert env["BEHIND_TLS_PROXY"] == "1" and env["TRUSTED_PROXY_COUNT"] == "1"
    assert "127.0.0.1/32" in env["TRUSTED_PROXIES"].split(",")
    values = production_settings(("SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE"))
    assert values["SECURE_PROXY_SSL_HEADER"] == str(("HTTP_X_FORWARDED_PROTO", "https"))
    # HSTS is the application's: on, and not sent a second time by nginx.
    assert int(values["SECURE_HSTS_SECONDS"]) >= 365 * 24 * 3600 and values["SESSION_COOKIE_SECURE"] == "True"
    assert not [args for _path, args in NGINX if args[:2] == ["add_header", "Strict-Transport-Security"]]


def test_nginx_serves_static_files_from_static_root_and_proxies_the_rest_to_gunicorn(monkeypatch, tmp_path):
    values = production_settings(("STATIC_ROOT", "STATIC_URL"))
    static = ("server", f"location {values['STATIC_URL']}")
    [alias] = [args[1] for path, args in NGINX if path == static and args[0] == "alias"]
    assert alias == values["STATIC_ROOT"] + "/"
    [upstream] = [args[1] for path, args in NGINX if path == ("upstream registro_secop",) and args[0] == "server"]
    assert upstream == env_file()["WEB_BIND"]
    proxied = {path[-1] for path, args in NGINX if args[0] == "proxy_pass"}
    assert proxied == {"location /", "location = /metrics"}
    assert all(args[1] == "http://registro_secop" for _path, args in NGINX if args[0] == "proxy_pass")


def test_nginx_tls_is_modern():
    assert _single("ssl_protocols") == ["TLSv1.2", "TLSv1.3"]
    ciphers = _single("ssl_ciphers")[0].split(":")
    assert all(c.startswith("ECDHE-") and ("GCM" in c or "CHACHA20" in c) for c in ciphers), ciphers
    assert _single("ssl_session_tickets") == ["off"]
    # Plain HTTP only redirects.
    plain = [args for path, args in NGINX if path == ("server", "location /")]
    assert ["return", "301", "https://$host$request_uri"] in plain


def test_nginx_keeps_metrics_to_the_monitoring_network():
    rules = [args for path, args in NGINX if path == ("server", "location = /metrics")]
    assert ["deny", "all"] in rules
    assert rules.index(["deny", "all"]) > max(i for i, args in enumerate(rules) if args[0] == "allow")


def test_reading_the_gunicorn_config_leaves_this_process_alone(monkeypatch, tmp_path):
    gunicorn_conf(monkeypatch, tmp_path)
    monkeypatch.undo()
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def _routes(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if hasattr(entry, "url_patterns"):
            yield from _routes(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_nginx_does_not_log_the_secret_parts_of_paths():
    from django.urls import get_resolver

    from registro.core.observability.logs import SENSITIVE_KEY

    [mapping] = [args for path, args in NGINX if path == ("map $uri $registro_log_path",) and args[0] != "default"]
    # PCRE named groups, in Python spelling.
    pattern = re.compile(mapping[0].strip('"').lstrip("~").replace("(?<", "(?P<"))
    assert "$registro_log_path" in " ".join(" ".join(args) for _path, args in NGINX if args[0] == "log_format")
    secret_routes = []
    for route, entry in _routes(get_resolver()):
        # An <int:...> is a row's number (a session's id, say), never a secret.
        names = re.findall(r"<(?!int:)(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
        if any(SENSITIVE_KEY.search(name) for pair in names for name in pair if name):
            secret_routes.append(route)
            example = "/" + re.sub(r"<[^>]+>|\(\?P<[^>]+>[^)]*\)", "abc123", route).replace("^", "").replace("$", "")
            assert pattern.match(example), f"nginx logs {route} with its secret"
    assert len(secret_routes) >= 3  # confirmation key, reset key, invitation token


def test_the_env_file_loads_the_production_settings():
    values = production_settings(("DEBUG", "LOG_FORMAT", "ALLOWED_HOSTS", "VAR_DIR"))
    assert values["DEBUG"] == "False" and values["LOG_FORMAT"] == "json"
    assert values["VAR_DIR"] == "/var/lib/registro-secop"


def _assignments(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if re.match(r"^[A-Z][A-Z0-9_]*=", line):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_variables_of_this_work_are_documented_in_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    ours = {
        "LOG_FORMAT", "LOG_REQUESTS", "METRICS_TOKEN", "METRICS_TRUSTED_IPS", "HEALTH_TOKEN", "HEALTH_TRUSTED_IPS",
        "HEALTH_TASK_MAX_AGE_SECONDS", "HEALTH_CACHE_SECONDS", "PROMETHEUS_MULTIPROC_DIR", "WEB_BIND", "WEB_THREADS",
        "WEB_TIMEOUT", "WEB_GRACEFUL_TIMEOUT", "WEB_KEEPALIVE", "WEB_MAX_REQUESTS", "UPLOAD_REQUEST_MAX_BYTES",
        "FILE_CHECK_TIMEOUT_SECONDS",
    }  # fmt: skip
    assert ours - documented == set()
    read = set()
    for path in ("config/settings.py", "deploy/gunicorn.conf.py"):
        read |= set(re.findall(r'"([A-Z][A-Z0-9_]+)"', (ROOT / path).read_text()))
    assert ours <= read


def test_env_example_exported_as_it_is_gives_working_settings():
    # Empty values mean "the default", as the file says; an empty LOG_FORMAT or HEALTH_TOKEN too.
    env = {"PATH": os.environ["PATH"], **_assignments(ROOT / ".env.example"), "SECRET_KEY": "x" * 50}
    assert env["HEALTH_TOKEN"] == "" and env["LOG_FORMAT"] == ""
    env["METRICS_TOKEN"] = "m"
    code = "import config.settings as s; print(s.LOG_FORMAT, s.HEALTH_TOKEN == 'm', s.HEALTH_TRUSTED_IPS)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["json", "True", "[]"]
