"""The sample nginx site in front of gunicorn, for real, when nginx is installed: only the ports,
certificate, log and static paths are changed. Its TLS works, the application sees the request as
HTTPS, nginx's request id reaches the application's logs and comes back, oversized bodies are
refused by nginx, static files come from STATIC_ROOT, and no log holds an invitation token."""

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.deploy.test_gunicorn_metrics import ROOT, free_port, log_lines

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture(autouse=True)
def _tools():
    # .ci/run installs them (Debian packages nginx and openssl) where they are missing.
    assert NGINX is not None, "nginx is not installed (Debian package nginx)"
    assert shutil.which("openssl"), "openssl is not installed (Debian package openssl)"


HOST = "registro.example.gov.co"
SITE = (ROOT / "deploy/nginx/registro-secop.conf").read_text()


def wait_for(port: int, output: Path) -> None:
    for _ in range(120):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.25)
    raise AssertionError(output.read_text())


def request(port: int, method: str, path: str, *, tls: bool = True, headers=None, body=None):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    response = connection.getresponse()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


@pytest.fixture
def stack(tmp_path):
    app_port = free_port()
    processes = []
    app_log = tmp_path / "gunicorn.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WEB_", "PROMETHEUS"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "nginx-live-test",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": HOST,
        "BEHIND_TLS_PROXY": "1",
        "TRUSTED_PROXY_COUNT": "1",
        "WEB_BIND": f"127.0.0.1:{app_port}",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "4",
        "METRICS_TOKEN": "nginx-live-token",
    }
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "prueba.txt").write_text("estático")
    with app_log.open("wb") as out:
        processes.append(
            subprocess.Popen(
                [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        wait_for(app_port, app_log)
        # Two more free ports of our range, for nginx's HTTP and HTTPS (held until both are found).
        held = []
        for _ in range(2):
            sock = socket.socket()
            sock.bind(("127.0.0.1", free_port()))
            held.append(sock)
        http_port, https_port = (sock.getsockname()[1] for sock in held)
        for sock in held:
            sock.close()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}"]
            + ["-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
            check=True,
            capture_output=True,
        )
        site = (
            SITE.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
            .replace("listen [::]:80;", "")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("listen [::]:443 ssl http2;", "")
            .replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
            .replace(f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(tmp_path / "cert.pem"))
            .replace(f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(tmp_path / "key.pem"))
            .replace("/var/log/nginx/", f"{tmp_path}/")
            .replace("/var/lib/registro-secop/static/", f"{tmp_path}/static/")
            .replace("ssl_stapling on;", "ssl_stapling off;")
            .replace("ssl_stapling_verify on;", "")
        )
        (tmp_path / "site.conf").write_text(site)
        # Workers read the test's private temporary directory: as its owner when we are root.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (tmp_path / "nginx.conf").write_text(
            f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/nginx-error.log;\nevents {{}}\n"
            f"http {{\n  client_body_temp_path {tmp_path}/body;\n  proxy_temp_path {tmp_path}/proxy;\n"
            f"  include {tmp_path}/site.conf;\n}}\n"
        )
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(nginx)
        for _ in range(40):
            try:
                request(https_port, "GET", "/healthz")
                break
            except OSError:
                assert nginx.poll() is None, nginx.stdout.read().decode()
                time.sleep(0.25)
        yield {"http": http_port, "https": https_port, "app": app_port, "dir": tmp_path, "app_log": app_log}
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def test_the_sample_site_in_front_of_gunicorn(stack):
    https, directory = stack["https"], stack["dir"]

    # Plain HTTP only redirects; over TLS the application knows it is HTTPS (no redirect loop).
    # (The OpenAPI document: a page that needs neither tables nor collected static files.)
    page = "/api/v1/auth/openapi.json"
    status, headers, _ = request(stack["http"], "GET", page, tls=False)
    assert (status, headers["location"]) == (301, f"https://{HOST}{page}")
    status, headers, _ = request(https, "GET", page)
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=31536000")  # the application's, once
    status, _headers, _ = request(stack["app"], "GET", page, tls=False)
    assert status == 301  # straight to gunicorn, without the proxy's word, it is plain HTTP

    # nginx's request id is the one the application logs and echoes.
    status, headers, _ = request(https, "GET", "/healthz")
    assert status == 200 and len(headers["x-request-id"]) == 32
    request_id = headers["x-request-id"]

    # Static files from STATIC_ROOT, cached for good.
    status, headers, body = request(https, "GET", "/static/prueba.txt")
    assert (status, body.decode()) == (200, "estático")
    assert "immutable" in headers["cache-control"]

    # A body over UPLOAD_REQUEST_MAX_BYTES is refused by nginx, before it is sent.
    status, _headers, _ = request(
        https, "POST", "/api/v1/entidades/registros/1/documentos", headers={"Content-Length": str(470810624 + 1)}
    )
    assert status == 413

    # An invitation's token stays out of every log.
    token = "tok-de-invitacion-secreto-42"
    request(https, "GET", f"/invitaciones/{token}/")

    time.sleep(0.5)
    nginx_lines = [json.loads(line) for line in (directory / "registro-secop.access.log").read_text().splitlines()]
    [healthz] = [line for line in nginx_lines if line["path"] == "/healthz" and line["request_id"] == request_id]
    assert healthz["status"] == 200
    app_lines = log_lines(stack["app_log"])
    [app] = [
        line for line in app_lines if line.get("logger") == "registro.request" and line["request_id"] == request_id
    ]
    assert app["path"] == "/healthz"
    [access] = [
        line for line in app_lines if line.get("logger") == "gunicorn.access" and line["request_id"] == request_id
    ]
    assert access["path"] == "/healthz" and access["forwarded_for"] == "127.0.0.1"
    assert "/invitaciones/[REDACTED]/" in {line["path"] for line in nginx_lines}
    everything = stack["app_log"].read_text() + (directory / "registro-secop.access.log").read_text()
    assert token not in everything
