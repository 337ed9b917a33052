"""The real server as deploy/ runs it: gunicorn with deploy/gunicorn.conf.py and two worker processes.
A scrape of /metrics, answered by either worker, counts the requests both served (prometheus
multiprocess mode), and every access-log line is JSON carrying the id the application echoed."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-metrics-token"
PORTS = range(int(os.environ.get("TEST_PORT_MIN", "8700")), int(os.environ.get("TEST_PORT_MAX", "8799")) + 1)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port")


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Connection": "close", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def log_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_metrics_add_up_across_gunicorn_workers_and_the_access_log_is_json(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("WEB_", "PROMETHEUS"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "gunicorn-metrics-test",
        "VAR_DIR": str(tmp_path),
        # No tables needed: /healthz asks the database for SELECT 1 only, and the scrape's
        # database collectors fail on their own without taking the others with them.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEB_BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
        "METRICS_TOKEN": TOKEN,
        "LOG_FORMAT": "json",
    }
    output = tmp_path / "gunicorn.log"
    with output.open("wb") as out:
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError(output.read_text())
        # New connections until both workers have answered some (the kernel picks the worker).
        sent = 1
        ids = set()
        for _ in range(300):
            status, headers, _body = get(f"{base}/healthz")
            assert status == 200
            ids.add(headers["X-Request-ID"])
            sent += 1
            pids = {line["pid"] for line in log_lines(output) if line.get("logger") == "gunicorn.access"}
            if len(pids) >= 2 and sent >= 20:
                break
        assert len(pids) == 2, "one worker served every request"

        status, _headers, body = get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200
        samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
        }
        healthz = frozenset({"method": "GET", "view": "healthz", "status": "200"}.items())
        assert samples[("registro_http_requests_total", healthz)] == sent
        files = {path.name for path in (tmp_path / "prometheus-web").glob("*.db")}
        assert len({name.rsplit("_", 1)[1] for name in files}) >= 2, files

        time.sleep(0.5)  # the last lines
        lines = log_lines(output)
        access = [line for line in lines if line.get("logger") == "gunicorn.access"]
        application = [line for line in lines if line.get("logger") == "registro.request"]
        assert ids <= {line["request_id"] for line in access}
        assert ids <= {line["request_id"] for line in application}
        assert all(line["path"] in ("/healthz", "/metrics") for line in access)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
